using Orleans.Storage;

namespace Taifa.Silo.Storage;

/// <summary>Options of one <see cref="BatchedPostgresGrainStorage"/> provider.</summary>
public sealed class BatchedPostgresGrainStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>Npgsql connection string of the database holding <c>taifa_grain_state</c>.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Most operations one round trip carries; more wait for the next batch.</summary>
    public int MaxBatchSize { get; set; } = 500;

    /// <summary>
    /// Connections this provider may hold. One batch is in flight at a time, so two are plenty (one in use,
    /// one being replaced after a broken connection); the provider overrides the connection string's pool size.
    /// </summary>
    public int MaxPoolSize { get; set; } = 2;

    /// <summary>Set from the silo's registered <see cref="IGrainStorageSerializer"/> unless configured.</summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;
}
