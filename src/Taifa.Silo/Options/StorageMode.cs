using Taifa.Silo.Hosting;

namespace Taifa.Silo.Options;

/// <summary>
/// Embedded (in-memory, localhost clustering) or PostgreSQL, decided once from ConnectionStrings:Taifa while the
/// host is built (<see cref="Of"/>) and handed to everything that differs between the two, also as a singleton.
/// </summary>
public sealed class StorageMode
{
    private StorageMode(string? connectionString) => ConnectionString = connectionString;

    /// <summary>The PostgreSQL connection string with our pool and timeout defaults; null in embedded mode.</summary>
    public string? ConnectionString { get; }

    public bool IsPostgres => ConnectionString is not null;

    /// <summary>The host's one decision, made on first use and kept in the builder's properties.</summary>
    public static StorageMode Of(IHostApplicationBuilder builder)
    {
        if (builder.Properties.TryGetValue(typeof(StorageMode), out var decided)) return (StorageMode)decided;
        var mode = new StorageMode(builder.Configuration.ProductionConnectionString());
        builder.Properties[typeof(StorageMode)] = mode;
        builder.Services.AddSingleton(mode);
        return mode;
    }
}
