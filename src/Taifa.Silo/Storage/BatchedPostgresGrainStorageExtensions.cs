using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Taifa.Silo.Storage;

public static class BatchedPostgresGrainStorageExtensions
{
    /// <summary>
    /// Registers a named <see cref="BatchedPostgresGrainStorage"/>, the way Orleans registers its own grain
    /// storages: a keyed <see cref="IGrainStorage"/> singleton, with the silo's <see cref="IGrainStorageSerializer"/>
    /// unless the options name one.
    /// </summary>
    public static ISiloBuilder AddBatchedPostgresGrainStorage(this ISiloBuilder builder, string name, Action<BatchedPostgresGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);

        builder.Services.AddOptions<BatchedPostgresGrainStorageOptions>(name)
            .Configure(configure)
            .Validate(o => !string.IsNullOrWhiteSpace(o.ConnectionString), $"Grain storage '{name}' needs a connection string.")
            .Validate(o => o.MaxBatchSize >= 1 && o.MaxPoolSize >= 1, $"Grain storage '{name}': MaxBatchSize and MaxPoolSize must be at least 1.");
        builder.Services.TryAddEnumerable(ServiceDescriptor.Transient<
            IPostConfigureOptions<BatchedPostgresGrainStorageOptions>,
            DefaultStorageProviderSerializerOptionsConfigurator<BatchedPostgresGrainStorageOptions>>());
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, (services, key) => BatchedPostgresGrainStorage.Create(services, (string)key!));
        return builder;
    }
}
