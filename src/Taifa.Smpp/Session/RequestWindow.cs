using Taifa.Smpp.Pdus;

namespace Taifa.Smpp.Session;

/// <summary>
/// The requests a session has sent and not yet seen answered, keyed by sequence number. Each waits at most its
/// timeout (measured by the given <see cref="TimeProvider"/>); closing the window fails whatever is still waiting.
/// Thread-safe.
/// </summary>
public sealed class RequestWindow : IDisposable
{
    private readonly Dictionary<uint, Pending> _pending = [];
    private readonly TimeProvider _timeProvider;
    private Exception? _closedBecause;
    private TaskCompletionSource? _empty;

    /// <param name="capacity">How many requests may be outstanding at once.</param>
    public RequestWindow(int capacity, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _timeProvider = timeProvider;
    }

    public int Capacity { get; }

    public int Count
    {
        get
        {
            lock (_pending)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Completes when no request is outstanding: at once if none is now.</summary>
    public Task WhenEmpty()
    {
        lock (_pending)
        {
            return _pending.Count == 0 ? Task.CompletedTask : (_empty ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    /// <summary>
    /// Starts waiting for the answer to <paramref name="request"/>, which must already carry its sequence number.
    /// The task completes with the matching response or a generic_nack (check its command_status), or fails with
    /// <see cref="TimeoutException"/> or <see cref="SmppSessionClosedException"/>.
    /// </summary>
    /// <returns>False when the window is full or the sequence number is already waiting.</returns>
    /// <exception cref="SmppSessionClosedException">The window was closed.</exception>
    public bool TryAdd(SmppRequest request, TimeSpan timeout, out Task<SmppResponse> response)
    {
        var pending = new Pending(request);
        response = pending.Completion.Task;
        lock (_pending)
        {
            if (_closedBecause is not null)
            {
                throw new SmppSessionClosedException("The session is closed.", _closedBecause);
            }

            if (_pending.Count >= Capacity || !_pending.TryAdd(request.SequenceNumber, pending))
            {
                return false;
            }

            pending.Timer = _timeProvider.CreateTimer(static state => ((Expiry)state!).Fire(), new Expiry(this, pending, timeout), timeout, Timeout.InfiniteTimeSpan);
        }

        return true;
    }

    /// <summary>Hands <paramref name="response"/> to the request with its sequence number.</summary>
    /// <returns>False when nothing waits for that sequence number, or the waiting request expects another response.</returns>
    public bool TryComplete(SmppResponse response)
    {
        var pending = Remove(response.SequenceNumber, p =>
            response.CommandId == p.Request.ResponseCommandId || response.CommandId == CommandId.GenericNack);
        return pending?.Completion.TrySetResult(response) ?? false;
    }

    /// <summary>Fails the request with this sequence number, e.g. when its response could not be decoded.</summary>
    public bool TryFail(uint sequenceNumber, Exception error) =>
        Remove(sequenceNumber, static _ => true)?.Completion.TrySetException(error) ?? false;

    /// <summary>Fails every outstanding request and refuses new ones.</summary>
    public void Close(Exception? reason = null)
    {
        List<Pending> outstanding;
        TaskCompletionSource? empty;
        lock (_pending)
        {
            _closedBecause ??= reason ?? new SmppSessionClosedException("The session closed.");
            outstanding = [.. _pending.Values];
            _pending.Clear();
            empty = TakeEmptySignal();
        }

        empty?.TrySetResult();

        foreach (var pending in outstanding)
        {
            pending.Timer?.Dispose();
            pending.Completion.TrySetException(new SmppSessionClosedException(
                $"The session closed before the {pending.Request.ResponseCommandId} for sequence {pending.Request.SequenceNumber} arrived.", _closedBecause));
        }
    }

    public void Dispose() => Close();

    private Pending? Remove(uint sequenceNumber, Func<Pending, bool> matches)
    {
        Pending? pending;
        TaskCompletionSource? empty;
        lock (_pending)
        {
            if (!_pending.TryGetValue(sequenceNumber, out pending) || !matches(pending))
            {
                return null;
            }

            _pending.Remove(sequenceNumber);
            empty = _pending.Count == 0 ? TakeEmptySignal() : null;
        }

        pending.Timer?.Dispose();
        empty?.TrySetResult();
        return pending;
    }

    private TaskCompletionSource? TakeEmptySignal()
    {
        var empty = _empty;
        _empty = null;
        return empty;
    }

    private sealed class Pending(SmppRequest request)
    {
        public SmppRequest Request { get; } = request;

        public TaskCompletionSource<SmppResponse> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ITimer? Timer { get; set; }
    }

    private sealed class Expiry(RequestWindow window, Pending pending, TimeSpan timeout)
    {
        public void Fire()
        {
            var expired = window.Remove(pending.Request.SequenceNumber, p => ReferenceEquals(p, pending));
            expired?.Completion.TrySetException(new TimeoutException(
                $"No {pending.Request.ResponseCommandId} for sequence {pending.Request.SequenceNumber} within {timeout}."));
        }
    }
}

/// <summary>The session ended while a request was still waiting for its response.</summary>
public sealed class SmppSessionClosedException : Exception
{
    public SmppSessionClosedException()
    {
    }

    public SmppSessionClosedException(string message)
        : base(message)
    {
    }

    public SmppSessionClosedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
