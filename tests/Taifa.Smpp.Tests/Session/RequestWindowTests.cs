using Microsoft.Extensions.Time.Testing;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Session;

namespace Taifa.Smpp.Tests.Session;

public class RequestWindowTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task The_matching_response_completes_the_request()
    {
        using var window = new RequestWindow(10, _time);
        var submit = new SubmitSm { SequenceNumber = 7 };
        Assert.True(window.TryAdd(submit, Timeout, out var response));

        var resp = submit.CreateResponse();
        Assert.True(window.TryComplete(resp));

        Assert.Same(resp, await response.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, window.Count);
    }

    [Fact]
    public async Task A_generic_nack_with_the_sequence_number_completes_the_request()
    {
        using var window = new RequestWindow(10, _time);
        window.TryAdd(new SubmitSm { SequenceNumber = 7 }, Timeout, out var response);

        Assert.True(window.TryComplete(new GenericNack(CommandStatus.InvalidCommandLength, 7)));

        Assert.Equal(CommandStatus.InvalidCommandLength, (await response.WaitAsync(TimeSpan.FromSeconds(5))).CommandStatus);
    }

    [Fact]
    public void A_response_of_another_type_or_sequence_does_not_match()
    {
        using var window = new RequestWindow(10, _time);
        window.TryAdd(new SubmitSm { SequenceNumber = 7 }, Timeout, out var response);

        Assert.False(window.TryComplete(new QuerySmResp { SequenceNumber = 7 }));
        Assert.False(window.TryComplete(new SubmitSmResp { SequenceNumber = 8 }));

        Assert.False(response.IsCompleted);
        Assert.Equal(1, window.Count);
    }

    [Fact]
    public async Task An_unanswered_request_times_out_by_the_time_provider()
    {
        using var window = new RequestWindow(10, _time);
        window.TryAdd(new EnquireLink { SequenceNumber = 3 }, Timeout, out var response);

        _time.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(response.IsCompleted, "expired before its timeout");

        _time.Advance(TimeSpan.FromMilliseconds(1));
        var error = await Assert.ThrowsAsync<TimeoutException>(() => response.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("EnquireLinkResp for sequence 3", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, window.Count);
        Assert.False(window.TryComplete(new EnquireLinkResp { SequenceNumber = 3 }));
    }

    [Fact]
    public void A_full_window_or_a_sequence_number_already_waiting_is_refused()
    {
        using var window = new RequestWindow(2, _time);

        Assert.True(window.TryAdd(new EnquireLink { SequenceNumber = 1 }, Timeout, out _));
        Assert.False(window.TryAdd(new EnquireLink { SequenceNumber = 1 }, Timeout, out _));
        Assert.True(window.TryAdd(new EnquireLink { SequenceNumber = 2 }, Timeout, out _));
        Assert.False(window.TryAdd(new EnquireLink { SequenceNumber = 3 }, Timeout, out _));
    }

    [Fact]
    public async Task Closing_fails_every_outstanding_request_and_refuses_new_ones()
    {
        var window = new RequestWindow(10, _time);
        window.TryAdd(new SubmitSm { SequenceNumber = 1 }, Timeout, out var first);
        window.TryAdd(new SubmitSm { SequenceNumber = 2 }, Timeout, out var second);
        var reason = new IOException("connection reset");

        window.Close(reason);

        var error = await Assert.ThrowsAsync<SmppSessionClosedException>(() => first.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Same(reason, error.InnerException);
        await Assert.ThrowsAsync<SmppSessionClosedException>(() => second.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Throws<SmppSessionClosedException>(() => window.TryAdd(new SubmitSm { SequenceNumber = 3 }, Timeout, out _));
        _time.Advance(Timeout * 2);
    }

    [Fact]
    public async Task A_request_whose_response_could_not_be_decoded_can_be_failed()
    {
        using var window = new RequestWindow(10, _time);
        window.TryAdd(new SubmitSm { SequenceNumber = 4 }, Timeout, out var response);

        Assert.True(window.TryFail(4, new InvalidDataException("bad submit_sm_resp")));

        await Assert.ThrowsAsync<InvalidDataException>(() => response.WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
