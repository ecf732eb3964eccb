namespace Taifa.Silo.Storage;

/// <summary>Identifies one grain state row within a service.</summary>
internal readonly record struct GrainStateKey(string GrainType, string GrainKey, string StateName);

internal enum GrainStateOperationKind
{
    /// <summary>Load the row, if any.</summary>
    Read,

    /// <summary>First write (no ETag yet): insert version 1, or conflict if the row exists.</summary>
    Insert,

    /// <summary>Write over the version the caller read: version + 1, or conflict if it moved on.</summary>
    Update,
}

/// <summary>
/// One caller's queued read or write. The flusher records the outcome while the batch runs and completes the
/// caller only after the batch's transaction has committed (or fails it if the batch failed).
/// </summary>
internal sealed class GrainStateOperation(GrainStateOperationKind kind, GrainStateKey key, int? expectedVersion, byte[]? payload)
{
    private readonly TaskCompletionSource<StoredGrainState> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public GrainStateOperationKind Kind => kind;
    public GrainStateKey Key => key;

    /// <summary>The version an update expects to find; null for reads and inserts.</summary>
    public int? ExpectedVersion => expectedVersion;

    /// <summary>What a write stores; null for reads and for clears (a cleared state keeps its row).</summary>
    public byte[]? Payload => payload;

    /// <summary>The row after the operation: for a read what was found (default when none), for a write the new version.</summary>
    public StoredGrainState Outcome { get; set; }

    /// <summary>Set when a write found another version than it expected.</summary>
    public bool Conflicted { get; set; }

    public Task<StoredGrainState> Completion => _completion.Task;

    public void Complete(Func<GrainStateOperation, Exception> conflict)
    {
        if (Conflicted) _completion.TrySetException(conflict(this));
        else _completion.TrySetResult(Outcome);
    }

    public void Fail(Exception exception) => _completion.TrySetException(exception);
}

/// <summary>A grain state row as stored: no version means no row; no payload means none or cleared.</summary>
internal readonly record struct StoredGrainState(int? Version, byte[]? Payload);
