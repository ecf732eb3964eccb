using System.Diagnostics.Metrics;
using Taifa.Abstractions.Dispatch;
using Taifa.Abstractions.Messages;
using Taifa.Grains.Dispatch;
using Taifa.Grains.Telemetry;

namespace Taifa.Grains.Tests;

/// <summary>
/// Network 7 has two routes, "preferred" then "backup" (<see cref="GrainCluster"/>, failover after 300 ms down or
/// half of at least 3 submits failing within 3 s, back after 300 ms bound).
/// </summary>
public sealed partial class DispatchTests
{
    private const int FailoverNetwork = 7;

    [Fact]
    public async Task A_route_whose_bind_stays_down_hands_its_messages_to_the_backup_once_and_takes_its_traffic_back_when_bound()
    {
        var scripted = ScriptedOperator.Instance;
        var (grain, digest) = await OpenAsync(50m);
        var sent = new List<long>();
        scripted.Down("preferred");
        try
        {
            for (var i = 0; i < 4; i++) sent.Add((await SendAsync(grain, digest, NewNumber(), networkId: FailoverNetwork)).MessageId);
            foreach (var messageId in sent)
            {
                var record = await WaitForStatus(messageId, s => s == MessageStatus.Submitted, "submitted through the backup");
                Assert.Equal("backup", record.OperatorName);
            }

            // The backup's receipt is matched by the backup's name and id format.
            var first = (await cluster.Grains.GetGrain<IMessageGrain>(sent[0]).Get())!;
            Assert.True(await scripted.SendReceiptOnce(new OperatorReceipt(first.OperatorPartIds[0], MessageStatus.Delivered, null, DateTimeOffset.UtcNow), "backup"));
            Assert.Equal("backup", (await WaitForStatus(sent[0], s => s == MessageStatus.Delivered, "delivered")).OperatorName);

            await WaitUntil(() => Gauge("taifa.operator.healthy", "operator=preferred,shard=preferred/0") == 0
                                  && Gauge("taifa.route.active", $"network={FailoverNetwork},operator=backup") == 1
                                  && Gauge("taifa.route.active", $"network={FailoverNetwork},operator=preferred") == 0, "the gauges to show the backup route active");
        }
        finally
        {
            scripted.Up("preferred");
        }

        // Bound again: new messages go to the preferred route once it has been bound for RecoverAfter.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string? carrier;
        do
        {
            var messageId = (await SendAsync(grain, digest, NewNumber(), networkId: FailoverNetwork)).MessageId;
            sent.Add(messageId);
            carrier = (await WaitForStatus(messageId, s => s == MessageStatus.Submitted, "submitted")).OperatorName;
        }
        while (carrier != "preferred" && DateTime.UtcNow < deadline);

        Assert.Equal("preferred", carrier);
        await WaitUntil(() => Gauge("taifa.route.active", $"network={FailoverNetwork},operator=preferred") == 1
                              && Gauge("taifa.route.active", $"network={FailoverNetwork},operator=backup") == 0
                              && Gauge("taifa.operator.healthy", "operator=preferred,shard=preferred/0") == 1, "the gauges to show the preferred route back");
        Assert.All(sent, messageId => Assert.Single(scripted.Carried, c => c.MessageId == messageId));
    }

    [Fact]
    public async Task A_route_answering_temporary_errors_beyond_the_rate_moves_its_messages_to_the_backup_instead_of_failing_them()
    {
        var scripted = ScriptedOperator.Instance;
        var (grain, digest) = await OpenAsync(50m);
        var erring = Enumerable.Range(0, 3).Select(_ => NewNumber()).ToList();
        foreach (var number in erring) scripted.ScriptAt("preferred", number, Enumerable.Repeat(SubmissionOutcome.TemporaryFailure, 10).ToArray());
        var sent = new List<long>();
        foreach (var number in erring) sent.Add((await SendAsync(grain, digest, number, networkId: FailoverNetwork)).MessageId);

        // Sent once the route fails over: straight to the backup.
        await WaitUntil(() => Gauge("taifa.operator.healthy", "operator=preferred,shard=preferred/0") == 0, "the preferred route to fail over");
        var later = (await SendAsync(grain, digest, NewNumber(), networkId: FailoverNetwork)).MessageId;
        Assert.Equal("backup", (await WaitForStatus(later, s => s == MessageStatus.Submitted, "submitted through the backup")).OperatorName);

        // Those that were retrying at the preferred route move at once (it gives up its claims on them, rather than
        // letting their 20 s leases lapse), rather than failing there.
        foreach (var messageId in sent)
        {
            var record = await WaitForStatus(messageId, s => s != MessageStatus.Queued, "taken by the backup well within the claim's 20 s lease", seconds: 10);
            Assert.Equal(MessageStatus.Submitted, record.Status);
            Assert.Equal("backup", record.OperatorName);
        }

        Assert.All(sent.Append(later), messageId => Assert.Single(scripted.Carried, c => c.MessageId == messageId));
    }

    [Fact]
    public async Task A_message_the_backup_took_in_part_before_rejecting_it_keeps_the_backups_name_so_its_receipts_match()
    {
        var scripted = ScriptedOperator.Instance;
        var (grain, digest) = await OpenAsync(50m);
        var number = NewNumber();
        scripted.AcceptOnly(number, 1, SubmissionOutcome.PermanentRejection);
        scripted.Down("preferred");
        try
        {
            var messageId = (await SendAsync(grain, digest, number, parts: 2, networkId: FailoverNetwork)).MessageId;
            var record = await WaitForStatus(messageId, s => s == MessageStatus.Rejected, "rejected by the backup");
            Assert.Equal("backup", record.OperatorName);
            Assert.Single(record.OperatorPartIds);
            Assert.True(await scripted.SendReceiptOnce(new OperatorReceipt(record.OperatorPartIds[0], MessageStatus.Delivered, null, DateTimeOffset.UtcNow), "backup"));
        }
        finally
        {
            scripted.Up("preferred");
        }
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited 10 s for {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>The value of one series of one of the gateway's observable gauges (tags as "key=value,…"), or null.</summary>
    private static long? Gauge(string name, string tags)
    {
        var values = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == TaifaMetrics.MeterName && instrument.Name == name) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, measured, _) =>
            values[string.Join(",", measured.ToArray().Select(t => $"{t.Key}={t.Value}"))] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return values.TryGetValue(tags, out var found) ? found : null;
    }
}
