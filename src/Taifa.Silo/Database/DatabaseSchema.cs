using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Taifa.Silo.Database;

/// <summary>
/// Applies the numbered SQL scripts under <c>infra/db/</c> (embedded as <c>Taifa.Db.NNNN_name.sql</c>) to a
/// PostgreSQL database, each at most once, in version order.
/// </summary>
/// <remarks>
/// The Orleans scripts are not re-runnable on their own (plain CREATE TABLE / INSERT), so idempotency comes
/// from <c>taifa_schema_version</c>: a script runs, in its own transaction together with its version row,
/// only if its version is not recorded. The whole run holds a session advisory lock so that silos starting
/// together apply each script once and the others wait, then find nothing to do.
/// </remarks>
public static partial class DatabaseSchema
{
    private const string ResourcePrefix = "Taifa.Db.";
    private const string ResourceSuffix = ".sql";

    // Arbitrary but fixed: every process that migrates this database must use the same key.
    private const long MigrationLockKey = 0x7461_6966_615F_6462; // "taifa_db"

    private static readonly TimeSpan ReachabilityTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The embedded scripts, in the order they are applied.</summary>
    public static IReadOnlyList<SchemaScript> Scripts { get; } = LoadScripts(typeof(DatabaseSchema).Assembly);

    /// <summary>Applies every script whose version is not yet recorded in <c>taifa_schema_version</c>.</summary>
    public static async Task ApplyAsync(string connectionString, ILogger logger, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(logger);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(
                connection,
                """
                CREATE TABLE IF NOT EXISTS taifa_schema_version
                (
                    version    integer     PRIMARY KEY,
                    name       text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                cancellationToken).ConfigureAwait(false);

            var applied = await ReadAppliedVersionsAsync(connection, cancellationToken).ConfigureAwait(false);
            var appliedNow = 0;
            foreach (var script in Scripts)
            {
                if (applied.Contains(script.Version))
                {
                    continue;
                }

                await ApplyScriptAsync(connection, script, cancellationToken).ConfigureAwait(false);
                LogScriptApplied(logger, script.Version, script.Name);
                appliedNow++;
            }

            LogSchemaCurrent(logger, Scripts.Count == 0 ? 0 : Scripts[^1].Version, appliedNow);
        }
        finally
        {
            // Closing the connection would release the lock too, but pooled connections are not closed.
            // A cancelled token must not stop the unlock.
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>True if the database answers <c>select 1</c> within a few seconds; for readiness probes.</summary>
    public static async Task<bool> IsReachableAsync(string connectionString, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Timeout = (int)ReachabilityTimeout.TotalSeconds,
            CommandTimeout = (int)ReachabilityTimeout.TotalSeconds,
        };

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReachabilityTimeout);
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(timeout.Token).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            return await command.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false) is 1;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
        {
            return false;
        }
    }

    private static async Task ApplyScriptAsync(NpgsqlConnection connection, SchemaScript script, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        await using (var command = new NpgsqlCommand(script.Sql, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var record = new NpgsqlCommand(
            "INSERT INTO taifa_schema_version (version, name, applied_at) VALUES ($1, $2, now())",
            connection,
            transaction))
        {
            record.Parameters.Add(new NpgsqlParameter { Value = script.Version });
            record.Parameters.Add(new NpgsqlParameter { Value = script.Name });
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<HashSet<int>> ReadAppliedVersionsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var versions = new HashSet<int>();
        await using var command = new NpgsqlCommand("SELECT version FROM taifa_schema_version", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static IReadOnlyList<SchemaScript> LoadScripts(Assembly assembly)
    {
        var scripts = new List<SchemaScript>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal)
                || !resource.EndsWith(ResourceSuffix, StringComparison.Ordinal))
            {
                continue;
            }

            var fileName = resource[ResourcePrefix.Length..^ResourceSuffix.Length];
            var separator = fileName.IndexOf('_', StringComparison.Ordinal);
            if (separator <= 0
                || !int.TryParse(fileName.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
                || version <= 0)
            {
                throw new InvalidOperationException(
                    $"Schema script '{fileName}{ResourceSuffix}' must be named NNNN_description.sql with a positive version number.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Embedded schema script '{resource}' could not be opened.");
            using var reader = new StreamReader(stream);
            scripts.Add(new SchemaScript(version, fileName[(separator + 1)..], reader.ReadToEnd()));
        }

        scripts.Sort((left, right) => left.Version.CompareTo(right.Version));
        for (var i = 1; i < scripts.Count; i++)
        {
            if (scripts[i].Version == scripts[i - 1].Version)
            {
                throw new InvalidOperationException(
                    $"Schema scripts '{scripts[i - 1].Name}' and '{scripts[i].Name}' share version {scripts[i].Version}.");
            }
        }

        return scripts;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Applied database schema script {Version} ({Name})")]
    private static partial void LogScriptApplied(ILogger logger, int version, string name);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Database schema is at version {Version}; {AppliedCount} script(s) applied by this run")]
    private static partial void LogSchemaCurrent(ILogger logger, int version, int appliedCount);
}

/// <summary>One numbered schema script: <c>NNNN_name.sql</c>.</summary>
public sealed record SchemaScript(int Version, string Name, string Sql);
