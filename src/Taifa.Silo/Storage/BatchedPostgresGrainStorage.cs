using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace Taifa.Silo.Storage;

/// <summary>
/// Grain storage on PostgreSQL (<c>taifa_grain_state</c>) that coalesces concurrent calls from many grains:
/// every read, write and clear is queued, and one flusher at a time sends everything queued (up to
/// <see cref="BatchedPostgresGrainStorageOptions.MaxBatchSize"/>) as one round trip and one transaction.
/// While a batch is in flight the next one fills (group commit); an idle provider sends an operation at once.
/// </summary>
/// <remarks>
/// The concurrency rules are the Orleans ADO.NET provider's: the ETag is the row version, a write must name
/// the version it read, and a write that finds another version (or a first write that finds a row) fails
/// with <see cref="InconsistentStateException"/> — that caller only, not its batch. No caller is answered
/// before its batch has committed; a batch that fails (connection lost) fails all its callers.
/// </remarks>
public sealed partial class BatchedPostgresGrainStorage : IGrainStorage, IAsyncDisposable
{
    private readonly string _name;
    private readonly string _serviceId;
    private readonly int _maxBatchSize;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activators;
    private readonly ILogger _logger;
    private readonly NpgsqlDataSource _dataSource;

    private readonly Lock _gate = new();
    private List<GrainStateOperation> _queued = [];
    private bool _flushing;

    private long _batches;
    private long _statements;
    private long _operations;

    public BatchedPostgresGrainStorage(
        string name,
        BatchedPostgresGrainStorageOptions options,
        string serviceId,
        IActivatorProvider activators,
        ILogger<BatchedPostgresGrainStorage> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPoolSize, 1);
        _name = name;
        _serviceId = serviceId;
        _maxBatchSize = options.MaxBatchSize;
        _serializer = options.GrainStorageSerializer ?? throw new ArgumentException("No grain storage serializer configured.", nameof(options));
        _activators = activators;
        _logger = logger;

        var connection = new NpgsqlConnectionStringBuilder(options.ConnectionString)
        {
            MaxPoolSize = options.MaxPoolSize,
            MinPoolSize = 0,
            // The same three statements run all day: let Npgsql prepare them on each connection.
            MaxAutoPrepare = 8,
            AutoPrepareMinUsages = 2,
        };
        _dataSource = NpgsqlDataSource.Create(connection);
    }

    /// <summary>Round trips (batches) sent so far, successful or not.</summary>
    internal long Batches => Interlocked.Read(ref _batches);

    /// <summary>SQL statements sent so far (at most three per batch).</summary>
    internal long Statements => Interlocked.Read(ref _statements);

    /// <summary>Operations carried by the batches sent so far.</summary>
    internal long Operations => Interlocked.Read(ref _operations);

    public static BatchedPostgresGrainStorage Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<BatchedPostgresGrainStorageOptions>>().Get(name);
        return new BatchedPostgresGrainStorage(
            name,
            options,
            services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
            services.GetRequiredService<IActivatorProvider>(),
            services.GetRequiredService<ILogger<BatchedPostgresGrainStorage>>());
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var stored = await Enqueue(new GrainStateOperation(GrainStateOperationKind.Read, Key(stateName, grainId), null, null)).ConfigureAwait(false);
        grainState.State = stored.Payload is { } payload ? _serializer.Deserialize<T>(new BinaryData(payload)) : NewState<T>();
        grainState.ETag = ETag(stored.Version);
        grainState.RecordExists = stored.Payload is not null;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var payload = _serializer.Serialize(grainState.State).ToArray();
        var stored = await Enqueue(Write(stateName, grainId, grainState.ETag, payload)).ConfigureAwait(false);
        grainState.ETag = ETag(stored.Version);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // The row stays, payload cleared, so that the version keeps counting and a stale activation still conflicts.
        var stored = await Enqueue(Write(stateName, grainId, grainState.ETag, payload: null)).ConfigureAwait(false);
        grainState.State = NewState<T>();
        grainState.ETag = ETag(stored.Version);
        grainState.RecordExists = false;
    }

    public async ValueTask DisposeAsync() => await _dataSource.DisposeAsync().ConfigureAwait(false);

    private static GrainStateKey Key(string stateName, GrainId grainId) =>
        new(grainId.Type.ToString()!, grainId.Key.ToString()!, stateName);

    private static GrainStateOperation Write(string stateName, GrainId grainId, string? etag, byte[]? payload)
    {
        if (string.IsNullOrEmpty(etag)) return new GrainStateOperation(GrainStateOperationKind.Insert, Key(stateName, grainId), null, payload);
        var version = int.Parse(etag, NumberStyles.None, CultureInfo.InvariantCulture);
        return new GrainStateOperation(GrainStateOperationKind.Update, Key(stateName, grainId), version, payload);
    }

    private static string? ETag(int? version) => version?.ToString(CultureInfo.InvariantCulture);

    private T NewState<T>() => _activators.GetActivator<T>().Create();

    private Task<StoredGrainState> Enqueue(GrainStateOperation operation)
    {
        lock (_gate)
        {
            _queued.Add(operation);
            if (_flushing) return operation.Completion;
            _flushing = true;
        }

        // Off the caller's (grain's) scheduler and without its execution context (request context, trace):
        // the flusher serves every grain, not the one that happened to wake it.
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(FlushAsync);
        }

        return operation.Completion;
    }

    private async Task FlushAsync()
    {
        while (TakeBatch() is { } batch)
        {
            await ExecuteAsync(batch).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Takes the queued operations, up to the batch size and one per key (a second operation on the same state
    /// waits for the next batch, in order); null and flushing ends when nothing is queued.
    /// </summary>
    private List<GrainStateOperation>? TakeBatch()
    {
        lock (_gate)
        {
            if (_queued.Count == 0)
            {
                _flushing = false;
                return null;
            }

            var batch = new List<GrainStateOperation>(Math.Min(_queued.Count, _maxBatchSize));
            var keys = new HashSet<GrainStateKey>();
            List<GrainStateOperation>? later = null;
            foreach (var operation in _queued)
            {
                if (batch.Count < _maxBatchSize && keys.Add(operation.Key)) batch.Add(operation);
                else (later ??= []).Add(operation);
            }

            _queued = later ?? [];
            return batch;
        }
    }

    private async Task ExecuteAsync(List<GrainStateOperation> batch)
    {
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _operations, batch.Count);
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
            var statements = await GrainStateStatements.ExecuteAsync(connection, _serviceId, batch, CancellationToken.None).ConfigureAwait(false);
            Interlocked.Add(ref _statements, statements);
        }
        catch (Exception exception)
        {
            LogBatchFailed(exception, _name, batch.Count);
            foreach (var operation in batch) operation.Fail(exception);
            return;
        }

        foreach (var operation in batch) operation.Complete(Conflict);
    }

    private InconsistentStateException Conflict(GrainStateOperation operation) =>
        new($"Version conflict ({operation.Kind}): ServiceId={_serviceId} ProviderName={_name} GrainType={operation.Key.GrainType} " +
            $"GrainKey={operation.Key.GrainKey} StateName={operation.Key.StateName} ETag={ETag(operation.ExpectedVersion)}.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain storage {Provider}: a batch of {Count} operation(s) failed; its callers see the error")]
    private partial void LogBatchFailed(Exception exception, string provider, int count);
}
