using Taifa.Domain.Operators;
using System.Diagnostics;
using Taifa.Operators.Client;
using Taifa.Operators.Simulator;
using Taifa.Smpp.Pdus;
using static Taifa.Operators.Tests.Harness;

namespace Taifa.Operators.Tests;

public class OperatorBindTests
{
    [Fact]
    public async Task A_transceiver_binds_and_a_submit_is_accepted_with_the_operators_id()
    {
        await using var harness = new Harness();
        var bind = await harness.BoundAsync();

        var outcome = await SubmitAsync(bind, Message("Jambo", to: "254711000001"));

        var accepted = Assert.IsType<SubmitOutcome.Accepted>(outcome);
        var submit = Assert.Single(harness.Simulator.Submits);
        Assert.Equal(submit.OperatorMessageId, accepted.OperatorMessageId);
        Assert.Equal("taifa", submit.SystemId);
        Assert.Equal("254711000001", submit.Destination.Address);
        Assert.Equal("TAIFA", submit.Source.Address);
        Assert.Equal("Jambo"u8.ToArray(), submit.ShortMessage.ToArray());
        Assert.Equal(DataCoding.SmscDefault, submit.DataCoding);
        Assert.Equal(OperatorBindState.Bound, bind.State);
        Assert.Equal(1, harness.Simulator.Counters.ActiveBinds);
    }

    [Fact]
    public async Task A_transmitter_and_receiver_pair_submits_on_one_and_gets_receipts_on_the_other()
    {
        await using var harness = new Harness();
        var bind = await harness.BoundAsync(o => o.Mode = OperatorBindMode.TransmitterAndReceiver);

        var accepted = Assert.IsType<SubmitOutcome.Accepted>(await SubmitAsync(bind));

        Assert.Equal(2, harness.Simulator.Counters.ActiveBinds);
        await EventuallyAsync(() => !harness.Received.IsEmpty, "the receipt on the receiver session");
        Assert.Equal(accepted.OperatorMessageId, Assert.Single(harness.Received).Receipt?.MessageId);
    }

    [Fact]
    public async Task A_receipt_reaches_the_handler_and_is_acknowledged()
    {
        await using var harness = new Harness();
        var bind = await harness.BoundAsync();

        var accepted = Assert.IsType<SubmitOutcome.Accepted>(await SubmitAsync(bind, Message("Receipt please")));

        await EventuallyAsync(() => harness.Simulator.Counters.ReceiptsAcknowledged == 1, "the receipt to be acknowledged");
        var received = Assert.Single(harness.Received);
        Assert.True(received.DeliverSm.IsDeliveryReceipt);
        Assert.NotNull(received.Receipt);
        Assert.Equal(accepted.OperatorMessageId, received.Receipt.MessageId);
        Assert.Equal(MessageState.Delivered, received.Receipt.State);
        Assert.Equal("Receipt please", received.Receipt.Text);
        Assert.Equal(1, harness.Simulator.Counters.ReceiptAttempts);
        Assert.Equal(0, harness.Simulator.Counters.ReceiptsPending);
    }

    [Fact]
    public async Task A_receipt_the_handler_could_not_take_is_delivered_again()
    {
        await using var harness = new Harness();
        var refusals = 2;
        harness.Accept = _ => Interlocked.Decrement(ref refusals) < 0;
        var bind = await harness.BoundAsync();

        var accepted = Assert.IsType<SubmitOutcome.Accepted>(await SubmitAsync(bind));

        await EventuallyAsync(() => harness.Simulator.Counters.ReceiptsAcknowledged == 1, "the receipt to be acknowledged after two refusals");
        Assert.Equal(3, harness.Simulator.Counters.ReceiptAttempts);
        Assert.All(harness.Received, r => Assert.Equal(accepted.OperatorMessageId, r.Receipt?.MessageId));
        Assert.Equal(3, harness.Received.Count);
    }

    [Fact]
    public async Task A_handler_that_throws_gets_the_receipt_again()
    {
        await using var harness = new Harness();
        var calls = 0;
        harness.Accept = _ => Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("store down") : true;
        var bind = await harness.BoundAsync();

        await SubmitAsync(bind);

        await EventuallyAsync(() => harness.Simulator.Counters.ReceiptsAcknowledged == 1, "the receipt to be acknowledged after the handler threw");
        Assert.Equal(2, harness.Simulator.Counters.ReceiptAttempts);
    }

    [Fact]
    public async Task A_receipt_waits_while_no_receiver_is_bound()
    {
        await using var harness = new Harness(o => o.ReceiptDelay = TimeSpan.FromMilliseconds(300));
        var first = await harness.BoundAsync();
        var accepted = Assert.IsType<SubmitOutcome.Accepted>(await SubmitAsync(first));
        await first.DisposeAsync();

        await Task.Delay(600);
        Assert.Equal(1, harness.Simulator.Counters.ReceiptsPending);
        Assert.Empty(harness.Received);

        await harness.BoundAsync();
        await EventuallyAsync(() => harness.Simulator.Counters.ReceiptsAcknowledged == 1, "the held receipt once a receiver bound");
        Assert.Equal(accepted.OperatorMessageId, Assert.Single(harness.Received).Receipt?.MessageId);
    }

    [Fact]
    public async Task No_more_submits_are_outstanding_than_the_window_allows()
    {
        await using var harness = new Harness();
        harness.Simulator.Behaviour = new SimulatorBehaviour { ResponseDelay = TimeSpan.FromMilliseconds(200) };
        var bind = await harness.BoundAsync(o => o.WindowSize = 3);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => SubmitAsync(bind)));

        Assert.All(outcomes, o => Assert.IsType<SubmitOutcome.Accepted>(o));
        Assert.Equal(12, outcomes.Select(o => ((SubmitOutcome.Accepted)o).OperatorMessageId).Distinct().Count());
        Assert.Equal(3, harness.Simulator.Counters.MaxOutstandingSubmits);
        Assert.Equal(0, bind.OutstandingSubmits);
    }

    [Fact]
    public async Task A_submit_that_cannot_be_encoded_is_unsendable_and_holds_no_window_slot()
    {
        await using var harness = new Harness();
        var bind = await harness.BoundAsync(o => o.WindowSize = 3);
        var tooLong = Message(new string('x', 300));

        // Far more than the window and the session's own room beyond it: none of them may leave a slot taken.
        var poison = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => SubmitAsync(bind, tooLong)));

        Assert.All(poison, o => Assert.Equal(CommandStatus.InvalidMessageLength, Assert.IsType<SubmitOutcome.Unsendable>(o).Status));
        Assert.Equal(0, harness.Simulator.Counters.SubmitsReceived);
        Assert.Equal(0, bind.OutstandingSubmits);
        var clock = Stopwatch.StartNew();
        var normal = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => SubmitAsync(bind)));
        Assert.All(normal, o => Assert.IsType<SubmitOutcome.Accepted>(o));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"normal submits after the unsendable ones took {clock.Elapsed}");
        Assert.Equal(OperatorBindState.Bound, bind.State);
    }

    [Fact]
    public async Task Submits_do_not_exceed_the_rate_limit()
    {
        await using var harness = new Harness();
        // 20/s holds a burst of 2: 22 submits need at least a second.
        var bind = await harness.BoundAsync(o => o.MaxSubmitsPerSecond = 20);
        var clock = Stopwatch.StartNew();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 22).Select(_ => SubmitAsync(bind)));

        Assert.All(outcomes, o => Assert.IsType<SubmitOutcome.Accepted>(o));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.95), $"22 submits at 20/s took only {clock.Elapsed}");
        var times = harness.Simulator.Submits.Select(s => s.ReceivedAt).Order().ToArray();
        var busiestSecond = times.Max(t => times.Count(u => u >= t && u < t.AddSeconds(1)));
        Assert.True(busiestSecond <= 22, $"{busiestSecond} submits arrived within one second");
    }

    [Fact]
    public async Task An_smsc_that_throttles_gives_a_throttled_outcome()
    {
        await using var harness = new Harness();
        var bind = await harness.BoundAsync();
        harness.Simulator.Behaviour = new SimulatorBehaviour { ThrottleShare = 1 };

        var outcome = await SubmitAsync(bind);

        Assert.Equal(new SubmitOutcome.Throttled(CommandStatus.Throttled), outcome);
        Assert.Empty(harness.Simulator.Submits);
    }

    [Fact]
    public async Task An_smsc_throttles_what_exceeds_its_rate()
    {
        await using var harness = new Harness();
        var bind = await harness.BoundAsync();
        harness.Simulator.Behaviour = new SimulatorBehaviour { ThrottleAbovePerSecond = 3 };

        var outcomes = new List<SubmitOutcome>();
        for (var i = 0; i < 6; i++)
        {
            outcomes.Add(await SubmitAsync(bind));
        }

        // The six may straddle a second boundary, which lets a few more through.
        Assert.InRange(outcomes.Count(o => o is SubmitOutcome.Throttled), 1, 3);
        Assert.Equal(6 - outcomes.Count(o => o is SubmitOutcome.Throttled), outcomes.Count(o => o is SubmitOutcome.Accepted));
    }

    [Fact]
    public async Task A_rejected_destination_is_a_permanent_rejection()
    {
        await using var harness = new Harness();
        var bind = await harness.BoundAsync();
        harness.Simulator.Behaviour = SimulatorBehaviour.RejectAll(CommandStatus.InvalidDestinationAddress);

        var outcome = await SubmitAsync(bind);

        Assert.Equal(new SubmitOutcome.PermanentRejection(CommandStatus.InvalidDestinationAddress), outcome);
        Assert.Equal(1, harness.Simulator.Counters.SubmitsRejected);
    }

    [Fact]
    public async Task A_system_error_is_a_temporary_failure()
    {
        await using var harness = new Harness();
        var bind = await harness.BoundAsync();
        harness.Simulator.Behaviour = new SimulatorBehaviour { SystemErrorShare = 1 };

        var outcome = await SubmitAsync(bind);

        Assert.Equal(CommandStatus.SystemError, Assert.IsType<SubmitOutcome.TemporaryFailure>(outcome).Status);
        Assert.Equal(1, harness.Simulator.Counters.SubmitsFailed);
    }

    [Fact]
    public async Task Enquire_link_keeps_the_link_checked()
    {
        await using var harness = new Harness();
        await harness.BoundAsync(o => o.EnquireLinkInterval = TimeSpan.FromMilliseconds(100));

        await EventuallyAsync(() => harness.Simulator.Counters.EnquireLinksReceived >= 3, "three enquire_link");
    }

    [Fact]
    public async Task After_the_smsc_drops_the_bind_it_reconnects_and_carries_on()
    {
        await using var harness = new Harness();
        var bind = await harness.BoundAsync();
        Assert.IsType<SubmitOutcome.Accepted>(await SubmitAsync(bind));

        harness.Simulator.DropAllBinds();
        await EventuallyAsync(() => harness.Simulator.Counters.BindsAccepted == 2 && bind.State == OperatorBindState.Bound, "a second bind");

        Assert.IsType<SubmitOutcome.Accepted>(await SubmitAsync(bind));
        Assert.Equal(2, harness.Simulator.Submits.Count);
    }

    [Fact]
    public async Task Submits_while_the_link_is_down_are_not_bound()
    {
        await using var harness = new Harness();
        var bind = harness.Bind(harness.Options());

        Assert.Same(SubmitOutcome.NotBound.Instance, await SubmitAsync(bind));
        Assert.Equal(OperatorBindState.Disconnected, bind.State);
    }

    [Fact]
    public async Task A_stalled_smsc_times_the_submit_out_and_the_bind_reconnects()
    {
        await using var harness = new Harness();
        var bind = await harness.BoundAsync(o => o.ResponseTimeout = TimeSpan.FromMilliseconds(500));
        harness.Simulator.Behaviour = new SimulatorBehaviour { Stall = true };

        var outcome = await SubmitAsync(bind);

        Assert.Null(Assert.IsType<SubmitOutcome.TemporaryFailure>(outcome).Status);
        await EventuallyAsync(() => bind.State != OperatorBindState.Bound, "the bind to drop the dead link");
        harness.Simulator.Behaviour = SimulatorBehaviour.Normal;
        await WaitBoundAsync(bind);
        Assert.IsType<SubmitOutcome.Accepted>(await SubmitAsync(bind));
    }

    [Fact]
    public async Task A_refused_bind_keeps_retrying_until_the_smsc_takes_it()
    {
        await using var harness = new Harness();
        harness.Simulator.Behaviour = new SimulatorBehaviour { RefuseBinds = true };
        var bind = harness.Bind(harness.Options());
        bind.Start();

        await EventuallyAsync(() => harness.Simulator.Counters.BindsRefused >= 2, "two refused binds");
        Assert.NotEqual(OperatorBindState.Bound, bind.State);
        Assert.Same(SubmitOutcome.NotBound.Instance, await SubmitAsync(bind));

        harness.Simulator.Behaviour = SimulatorBehaviour.Normal;
        await WaitBoundAsync(bind);
    }

    [Fact]
    public async Task A_wrong_password_is_refused()
    {
        await using var harness = new Harness(o =>
        {
            o.SystemId = "taifa";
            o.Password = "right";
        });
        var wrong = harness.Bind(harness.Options(o => o.Password = "wrong"));
        wrong.Start();

        await EventuallyAsync(() => harness.Simulator.Counters.BindsRefused >= 1, "the refusal");
        Assert.Equal(0, harness.Simulator.Counters.BindsAccepted);

        await harness.BoundAsync(o => o.Password = "right");
    }

    [Fact]
    public async Task Dispose_unbinds_and_closes()
    {
        await using var harness = new Harness();
        var bind = await harness.BoundAsync(o => o.Mode = OperatorBindMode.TransmitterAndReceiver);

        await bind.DisposeAsync();

        Assert.Equal(2, harness.Simulator.Counters.UnbindsReceived);
        Assert.Equal(OperatorBindState.Closed, bind.State);
        await EventuallyAsync(() => harness.Simulator.Counters.ActiveBinds == 0, "the simulator to see both sessions go");
        await Assert.ThrowsAsync<ObjectDisposedException>(() => bind.SubmitAsync(Message(), CancellationToken.None));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => bind.WaitUntilBoundAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Dispose_waits_for_outstanding_submits_before_unbinding()
    {
        await using var harness = new Harness();
        harness.Simulator.Behaviour = new SimulatorBehaviour { ResponseDelay = TimeSpan.FromMilliseconds(300) };
        var bind = await harness.BoundAsync();

        var submitting = SubmitAsync(bind);
        await EventuallyAsync(() => bind.OutstandingSubmits == 1, "the submit to be sent");
        await bind.DisposeAsync();

        Assert.IsType<SubmitOutcome.Accepted>(await submitting);
        Assert.Equal(1, harness.Simulator.Counters.UnbindsReceived);
    }

    [Fact]
    public async Task Submit_and_receipt_ids_follow_the_simulators_formats()
    {
        await using var harness = new Harness(o =>
        {
            o.FirstMessageId = 255;
            o.SubmitIdFormat = SimulatedIdFormat.Hex;
            o.ReceiptIdFormat = SimulatedIdFormat.Decimal;
            o.ReceiptIdWidth = 12;
        });
        var bind = await harness.BoundAsync();

        var first = await SubmitAsync(bind);
        var second = await SubmitAsync(bind);

        Assert.Equal(new SubmitOutcome.Accepted("FF"), first);
        Assert.Equal(new SubmitOutcome.Accepted("100"), second);
        await EventuallyAsync(() => harness.Received.Count == 2, "both receipts");
        Assert.Equal(["000000000255", "000000000256"], harness.Received.Select(r => r.Receipt!.MessageId).Order());
    }

    [Fact]
    public async Task Undelivered_receipts_follow_the_behaviour()
    {
        await using var harness = new Harness();
        harness.Simulator.Behaviour = new SimulatorBehaviour { UndeliveredShare = 1 };
        var bind = await harness.BoundAsync();

        await SubmitAsync(bind);

        await EventuallyAsync(() => !harness.Received.IsEmpty, "the receipt");
        var receipt = Assert.Single(harness.Received).Receipt!;
        Assert.Equal(MessageState.Undeliverable, receipt.State);
        Assert.True(receipt.IsFinal);
    }

    [Fact]
    public async Task No_receipt_is_sent_unless_registered_delivery_asks()
    {
        await using var harness = new Harness();
        var bind = await harness.BoundAsync();

        await SubmitAsync(bind, Message(registeredDelivery: RegisteredDelivery.None));
        await SubmitAsync(bind, Message(registeredDelivery: RegisteredDelivery.SmscReceiptOnFailure));

        await Task.Delay(300);
        Assert.Empty(harness.Received);
        Assert.Equal(0, harness.Simulator.Counters.ReceiptsPending);
    }

    [Fact]
    public void Invalid_options_are_refused_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => new OperatorBind(new OperatorBindOptions { SystemId = "x", WindowSize = 0 }, (_, _) => Task.FromResult(true)));

        Assert.Contains("WindowSize", error.Message, StringComparison.Ordinal);
    }
}
