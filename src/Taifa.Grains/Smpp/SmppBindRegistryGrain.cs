using Microsoft.Extensions.Logging;
using Taifa.Abstractions.Smpp;

namespace Taifa.Grains.Smpp;

/// <summary>
/// Counts and reaches the live SMPP sessions of one account. Deliberately not persisted: sessions are TCP connections
/// that die with their silo, so the silos' periodic renewals are the truth and this grain is a cache of them.
/// </summary>
public sealed partial class SmppBindRegistryGrain(TimeProvider time, ILogger<SmppBindRegistryGrain> logger) : Grain, ISmppBindRegistryGrain
{
    private readonly Dictionary<Guid, Entry> _sessions = [];
    private int _nextReceiver;

    private long AccountId => this.GetPrimaryKeyLong();

    public Task<bool> TryBind(SmppBinding binding, int maxBinds)
    {
        Prune();
        if (!_sessions.ContainsKey(binding.SessionId) && _sessions.Count >= maxBinds)
        {
            return Task.FromResult(false);
        }

        _sessions[binding.SessionId] = new Entry(binding, time.GetUtcNow());
        return Task.FromResult(true);
    }

    public Task Unbound(Guid sessionId)
    {
        _sessions.Remove(sessionId);
        return Task.CompletedTask;
    }

    public Task Renew(IReadOnlyList<SmppBinding> bindings)
    {
        var now = time.GetUtcNow();
        foreach (var binding in bindings) _sessions[binding.SessionId] = new Entry(binding, now);
        return Task.CompletedTask;
    }

    public Task UnbindAll(string reason)
    {
        Prune();
        // UnbindAccount is one-way: a silo that died cannot hold this grain (and so the account) waiting.
        foreach (var host in _sessions.Values.Select(e => e.Binding.Host).Distinct())
        {
            host.UnbindAccount(AccountId, reason);
        }

        if (_sessions.Count > 0) LogUnbindAll(AccountId, _sessions.Count, reason);
        return Task.CompletedTask;
    }

    public async Task<bool> DeliverReceipt(SmppReceipt receipt)
    {
        Prune();
        var receivers = _sessions.Values
            .Where(e => e.Binding.BindType is SmppBindType.Receiver or SmppBindType.Transceiver)
            .Select(e => e.Binding)
            .ToList();
        for (var i = 0; i < receivers.Count; i++)
        {
            // Round robin over the receiving sessions, falling through to the next when one is gone.
            var binding = receivers[(_nextReceiver + i) % receivers.Count];
            try
            {
                if (await binding.Host.DeliverReceipt(binding.SessionId, receipt).WaitAsync(HostCallTimeout))
                {
                    _nextReceiver = (_nextReceiver + i + 1) % receivers.Count;
                    return true;
                }
            }
            catch (Exception exception) when (exception is TimeoutException or OrleansException)
            {
                LogHostUnreachable(exception, AccountId, binding.Silo);
            }

            _sessions.Remove(binding.SessionId);
        }

        return false;
    }

    public Task<IReadOnlyList<SmppBinding>> Bindings()
    {
        Prune();
        return Task.FromResult<IReadOnlyList<SmppBinding>>([.. _sessions.Values.Select(e => e.Binding)]);
    }

    private static TimeSpan HostCallTimeout => TimeSpan.FromSeconds(5);

    /// <summary>Drops the sessions whose silo stopped renewing them (it died without saying so).</summary>
    private void Prune()
    {
        var cutoff = time.GetUtcNow() - SmppBindLease.Expiry;
        foreach (var (id, entry) in _sessions)
        {
            if (entry.RenewedAt < cutoff) _sessions.Remove(id);
        }
    }

    private readonly record struct Entry(SmppBinding Binding, DateTimeOffset RenewedAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId}: unbinding {Sessions} SMPP sessions ({Reason})")]
    private partial void LogUnbindAll(long accountId, int sessions, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: SMPP session host on {Silo} did not answer a receipt delivery")]
    private partial void LogHostUnreachable(Exception exception, long accountId, string silo);
}
