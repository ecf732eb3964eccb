using System.Collections.Concurrent;
using Taifa.Abstractions.Messages;
using Taifa.Abstractions.Smpp;

namespace Taifa.Grains.Tests;

/// <summary>
/// An account's bind registry is in memory only: after its silo died it is re-created empty on a survivor and learns
/// the sessions still bound elsewhere from their silos' renewals. Receipts parked meanwhile found no receiver; they
/// leave as soon as a renewal brings one back, not at the outbox's one-minute reminder.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class ReceiptOutboxTests(GrainCluster cluster)
{
    private static long _nextAccountId = 950_000;

    [Fact]
    public async Task A_receipt_parked_while_the_registry_knew_no_receiver_is_delivered_once_a_renewal_tells_it_of_one()
    {
        var accountId = Interlocked.Increment(ref _nextAccountId);
        var host = new RecordingHost();
        var reference = cluster.Grains.CreateObjectReference<ISmppSessionHost>(host);
        try
        {
            var now = DateTimeOffset.UtcNow;
            await cluster.Grains.GetGrain<ISmppReceiptOutboxGrain>(accountId).Park(
                new SmppReceipt(4242, "254702739804", "OUTBOX", MessageStatus.Delivered, now, now, null, "parked"));
            await Task.Delay(500);
            Assert.Empty(host.Delivered);

            var session = new SmppBinding(Guid.NewGuid(), SmppBindType.Transceiver, "survivor", reference);
            await cluster.Grains.GetGrain<ISmppBindRegistryGrain>(accountId).Renew([session]);

            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (host.Delivered.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.Equal([4242L], host.Delivered.Select(r => r.MessageId));
            Assert.Equal(session.SessionId, host.Sessions.Single());
        }
        finally
        {
            cluster.Grains.DeleteObjectReference<ISmppSessionHost>(reference);
        }
    }

    [Fact]
    public async Task Receipts_are_offered_again_shortly_after_the_registry_could_not_be_reached()
    {
        var accountId = Interlocked.Increment(ref _nextAccountId);
        var host = new RecordingHost();
        var reference = cluster.Grains.CreateObjectReference<ISmppSessionHost>(host);
        try
        {
            var registry = cluster.Grains.GetGrain<ISmppBindRegistryGrain>(accountId);
            await registry.Renew([new SmppBinding(Guid.NewGuid(), SmppBindType.Transceiver, "survivor", reference)]);

            // The registry's silo died as the outbox asked it for receivers: no bind or renewal comes to ask again.
            FailingCalls.Instance.FailNext(registry.GetGrainId(), nameof(ISmppBindRegistryGrain.Receivers), 1);
            var now = DateTimeOffset.UtcNow;
            await cluster.Grains.GetGrain<ISmppReceiptOutboxGrain>(accountId).Park(
                new SmppReceipt(4343, "254702739804", "OUTBOX", MessageStatus.Delivered, now, now, null, "again"));

            // Long before the outbox's one-minute reminder.
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (host.Delivered.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.Equal([4343L], host.Delivered.Select(r => r.MessageId));
        }
        finally
        {
            cluster.Grains.DeleteObjectReference<ISmppSessionHost>(reference);
        }
    }

    private sealed class RecordingHost : ISmppSessionHost
    {
        public ConcurrentQueue<SmppReceipt> Delivered { get; } = new();

        public ConcurrentQueue<Guid> Sessions { get; } = new();

        public Task UnbindAccount(long accountId, string reason) => Task.CompletedTask;

        public Task<ReceiptHandoff> DeliverReceipts(Guid sessionId, IReadOnlyList<SmppReceipt> receipts)
        {
            Sessions.Enqueue(sessionId);
            foreach (var receipt in receipts) Delivered.Enqueue(receipt);
            return Task.FromResult(new ReceiptHandoff(true, receipts.Count));
        }
    }
}
