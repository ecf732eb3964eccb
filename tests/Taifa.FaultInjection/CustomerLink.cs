using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Taifa.Cluster.Tests.Infrastructure;
using Taifa.Smpp.Pdus;

namespace Taifa.FaultInjection;

/// <summary>
/// One account's SMPP transceiver, kept bound the way an ESME keeps it: when its silo dies or drains (unbind), it
/// binds again to a silo that is still running. Every receipt from every session it ever had is recorded by the
/// gateway message id it carries.
/// </summary>
public sealed partial class CustomerLink(CustomerAccount account, FaultCluster cluster, Ledger ledger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _binding = new(1, 1);
    private readonly ConcurrentQueue<SmppCustomer> _sessions = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(string State, TimeSpan At)>> _receipts = new();
    private SmppCustomer? _current;
    private string _currentSilo = "";
    private int _binds;

    public CustomerAccount Account { get; } = account;

    /// <summary>Binds made so far (the first one included).</summary>
    public int Binds => Volatile.Read(ref _binds);

    /// <summary>Receipts for a message id, in arrival order (stat: value and when).</summary>
    public IReadOnlyList<(string State, TimeSpan At)> ReceiptsFor(string messageId) =>
        _receipts.TryGetValue(messageId, out var list) ? [.. list] : [];

    /// <summary>A bound session and the silo it is on; binds again (to the preferred silo first) when the last one went away.</summary>
    public async Task<(SmppCustomer Session, string Silo)> SessionAsync(CancellationToken cancellation)
    {
        await _binding.WaitAsync(cancellation);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                if (_current is { } current && !current.Closed.IsCompleted && !current.UnbindReceived.IsCompleted)
                {
                    return (current, _currentSilo);
                }

                var silo = cluster.Pick(Account.Index + attempt);
                try
                {
                    _current = await SmppCustomer.BindAsync(silo, Account.SmppUser, Account.SmppPassword, onReceipt: Record);
                    _currentSilo = silo.Name;
                    _sessions.Enqueue(_current);
                    Interlocked.Increment(ref _binds);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // The silo is going or not serving the account yet (bind refused while the cluster recovers): try again.
                    await Task.Delay(200, cancellation);
                }
            }
        }
        finally
        {
            _binding.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_sessions.TryDequeue(out var session)) await session.DisposeAsync();
        _binding.Dispose();
    }

    private void Record(DeliverSm receipt)
    {
        var text = SmppCustomer.ReceiptText(receipt);
        var id = ReceiptId().Match(text);
        if (!id.Success) return;
        var state = ReceiptState().Match(text) is { Success: true } stat ? stat.Groups[1].Value : "?";
        _receipts.GetOrAdd(id.Groups[1].Value, _ => new()).Enqueue((state, ledger.Now));
    }

    [GeneratedRegex(@"^id:(\S+)")]
    private static partial Regex ReceiptId();

    [GeneratedRegex(@"stat:(\S+)")]
    private static partial Regex ReceiptState();
}
