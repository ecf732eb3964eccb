using Npgsql;
using NpgsqlTypes;
using Taifa.Abstractions.Inbound;
using Taifa.Grains.Inbound;

namespace Taifa.Silo.Database.Inbound;

/// <summary>The inbound store in PostgreSQL (infra/db/0300_taifa_inbound.sql).</summary>
public sealed class NpgsqlInboundStore(string connectionString) : IInboundStore, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

    public async Task<InboundNumberClaim> AddNumber(InboundNumber number, DateTimeOffset now)
    {
        await using var command = _dataSource.CreateCommand("""
            WITH added AS (
                INSERT INTO taifa_inbound_numbers (number, keyword, account_id, created_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (number, keyword) DO NOTHING RETURNING account_id)
            SELECT account_id, true FROM added
            UNION ALL
            SELECT account_id, false FROM taifa_inbound_numbers WHERE number = $1 AND keyword = $2 AND NOT EXISTS (SELECT 1 FROM added)
            """);
        command.Parameters.Add(new() { Value = number.Number });
        command.Parameters.Add(new() { Value = number.Keyword ?? "" });
        command.Parameters.Add(new() { Value = number.AccountId });
        command.Parameters.Add(new() { Value = now });
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return InboundNumberClaim.Conflict;
        if (reader.GetBoolean(1)) return InboundNumberClaim.Added;
        return reader.GetInt64(0) == number.AccountId ? InboundNumberClaim.AlreadyHeld : InboundNumberClaim.Conflict;
    }

    public async Task<bool> RemoveNumber(InboundNumber number)
    {
        await using var command = _dataSource.CreateCommand("DELETE FROM taifa_inbound_numbers WHERE number = $1 AND keyword = $2 AND account_id = $3");
        command.Parameters.Add(new() { Value = number.Number });
        command.Parameters.Add(new() { Value = number.Keyword ?? "" });
        command.Parameters.Add(new() { Value = number.AccountId });
        return await command.ExecuteNonQueryAsync() > 0;
    }

    public async Task<InboundAcceptance> Accept(InboundPdu pdu, TimeSpan redeliveryWindow)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        // One at a time per message: the redelivery check and the "every part in?" count must see each other's rows.
        await Execute(connection, transaction, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", pdu.GroupKey ?? pdu.DedupeKey);
        var duplicate = await Scalar(connection, transaction,
            "SELECT EXISTS (SELECT 1 FROM taifa_inbound_pdus WHERE dedupe_key = $1 AND received_at > $2)",
            pdu.DedupeKey, pdu.ReceivedAt - redeliveryWindow);
        if (duplicate is true)
        {
            await transaction.CommitAsync();
            return new InboundAcceptance(InboundAcceptOutcome.Duplicate);
        }

        await Execute(connection, transaction,
            "INSERT INTO taifa_inbound_pdus (dedupe_key, group_key, part, text, received_at, inbound_id) VALUES ($1, $2, $3, $4, $5, $6)",
            pdu.DedupeKey, (object?)pdu.GroupKey ?? DBNull.Value, pdu.Segment?.Part ?? 0, pdu.Text, pdu.ReceivedAt,
            pdu.GroupKey is null ? pdu.InboundId : DBNull.Value);

        var text = pdu.Text;
        if (pdu.GroupKey is { } group)
        {
            var parts = new Dictionary<int, string>();
            await using (var command = new NpgsqlCommand("SELECT part, text FROM taifa_inbound_pdus WHERE group_key = $1 AND inbound_id IS NULL ORDER BY pdu_id", connection, transaction))
            {
                command.Parameters.Add(new() { Value = group });
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync()) parts.TryAdd(reader.GetInt32(0), reader.GetString(1));
            }

            if (parts.Count < pdu.Segment!.Total)
            {
                await transaction.CommitAsync();
                return new InboundAcceptance(InboundAcceptOutcome.PartStored);
            }

            text = InboundRouting.Join(parts.Select(p => (p.Key, p.Value)));
            await Execute(connection, transaction, "UPDATE taifa_inbound_pdus SET inbound_id = $2 WHERE group_key = $1 AND inbound_id IS NULL", group, pdu.InboundId);
        }

        var holders = new List<InboundNumber>();
        await using (var command = new NpgsqlCommand("SELECT account_id, keyword FROM taifa_inbound_numbers WHERE number = $1 ORDER BY keyword", connection, transaction))
        {
            command.Parameters.Add(new() { Value = pdu.To });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) holders.Add(new InboundNumber(reader.GetInt64(0), pdu.To, reader.GetString(1) is { Length: > 0 } k ? k : null));
        }

        var route = InboundRouting.Route(text, holders);
        var message = new InboundMessage(pdu.InboundId, route.AccountId, pdu.Operator, pdu.From, pdu.To, route.Keyword, text, pdu.NetworkId, route.OptOut, pdu.ReceivedAt);
        await Execute(connection, transaction, """
            INSERT INTO taifa_inbound_messages (inbound_id, account_id, operator, from_number, to_number, keyword, text, network_id, opt_out, received_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """,
            message.InboundId, (object?)message.AccountId ?? DBNull.Value, message.Operator, message.From, message.To,
            (object?)message.Keyword ?? DBNull.Value, message.Text, message.NetworkId, message.OptOut, message.ReceivedAt);
        foreach (var (kind, accountId) in route.Work())
        {
            await Execute(connection, transaction,
                "INSERT INTO taifa_inbound_work (inbound_id, account_id, kind, next_attempt_at) VALUES ($1, $2, $3, $4)",
                message.InboundId, accountId, (short)kind, message.ReceivedAt);
        }

        await transaction.CommitAsync();
        return new InboundAcceptance(InboundAcceptOutcome.Stored, message);
    }

    public async Task<IReadOnlyList<InboundMessage>> List(long accountId, int limit, long? before)
    {
        await using var command = _dataSource.CreateCommand($"""
            SELECT {MessageColumns} FROM taifa_inbound_messages m
            WHERE account_id = $1 AND ($2::bigint IS NULL OR inbound_id < $2) ORDER BY inbound_id DESC LIMIT $3
            """);
        command.Parameters.Add(new() { Value = accountId });
        command.Parameters.Add(new() { Value = (object?)before ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new() { Value = limit });
        var messages = new List<InboundMessage>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) messages.Add(ReadMessage(reader, 0));
        return messages;
    }

    public async Task SetWebhook(long accountId, string? url)
    {
        await using var command = _dataSource.CreateCommand(url is null
            ? "DELETE FROM taifa_inbound_webhooks WHERE account_id = $1"
            : "INSERT INTO taifa_inbound_webhooks (account_id, url) VALUES ($1, $2) ON CONFLICT (account_id) DO UPDATE SET url = EXCLUDED.url");
        command.Parameters.Add(new() { Value = accountId });
        if (url is not null) command.Parameters.Add(new() { Value = url });
        await command.ExecuteNonQueryAsync();
    }

    public async Task<string?> Webhook(long accountId)
    {
        await using var command = _dataSource.CreateCommand("SELECT url FROM taifa_inbound_webhooks WHERE account_id = $1");
        command.Parameters.Add(new() { Value = accountId });
        return await command.ExecuteScalarAsync() as string;
    }

    public async Task<IReadOnlyList<InboundWork>> ClaimDue(DateTimeOffset now, TimeSpan lease, int max)
    {
        await using var command = _dataSource.CreateCommand($"""
            WITH claimed AS (
                UPDATE taifa_inbound_work SET next_attempt_at = $2
                WHERE work_id IN (SELECT work_id FROM taifa_inbound_work WHERE next_attempt_at <= $1
                                  ORDER BY next_attempt_at, work_id LIMIT $3 FOR UPDATE SKIP LOCKED)
                RETURNING work_id, kind, account_id, attempts, inbound_id)
            SELECT c.work_id, c.kind, c.account_id, c.attempts, {MessageColumns}
            FROM claimed c JOIN taifa_inbound_messages m USING (inbound_id) ORDER BY c.work_id
            """);
        command.Parameters.Add(new() { Value = now });
        command.Parameters.Add(new() { Value = now + lease });
        command.Parameters.Add(new() { Value = max });
        var work = new List<InboundWork>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            work.Add(new InboundWork(reader.GetInt64(0), (InboundWorkKind)reader.GetInt16(1), reader.GetInt64(2), ReadMessage(reader, 4), reader.GetInt32(3)));
        }

        return work;
    }

    public async Task Complete(long workId)
    {
        await using var command = _dataSource.CreateCommand("DELETE FROM taifa_inbound_work WHERE work_id = $1");
        command.Parameters.Add(new() { Value = workId });
        await command.ExecuteNonQueryAsync();
    }

    public async Task Retry(long workId, DateTimeOffset nextAttempt)
    {
        await using var command = _dataSource.CreateCommand("UPDATE taifa_inbound_work SET attempts = attempts + 1, next_attempt_at = $2 WHERE work_id = $1");
        command.Parameters.Add(new() { Value = workId });
        command.Parameters.Add(new() { Value = nextAttempt });
        await command.ExecuteNonQueryAsync();
    }

    public async Task<int> Prune(DateTimeOffset pdusBefore)
    {
        await using var command = _dataSource.CreateCommand("DELETE FROM taifa_inbound_pdus WHERE received_at < $1");
        command.Parameters.Add(new() { Value = pdusBefore });
        return await command.ExecuteNonQueryAsync();
    }

    public async Task<bool> AddOptOut(long accountId, string mobileNumber, OptOutSource source, DateTimeOffset now)
    {
        await using var command = _dataSource.CreateCommand(
            "INSERT INTO taifa_optouts (account_id, mobile, source, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, mobile) DO NOTHING");
        command.Parameters.Add(new() { Value = accountId });
        command.Parameters.Add(new() { Value = mobileNumber });
        command.Parameters.Add(new() { Value = (short)source });
        command.Parameters.Add(new() { Value = now });
        return await command.ExecuteNonQueryAsync() > 0;
    }

    public async Task<bool> RemoveOptOut(long accountId, string mobileNumber)
    {
        await using var command = _dataSource.CreateCommand("DELETE FROM taifa_optouts WHERE account_id = $1 AND mobile = $2");
        command.Parameters.Add(new() { Value = accountId });
        command.Parameters.Add(new() { Value = mobileNumber });
        return await command.ExecuteNonQueryAsync() > 0;
    }

    public async Task<IReadOnlyList<OptOutEntry>> OptOuts(long accountId)
    {
        await using var command = _dataSource.CreateCommand("SELECT mobile, source, created_at FROM taifa_optouts WHERE account_id = $1 ORDER BY created_at DESC, mobile DESC");
        command.Parameters.Add(new() { Value = accountId });
        var entries = new List<OptOutEntry>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) entries.Add(new OptOutEntry(reader.GetString(0), (OptOutSource)reader.GetInt16(1), reader.GetFieldValue<DateTimeOffset>(2)));
        return entries;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public void Dispose() => _dataSource.Dispose();

    private const string MessageColumns =
        "m.inbound_id, m.account_id, m.operator, m.from_number, m.to_number, m.keyword, m.text, m.network_id, m.opt_out, m.received_at";

    private static InboundMessage ReadMessage(NpgsqlDataReader reader, int first) => new(
        reader.GetInt64(first),
        reader.IsDBNull(first + 1) ? null : reader.GetInt64(first + 1),
        reader.GetString(first + 2),
        reader.GetString(first + 3),
        reader.GetString(first + 4),
        reader.IsDBNull(first + 5) ? null : reader.GetString(first + 5),
        reader.GetString(first + 6),
        reader.GetInt32(first + 7),
        reader.GetBoolean(first + 8),
        reader.GetFieldValue<DateTimeOffset>(first + 9));

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, params object[] values)
    {
        await using var command = Command(connection, transaction, sql, values);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> Scalar(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, params object[] values)
    {
        await using var command = Command(connection, transaction, sql, values);
        return await command.ExecuteScalarAsync();
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, object[] values)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values) command.Parameters.Add(new() { Value = value });
        return command;
    }
}
