using Microsoft.Extensions.Logging;
using Taifa.Abstractions.Smpp;

namespace Taifa.Grains.Smpp;

/// <summary>
/// Counts the live SMPP sessions of one account and chooses which of them receive its receipts. Deliberately not persisted: sessions are TCP connections
/// that die with their silo, so the silos' renewals are the truth and this grain is a cache of them. A session of a silo
/// the cluster has declared dead is dropped at once, not at lease expiry: receipts are not offered to it, and it holds no bind slot.
/// </summary>
public sealed partial class SmppBindRegistryGrain(TimeProvider time, IClusterMembershipService membership, ILogger<SmppBindRegistryGrain> logger)
    : Grain, ISmppBindRegistryGrain
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

    /// <summary>
    /// A receiver this registry did not know (it was re-created after its silo died, or the bind's own call was lost)
    /// is told to the receipt outbox as a bind would be: receipts parked meanwhile would otherwise wait for its reminder.
    /// </summary>
    public Task Renew(IReadOnlyList<SmppBinding> bindings)
    {
        var now = time.GetUtcNow();
        var receiverLearned = false;
        foreach (var binding in bindings)
        {
            receiverLearned |= !_sessions.ContainsKey(binding.SessionId) && Receives(binding);
            _sessions[binding.SessionId] = new Entry(binding, now);
        }

        if (receiverLearned) GrainFactory.GetGrain<ISmppReceiptOutboxGrain>(AccountId).ReceiverBound();
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
            .Where(e => Receives(e.Binding))
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

    /// <summary>Drops the sessions of silos declared dead, and those whose silo stopped renewing them (it died unnoticed).</summary>
    private void Prune()
    {
        var cutoff = time.GetUtcNow() - SmppBindLease.Expiry;
        var dead = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead).Select(m => m.SiloAddress.ToString()).ToHashSet();
        foreach (var (id, entry) in _sessions)
        {
            if (entry.RenewedAt < cutoff || dead.Contains(entry.Binding.Silo)) _sessions.Remove(id);
        }
    }

    private static bool Receives(SmppBinding binding) => binding.BindType is SmppBindType.Receiver or SmppBindType.Transceiver;

    private readonly record struct Entry(SmppBinding Binding, DateTimeOffset RenewedAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId}: unbinding {Sessions} SMPP sessions ({Reason})")]
    private partial void LogUnbindAll(long accountId, int sessions, string reason);
}
