using Npgsql;
using NpgsqlTypes;

namespace Taifa.Silo.Storage;

/// <summary>
/// Runs one batch of grain state operations as a single <see cref="NpgsqlBatch"/>: at most one statement per
/// kind (read, insert, update), each taking its rows as arrays. A batch without an explicit transaction is one
/// implicit transaction in PostgreSQL (it ends at the single Sync), so all its writes commit or none do.
/// </summary>
internal static class GrainStateStatements
{
    private const string ReadSql =
        """
        SELECT k.ordinal, s.version, s.payload
        FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS k(grain_type, grain_key, state_name, ordinal)
        JOIN taifa_grain_state AS s
            ON s.service_id = $1 AND s.grain_type = k.grain_type AND s.grain_key = k.grain_key AND s.state_name = k.state_name
        """;

    private const string InsertSql =
        """
        INSERT INTO taifa_grain_state (service_id, grain_type, grain_key, state_name, version, payload, modified)
        SELECT $1, k.grain_type, k.grain_key, k.state_name, 1, k.payload, now()
        FROM unnest($2::text[], $3::text[], $4::text[], $5::bytea[]) AS k(grain_type, grain_key, state_name, payload)
        ON CONFLICT DO NOTHING
        RETURNING grain_type, grain_key, state_name
        """;

    private const string UpdateSql =
        """
        UPDATE taifa_grain_state AS s
        SET payload = k.payload, version = s.version + 1, modified = now()
        FROM unnest($2::text[], $3::text[], $4::text[], $5::integer[], $6::bytea[])
            WITH ORDINALITY AS k(grain_type, grain_key, state_name, version, payload, ordinal)
        WHERE s.service_id = $1 AND s.grain_type = k.grain_type AND s.grain_key = k.grain_key
            AND s.state_name = k.state_name AND s.version = k.version
        RETURNING k.ordinal, s.version
        """;

    /// <summary>
    /// Executes the batch and records each operation's outcome; returns the number of statements sent.
    /// Keys must be distinct within the batch. Throws if the round trip or the commit fails.
    /// </summary>
    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, string serviceId, IReadOnlyList<GrainStateOperation> batch, CancellationToken cancellationToken)
    {
        var reads = batch.Where(o => o.Kind == GrainStateOperationKind.Read).ToList();
        var inserts = batch.Where(o => o.Kind == GrainStateOperationKind.Insert).ToList();
        var updates = batch.Where(o => o.Kind == GrainStateOperationKind.Update).ToList();

        await using var command = new NpgsqlBatch(connection);
        if (reads.Count > 0) command.BatchCommands.Add(Statement(ReadSql, serviceId, reads, versions: false, payloads: false));
        if (inserts.Count > 0) command.BatchCommands.Add(Statement(InsertSql, serviceId, inserts, versions: false, payloads: true));
        if (updates.Count > 0) command.BatchCommands.Add(Statement(UpdateSql, serviceId, updates, versions: true, payloads: true));

        // Writes that find nothing to change are conflicts; rows returned below clear the flag.
        foreach (var write in inserts.Concat(updates)) write.Conflicted = true;

        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            var first = true;
            if (reads.Count > 0)
            {
                first = false;
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var read = reads[checked((int)reader.GetInt64(0)) - 1];
                    read.Outcome = new StoredGrainState(reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<byte[]>(2));
                }
            }

            if (inserts.Count > 0)
            {
                if (!first) await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                first = false;
                var byKey = inserts.ToDictionary(o => o.Key);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var insert = byKey[new GrainStateKey(reader.GetString(0), reader.GetString(1), reader.GetString(2))];
                    insert.Outcome = new StoredGrainState(1, insert.Payload);
                    insert.Conflicted = false;
                }
            }

            if (updates.Count > 0)
            {
                if (!first) await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var update = updates[checked((int)reader.GetInt64(0)) - 1];
                    update.Outcome = new StoredGrainState(reader.GetInt32(1), update.Payload);
                    update.Conflicted = false;
                }
            }

            // Reading on to the end consumes ReadyForQuery, which PostgreSQL sends only after the commit.
            while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
            {
            }
        }

        return command.BatchCommands.Count;
    }

    private static NpgsqlBatchCommand Statement(string sql, string serviceId, List<GrainStateOperation> operations, bool versions, bool payloads)
    {
        var statement = new NpgsqlBatchCommand(sql);
        statement.Parameters.Add(new NpgsqlParameter<string> { TypedValue = serviceId });
        statement.Parameters.Add(TextArray(operations.Select(o => o.Key.GrainType)));
        statement.Parameters.Add(TextArray(operations.Select(o => o.Key.GrainKey)));
        statement.Parameters.Add(TextArray(operations.Select(o => o.Key.StateName)));
        if (versions)
        {
            statement.Parameters.Add(new NpgsqlParameter<int[]>
            {
                NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer,
                TypedValue = operations.Select(o => o.ExpectedVersion.GetValueOrDefault()).ToArray(),
            });
        }

        if (payloads)
        {
            statement.Parameters.Add(new NpgsqlParameter<byte[]?[]>
            {
                NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea,
                TypedValue = operations.Select(o => o.Payload).ToArray(),
            });
        }

        return statement;
    }

    private static NpgsqlParameter<string[]> TextArray(IEnumerable<string> values) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = values.ToArray() };
}
