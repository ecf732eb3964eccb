using System.Collections.Concurrent;
using System.IO.Pipelines;
using Microsoft.Extensions.Time.Testing;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Session;

namespace Taifa.Smpp.Tests.Session;

/// <summary>The channel over in-memory pipes: the test plays the peer, writing frames in and reading what comes out.</summary>
public sealed class SmppChannelTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly Pipe _toChannel = new();
    private readonly Pipe _fromChannel;
    private readonly Recorder _handler = new();
    private readonly TimerWatch _time = new();
    private readonly SmppChannel _channel;
    private readonly SmppFrameReader _peerFrames = new();
    private Exception? _aborted;

    public SmppChannelTests()
        : this(new PipeOptions(), new SmppChannelOptions())
    {
    }

    private SmppChannelTests(PipeOptions output, SmppChannelOptions options)
    {
        _fromChannel = new Pipe(output);
        _channel = new SmppChannel(new Duplex(_toChannel.Reader, _fromChannel.Writer), AbortTransport, _handler, options, _time);
        _handler.Channel = _channel;
    }

    public void Dispose() => _channel.Dispose();

    /// <summary>As a closed socket does: neither direction carries anything more.</summary>
    private void AbortTransport(Exception? reason)
    {
        _aborted = reason ?? new IOException("aborted");
        _fromChannel.Reader.Complete();
        _toChannel.Writer.Complete();
    }

    [Fact]
    public async Task A_request_goes_to_the_handler_and_its_answer_to_the_peer()
    {
        var running = _channel.RunAsync();
        await PeerSendsAsync(new EnquireLink { SequenceNumber = 9 });

        var answer = await PeerReadsAsync();

        Assert.IsType<EnquireLinkResp>(answer);
        Assert.Equal(9u, answer.SequenceNumber);
        Assert.Equal(CommandId.EnquireLink, Assert.Single(_handler.Incoming).CommandId);
        await PeerClosesAsync(running);
    }

    [Fact]
    public async Task A_response_completes_the_request_it_answers_and_is_not_handed_to_the_handler()
    {
        var running = _channel.RunAsync();
        var request = _channel.RequestAsync(new SubmitSm(), Patience);
        var sent = Assert.IsType<SubmitSm>(await PeerReadsAsync());

        await PeerSendsAsync(new SubmitSmResp { SequenceNumber = sent.SequenceNumber, MessageId = "abc" });

        Assert.Equal("abc", Assert.IsType<SubmitSmResp>(await request.WaitAsync(Patience)).MessageId);
        Assert.Empty(_handler.Incoming);
        await PeerClosesAsync(running);
    }

    [Fact]
    public async Task A_response_nobody_waits_for_is_reported()
    {
        var running = _channel.RunAsync();
        await PeerSendsAsync(new SubmitSmResp { SequenceNumber = 77, MessageId = "late" });
        await PeerSendsAsync(new EnquireLink { SequenceNumber = 78 });
        await PeerReadsAsync();

        Assert.Equal(77u, Assert.Single(_handler.Unexpected).SequenceNumber);
        await PeerClosesAsync(running);
    }

    [Fact]
    public async Task An_unknown_command_id_is_answered_generic_nack_with_its_sequence_number_and_reading_goes_on()
    {
        var running = _channel.RunAsync();
        await PeerSendsRawAsync(Buffers.RawFrame(0x0000_0999, 41, []));
        await PeerSendsAsync(new EnquireLink { SequenceNumber = 42 });

        var nack = Assert.IsType<GenericNack>(await PeerReadsAsync());
        var answer = await PeerReadsAsync();

        Assert.Equal(CommandStatus.InvalidCommandId, nack.CommandStatus);
        Assert.Equal(41u, nack.SequenceNumber);
        Assert.Equal(42u, Assert.IsType<EnquireLinkResp>(answer).SequenceNumber);
        Assert.Single(_handler.DecodeErrors);
        await PeerClosesAsync(running);
    }

    [Fact]
    public async Task A_command_length_below_the_header_is_answered_generic_nack_and_ends_the_session()
    {
        var running = _channel.RunAsync();
        await PeerSendsRawAsync(Buffers.Hex("0000000A 00000004 00000000 00000005"));

        var nack = Assert.IsType<GenericNack>(await PeerReadsAsync());
        await running.WaitAsync(Patience);

        Assert.Equal(CommandStatus.InvalidCommandLength, nack.CommandStatus);
        Assert.True(Assert.Single(_handler.DecodeErrors).IsFatal);
        Assert.True(await PeerSeesEndAsync());
    }

    [Fact]
    public async Task An_undecodable_answer_fails_its_request_and_is_not_answered()
    {
        var running = _channel.RunAsync();
        var request = _channel.RequestAsync(new SubmitSm(), Patience);
        var sent = await PeerReadsAsync();

        // submit_sm_resp whose message_id has no terminating NUL.
        await PeerSendsRawAsync(Buffers.RawFrame((uint)CommandId.SubmitSmResp, sent.SequenceNumber, "abc"u8.ToArray()));

        await Assert.ThrowsAsync<InvalidDataException>(() => request.WaitAsync(Patience));
        await PeerSendsAsync(new EnquireLink { SequenceNumber = 500 });
        Assert.IsType<EnquireLinkResp>(await PeerReadsAsync());
        await PeerClosesAsync(running);
    }

    [Fact]
    public async Task A_handler_that_stops_reading_still_gets_its_answer_written_before_the_end()
    {
        _handler.StopOn = CommandId.Unbind;
        var running = _channel.RunAsync();
        await PeerSendsAsync(new Unbind { SequenceNumber = 3 });

        Assert.IsType<UnbindResp>(await PeerReadsAsync());
        await running.WaitAsync(Patience);
        Assert.True(await PeerSeesEndAsync());
        Assert.True(_handler.ReadingEnded);
    }

    [Fact]
    public async Task Close_writes_what_is_queued_then_ends_and_fails_what_waits()
    {
        var running = _channel.RunAsync();
        var request = _channel.RequestAsync(new EnquireLink(), Patience);

        _channel.Close();

        Assert.IsType<EnquireLink>(await PeerReadsAsync());
        await running.WaitAsync(Patience);
        await Assert.ThrowsAsync<SmppSessionClosedException>(() => request.WaitAsync(Patience));
        Assert.False(_channel.Send(new EnquireLink()));
        Assert.Throws<SmppSessionClosedException>(() => _channel.TrySendRequest(new EnquireLink(), Patience, out _));
        Assert.True(_channel.Closed.IsCancellationRequested);
        Assert.Null(_aborted);
    }

    [Fact]
    public async Task A_request_that_cannot_be_encoded_fails_with_the_encoding_error_and_nothing_is_written()
    {
        var running = _channel.RunAsync();
        var unwritable = _channel.RequestAsync(new SubmitSm { ShortMessage = new byte[300] }, Patience);
        await Assert.ThrowsAsync<ArgumentException>(() => unwritable.WaitAsync(Patience));

        var next = _channel.RequestAsync(new EnquireLink(), Patience);
        var written = await PeerReadsAsync();

        Assert.IsType<EnquireLink>(written);
        Assert.Single(_handler.Unwritable);
        Assert.Equal(1, _channel.Window.Count);
        await PeerSendsAsync(((EnquireLink)written).CreateResponse());
        await next.WaitAsync(Patience);
        await PeerClosesAsync(running);
    }

    [Fact]
    public async Task A_peer_that_does_not_read_its_answers_is_read_no_more_and_aborted_after_the_stall_timeout()
    {
        using var test = new SmppChannelTests(
            new PipeOptions(pauseWriterThreshold: 1, resumeWriterThreshold: 1),
            new SmppChannelOptions { MaxQueuedOutbound = 4, WriteStallTimeout = TimeSpan.FromSeconds(5) });
        var running = test._channel.RunAsync();

        // The first answer is written and never taken: the writer's flush waits from then on.
        await test.PeerSendsAsync(new EnquireLink { SequenceNumber = 1 });
        var unread = await test._fromChannel.Reader.ReadAsync();
        test._fromChannel.Reader.AdvanceTo(unread.Buffer.Start);
        for (uint sequence = 2; sequence <= 40; sequence++) await test.PeerSendsAsync(new EnquireLink { SequenceNumber = sequence });

        // Four answers queue behind it; then the channel stops taking requests and waits for room.
        await test._time.TimerCreated.Task.WaitAsync(Patience);
        Assert.Equal(5, test._handler.Incoming.Count);
        test._time.Advance(TimeSpan.FromSeconds(4));
        Assert.Null(test._aborted);
        test._time.Advance(TimeSpan.FromSeconds(1));

        await running.WaitAsync(Patience);
        Assert.NotNull(test._aborted);
        Assert.True(test._handler.PeerNotReading);
        Assert.Equal(5, test._handler.Incoming.Count);
    }

    [Fact]
    public async Task Keep_alive_that_goes_unanswered_aborts_the_link()
    {
        var running = _channel.RunAsync();
        var keepAlive = _channel.KeepAliveAsync(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10));

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.IsType<EnquireLink>(await PeerReadsAsync());
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(keepAlive.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(await keepAlive.WaitAsync(Patience));
        Assert.IsType<TimeoutException>(_aborted);
        await running.WaitAsync(Patience);
    }

    private async Task PeerSendsAsync(Pdu pdu) => await PeerSendsRawAsync(SmppPduWriter.ToArray(pdu));

    private async Task PeerSendsRawAsync(byte[] frame) => await _toChannel.Writer.WriteAsync(frame);

    private async Task<Pdu> PeerReadsAsync()
    {
        using var cancel = new CancellationTokenSource(Patience);
        while (true)
        {
            var result = await _fromChannel.Reader.ReadAsync(cancel.Token);
            var buffer = result.Buffer;
            if (_peerFrames.TryRead(ref buffer, out var pdu, out var error))
            {
                _fromChannel.Reader.AdvanceTo(buffer.Start);
                Assert.Null(error);
                return pdu!;
            }

            _fromChannel.Reader.AdvanceTo(buffer.Start, buffer.End);
            Assert.False(result.IsCompleted, "the channel ended its output while a PDU was expected");
        }
    }

    private async Task<bool> PeerSeesEndAsync()
    {
        using var cancel = new CancellationTokenSource(Patience);
        var result = await _fromChannel.Reader.ReadAsync(cancel.Token);
        return result.IsCompleted && result.Buffer.IsEmpty;
    }

    private async Task PeerClosesAsync(Task running)
    {
        await _toChannel.Writer.CompleteAsync();
        await running.WaitAsync(Patience);
        Assert.True(await PeerSeesEndAsync());
    }

    private sealed record Duplex(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    private sealed class Recorder : ISmppChannelHandler
    {
        public ConcurrentQueue<Pdu> Incoming { get; } = new();

        public ConcurrentQueue<SmppDecodeError> DecodeErrors { get; } = new();

        public ConcurrentQueue<SmppResponse> Unexpected { get; } = new();

        public ConcurrentQueue<Pdu> Unwritable { get; } = new();

        public CommandId? StopOn { get; set; }

        public bool PeerNotReading { get; private set; }

        public bool ReadingEnded { get; private set; }

        public SmppChannel? Channel { get; set; }

        public ValueTask<bool> OnIncomingAsync(Pdu pdu)
        {
            Incoming.Enqueue(pdu);
            if (pdu is SmppRequest request) Reply(request);
            return ValueTask.FromResult(pdu.CommandId == StopOn);
        }

        public void OnDecodeError(SmppDecodeError error) => DecodeErrors.Enqueue(error);

        public void OnUnexpectedResponse(SmppResponse response) => Unexpected.Enqueue(response);

        public void OnUnwritable(Pdu pdu, ArgumentException error) => Unwritable.Enqueue(pdu);

        public void OnPeerNotReading() => PeerNotReading = true;

        public ValueTask OnReadingEndedAsync()
        {
            ReadingEnded = true;
            return ValueTask.CompletedTask;
        }

        private void Reply(SmppRequest request) => Channel!.Send(request.CreateResponse());
    }

    /// <summary>Fake time that says when a timer is first made: here, only the channel's wait for room makes one.</summary>
    private sealed class TimerWatch : FakeTimeProvider
    {
        public TaskCompletionSource TimerCreated { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            TimerCreated.TrySetResult();
            return timer;
        }
    }
}
