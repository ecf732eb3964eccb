using Microsoft.Extensions.Logging;
using Taifa.Abstractions.Smpp;

namespace Taifa.Grains.Smpp;

/// <summary>
/// Counts the live SMPP sessions of one account and chooses which of them receive its receipts. Deliberately not persisted: sessions are TCP connections
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

    public Task<IReadOnlyList<SmppBinding>> Receivers()
    {
        Prune();
        var receivers = _sessions.Values
            .Where(e => e.Binding.BindType is SmppBindType.Receiver or SmppBindType.Transceiver)
            .Select(e => e.Binding)
            .ToList();
        if (receivers.Count == 0) return Task.FromResult<IReadOnlyList<SmppBinding>>([]);
        var first = _nextReceiver % receivers.Count;
        _nextReceiver = (_nextReceiver + 1) & int.MaxValue;
        return Task.FromResult<IReadOnlyList<SmppBinding>>([.. receivers[first..], .. receivers[..first]]);
    }

    public Task<IReadOnlyList<SmppBinding>> Bindings()
    {
        Prune();
        return Task.FromResult<IReadOnlyList<SmppBinding>>([.. _sessions.Values.Select(e => e.Binding)]);
    }

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
}
