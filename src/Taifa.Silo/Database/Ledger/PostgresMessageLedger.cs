using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Text;
using Taifa.Grains.Ledger;

namespace Taifa.Silo.Database.Ledger;

/// <summary>
/// The ledger in PostgreSQL (<c>infra/db/0200_taifa_ledger.sql</c>). Every batch is one statement over arrays
/// (<c>unnest</c>), and a commit is one transaction: lock the wallet row, then one batch that inserts the messages and
/// entries and writes the wallet.
/// </summary>
public sealed class PostgresMessageLedger(NpgsqlDataSource dataSource, IOptions<LedgerOptions> options) : IMessageLedger
{
    private const string MessageColumns =
        """
        m.message_id, m.recipient_id, m.account_id, m.status, m.mobile_number, m.network_id, m.sender_id, m.body, m.encoding,
        m.parts, m.cost, m.balance_after, m.service_id, m.channel, m.registered_delivery, m.dlr_url, m.segment_reference,
        m.segment_total, m.segment_sequence, m.accepted_at, m.updated_at, m.submitted_at, m.done_at, m.operator_name,
        m.operator_error_code,
        ARRAY(SELECT p.operator_id FROM taifa_operator_part p WHERE p.message_id = m.message_id AND p.part >= 0 ORDER BY p.part),
        m.send_at, m.expires_at
        """;

    private const string InsertMessagesSql =
        """
        INSERT INTO taifa_message (message_id, recipient_id, account_id, shard, status, mobile_number, network_id, sender_id,
            body, encoding, parts, cost, balance_after, service_id, channel, registered_delivery, dlr_url, segment_reference,
            segment_total, segment_sequence, accepted_at, updated_at, send_at, expires_at)
        SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::smallint[], $6::text[], $7::integer[],
            $8::text[], $9::text[], $10::smallint[], $11::integer[], $12::numeric[], $13::numeric[], $14::text[], $15::smallint[],
            $16::boolean[], $17::text[], $18::integer[], $19::integer[], $20::integer[], $21::timestamptz[], $22::timestamptz[],
            $23::timestamptz[], $24::timestamptz[])
        """;

    private const string InsertEntriesSql =
        """
        INSERT INTO taifa_wallet_entry (account_id, kind, amount, balance_after, message_id, reference, created_at)
        SELECT $1, e.kind, e.amount, e.balance_after, e.message_id, e.reference, $7
        FROM unnest($2::text[], $3::numeric[], $4::numeric[], $5::bigint[], $6::text[]) WITH ORDINALITY
            AS e(kind, amount, balance_after, message_id, reference, ordinal)
        ORDER BY e.ordinal
        """;

    private const string RecordOutcomesSql =
        """
        WITH u AS (
            SELECT * FROM unnest($1::bigint[], $2::smallint[], $3::timestamptz[], $4::text[], $5::text[], $6::numeric[])
                AS u(message_id, status, at, operator_name, error_code, refund)
        ), changed AS (
            UPDATE taifa_message m
            SET status = u.status,
                updated_at = u.at,
                submitted_at = CASE WHEN u.status = 1 THEN u.at ELSE m.submitted_at END,
                done_at = CASE WHEN u.status >= 2 THEN u.at ELSE m.done_at END,
                operator_name = COALESCE(u.operator_name, m.operator_name),
                operator_error_code = COALESCE(u.error_code, m.operator_error_code),
                refund_due = CASE WHEN u.status >= 2 AND u.refund > 0 THEN u.refund ELSE m.refund_due END,
                refund_state = CASE WHEN u.status >= 2 AND u.refund > 0 AND m.refund_state = 0 THEN 1 ELSE m.refund_state END,
                callback_pending = u.status >= 2 AND m.dlr_url IS NOT NULL,
                receipt_pending = u.status >= 2 AND m.registered_delivery AND m.channel = 1,
                follow_up_at = CASE WHEN u.status >= 2 AND (m.dlr_url IS NOT NULL OR (m.registered_delivery AND m.channel = 1) OR u.refund > 0)
                                    THEN u.at ELSE m.follow_up_at END
            FROM u
            WHERE m.message_id = u.message_id AND m.status < 2 AND u.status > 0 AND (u.status >= 2 OR m.status = 0)
            RETURNING m.message_id
        ), parts AS (
            INSERT INTO taifa_operator_part (message_id, part, operator_name, operator_id)
            SELECT p.message_id, p.part, p.operator_name, p.operator_id
            FROM unnest($7::bigint[], $8::integer[], $9::text[], $10::text[]) AS p(message_id, part, operator_name, operator_id)
            WHERE p.message_id IN (SELECT message_id FROM changed)
            ON CONFLICT DO NOTHING
        )
        SELECT message_id FROM changed
        """;

    // A receipt sets the parts with its id of the earliest message still waiting for one (an operator that recycles
    // its ids gives one to several messages); when none waits, it is a repeat and answers every part with that id.
    private const string RecordReceiptsSql =
        """
        WITH r AS (
            SELECT DISTINCT ON (operator_name, operator_id) *
            FROM unnest($1::text[], $2::text[], $3::smallint[], $4::text[], $5::timestamptz[])
                WITH ORDINALITY AS r(operator_name, operator_id, status, error_code, received_at, ordinal)
            ORDER BY operator_name, operator_id, ordinal
        ), waiting AS (
            SELECT p.operator_name, p.operator_id, min(p.message_id) AS message_id
            FROM taifa_operator_part p JOIN r USING (operator_name, operator_id)
            WHERE p.message_id >= $6 AND p.status IS NULL
            GROUP BY p.operator_name, p.operator_id
        ), updated AS (
            UPDATE taifa_operator_part p
            SET status = r.status, error_code = r.error_code, received_at = r.received_at
            FROM r JOIN waiting w USING (operator_name, operator_id)
            WHERE p.operator_name = r.operator_name AND p.operator_id = r.operator_id AND p.message_id = w.message_id AND p.status IS NULL
            RETURNING p.operator_name, p.operator_id, p.message_id, p.part, p.status
        )
        SELECT operator_name, operator_id, message_id, part, status FROM updated
        UNION ALL
        SELECT p.operator_name, p.operator_id, p.message_id, p.part, p.status
        FROM taifa_operator_part p JOIN r USING (operator_name, operator_id)
        WHERE p.message_id >= $6 AND NOT EXISTS (SELECT 1 FROM waiting w WHERE w.operator_name = r.operator_name AND w.operator_id = r.operator_id)
        """;

    private readonly HashSet<DateOnly> _readyDays = [];
    private readonly Lock _readyDaysLock = new();

    public async Task<Wallet?> ReadWallet(long accountId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT balance, version FROM taifa_wallet WHERE account_id = $1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = accountId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new Wallet(accountId, reader.GetDecimal(0), reader.GetInt64(1))
            : null;
    }

    public async Task<CommitOutcome> Commit(WalletCommit commit, CancellationToken cancellationToken = default)
    {
        NpgsqlConnection? connection = null;
        NpgsqlTransaction? transaction = null;
        try
        {
            CommitPlan? plan;
            try
            {
                await EnsureDays(commit.Messages.Select(m => LedgerDays.DayOf(m.Record.MessageId)), cancellationToken).ConfigureAwait(false);
                connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                var row = await LockWallet(connection, transaction, commit, cancellationToken).ConfigureAwait(false);
                plan = CommitPlan.Decide(commit, row.Wallet, row.RefundApplied, row.CreditApplied);
                if (plan is null) return CommitPlan.RepeatOutcome(commit, row.Wallet!);
                await Write(connection, transaction, commit, plan, row.Wallet is null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not (WalletConflictException or InvalidOperationException or OperationCanceledException))
            {
                // Nothing is committed before COMMIT is sent: a failure up to here wrote nothing.
                throw new LedgerNotWrittenException(commit.AccountId, exception);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return plan.Outcome(commit);
        }
        finally
        {
            if (transaction is not null) await transaction.DisposeAsync().ConfigureAwait(false);
            if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task Write(NpgsqlConnection connection, NpgsqlTransaction transaction, WalletCommit commit, CommitPlan plan, bool opensWallet, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (commit.Messages.Count > 0) batch.BatchCommands.Add(InsertMessages(commit.Messages));
        if (plan.Entries.Count > 0) batch.BatchCommands.Add(InsertEntries(commit, plan.Entries));
        var refunded = plan.Entries.Where(e => e.Kind == LedgerEntryKind.Refund).Select(e => e.MessageId!.Value).ToArray();
        if (refunded.Length > 0)
        {
            batch.BatchCommands.Add(Command("UPDATE taifa_message SET refund_state = 2 WHERE message_id = ANY($1) AND refund_state <> 2", Parameter(refunded)));
        }

        batch.BatchCommands.Add(opensWallet
            ? Command(
                "INSERT INTO taifa_wallet (account_id, balance, version, last_commit, last_refunds, updated_at) VALUES ($1, $2, 1, $3, $4, $5)",
                Parameter(commit.AccountId), Parameter(plan.Balance), Parameter(commit.CommitId), Parameter(plan.AppliedRefunds.ToArray()), Parameter(commit.At.ToUniversalTime()))
            : Command(
                "UPDATE taifa_wallet SET balance = $2, version = version + 1, last_commit = $3, last_refunds = $4, updated_at = $5 WHERE account_id = $1",
                Parameter(commit.AccountId), Parameter(plan.Balance), Parameter(commit.CommitId), Parameter(plan.AppliedRefunds.ToArray()), Parameter(commit.At.ToUniversalTime())));
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // Another activation opened the wallet meanwhile, or a message is already in the ledger: nothing was written.
            if (exception.ConstraintName == "taifa_wallet_pkey") throw new WalletConflictException(commit.AccountId, commit.ExpectedVersion);
            throw new InvalidOperationException($"account {commit.AccountId}: a message of this commit is already in the ledger ({exception.ConstraintName}); it is debited once", exception);
        }
    }

    public async Task<IReadOnlyList<LedgerEntry>> ReadEntries(long accountId, long afterEntryId, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {EntryColumns} FROM taifa_wallet_entry WHERE account_id = $1 AND entry_id > $2 ORDER BY entry_id LIMIT $3");
        command.Parameters.Add(Parameter(accountId));
        command.Parameters.Add(Parameter(afterEntryId));
        command.Parameters.Add(Parameter(limit));
        return await ReadAll(command, reader => ReadEntry(reader, accountId), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<LedgerEntry>> ReadEntries(long accountId, DateTimeOffset from, DateTimeOffset to, long afterEntryId, int limit, CancellationToken cancellationToken = default)
    {
        // ix_taifa_wallet_entry_account_time (0202) holds the range in this order: one index range scan per page.
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT {EntryColumns} FROM taifa_wallet_entry
            WHERE account_id = $1 AND created_at >= $2 AND created_at < $3 AND entry_id > $4
            ORDER BY created_at, entry_id LIMIT $5
            """);
        command.Parameters.Add(Parameter(accountId));
        command.Parameters.Add(Parameter(from.ToUniversalTime()));
        command.Parameters.Add(Parameter(to.ToUniversalTime()));
        command.Parameters.Add(Parameter(afterEntryId));
        command.Parameters.Add(Parameter(limit));
        return await ReadAll(command, reader => ReadEntry(reader, accountId), cancellationToken).ConfigureAwait(false);
    }

    public async Task<decimal> ReadBalanceBefore(long accountId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT balance_after FROM taifa_wallet_entry WHERE account_id = $1 AND created_at < $2
            ORDER BY created_at DESC, entry_id DESC LIMIT 1
            """);
        command.Parameters.Add(Parameter(accountId));
        command.Parameters.Add(Parameter(at.ToUniversalTime()));
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is decimal balance ? balance : 0m;
    }

    private const string EntryColumns = "entry_id, kind, amount, balance_after, message_id, reference, created_at";

    private static LedgerEntry ReadEntry(NpgsqlDataReader reader, long accountId) => new(
        reader.GetInt64(0),
        accountId,
        LedgerEntryKinds.Parse(reader.GetString(1)),
        reader.GetDecimal(2),
        reader.GetDecimal(3),
        reader.IsDBNull(4) ? null : reader.GetInt64(4),
        reader.IsDBNull(5) ? null : reader.GetString(5),
        reader.GetFieldValue<DateTimeOffset>(6));

    public async Task<IReadOnlyList<MessageRecord>> FindMessages(IReadOnlyList<long> messageIds, CancellationToken cancellationToken = default)
    {
        if (messageIds.Count == 0) return [];
        await using var command = dataSource.CreateCommand($"SELECT {MessageColumns} FROM taifa_message m WHERE m.message_id = ANY($1)");
        command.Parameters.Add(Parameter(messageIds.Distinct().ToArray()));
        return await ReadAll(command, ReadMessage, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<MessageRecord>> ReadHistory(long accountId, MessageHistoryFilter filter, int limit, CancellationToken cancellationToken = default)
    {
        var (sql, parameters) = HistoryQuery(accountId, filter, limit);
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        return await ReadAll(command, ReadMessage, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Only the conditions the filter sets, so the planner sees the index that fits (infra/db/0203: by account, by
    /// account and number, by account and sender ID; 0204: by account and status; each ending in message_id) and walks it backwards from the cursor:
    /// the partitions by message id come in order, and LIMIT stops the walk, with no sort.
    /// </summary>
    internal static (string Sql, NpgsqlParameter[] Parameters) HistoryQuery(long accountId, MessageHistoryFilter filter, int limit)
    {
        var parameters = new List<NpgsqlParameter> { Parameter(accountId), Parameter(filter.HighestIdExclusive), Parameter(filter.LowestId), Parameter(limit) };
        var sql = new System.Text.StringBuilder($"SELECT {MessageColumns} FROM taifa_message m WHERE m.account_id = $1 AND m.message_id < $2 AND m.message_id >= $3");
        void Condition(string column, string comparison, NpgsqlParameter value)
        {
            parameters.Add(value);
            sql.Append(CultureInfo.InvariantCulture, $" AND m.{column} {comparison} ${parameters.Count}");
        }

        if (filter.From is { } from) Condition("accepted_at", ">=", Parameter(from.ToUniversalTime()));
        if (filter.Until is { } until) Condition("accepted_at", "<", Parameter(until.ToUniversalTime()));
        if (filter.MobileNumber is { } mobile) Condition("mobile_number", "=", Parameter(mobile));
        if (filter.SenderId is { } sender) Condition("sender_id", "=", Parameter(sender));
        if (filter.Status is { } status) Condition("status", "=", Parameter((short)status));
        sql.Append(" ORDER BY m.message_id DESC LIMIT $4");
        return (sql.ToString(), [.. parameters]);
    }

    public async Task<IReadOnlyList<DailyStatusCount>> CountByDay(long accountId, DateTimeOffset from, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        var (sql, parameters) = CountByDayQuery(accountId, from, until);
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        return await ReadAll(command, reader => new DailyStatusCount(
            reader.GetFieldValue<DateOnly>(0), (MessageStatus)reader.GetInt16(1), reader.GetInt64(2)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The message id bounds of the range (as a history page's) prune the day partitions outside it and bound the
    /// walk of ix_taifa_message_account (account, message id) inside them: only this account's messages of these days
    /// are read. The Nairobi day is the UTC time plus three hours (<see cref="LedgerDays.NairobiOffset"/>).
    /// </summary>
    internal static (string Sql, NpgsqlParameter[] Parameters) CountByDayQuery(long accountId, DateTimeOffset from, DateTimeOffset until)
    {
        var range = new MessageHistoryFilter(From: from, Until: until);
        return ("""
            SELECT ((m.accepted_at AT TIME ZONE 'UTC') + interval '3 hours')::date AS day, m.status, count(*)
            FROM taifa_message m
            WHERE m.account_id = $1 AND m.message_id >= $2 AND m.message_id < $3 AND m.accepted_at >= $4 AND m.accepted_at < $5
            GROUP BY 1, 2 ORDER BY 1, 2
            """,
            [Parameter(accountId), Parameter(range.LowestId), Parameter(range.HighestIdExclusive), Parameter(from.ToUniversalTime()), Parameter(until.ToUniversalTime())]);
    }

    /// <summary>
    /// The depth the statements that change it keep (infra/db/0205: a trigger per statement appends its change, a read
    /// folds them): a handful of rows, whatever the table holds and however long since it was vacuumed.
    /// </summary>
    public async Task<long> CountQueued(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT taifa_queue_depth()");
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async Task<IReadOnlyList<MessageRecord>> ReadQueued(string shard, long afterMessageId, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {MessageColumns} FROM taifa_message m WHERE m.shard = $1 AND m.status = 0 AND m.message_id > $2 ORDER BY m.message_id LIMIT $3");
        command.Parameters.Add(Parameter(shard));
        command.Parameters.Add(Parameter(afterMessageId));
        command.Parameters.Add(Parameter(limit));
        return await ReadAll(command, ReadMessage, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<long>> RecordOutcomes(IReadOnlyList<MessageOutcome> outcomes, CancellationToken cancellationToken = default)
    {
        if (outcomes.Count == 0) return [];
        var parts = outcomes.SelectMany(o => o.OperatorPartIds.Select((id, part) => (o.MessageId, Part: part, Operator: o.OperatorName ?? "", Id: id))).ToList();
        await using var command = dataSource.CreateCommand(RecordOutcomesSql);
        command.Parameters.Add(Parameter(outcomes.Select(o => o.MessageId).ToArray()));
        command.Parameters.Add(Parameter(outcomes.Select(o => (short)o.Status).ToArray()));
        command.Parameters.Add(Parameter(outcomes.Select(o => o.At.ToUniversalTime()).ToArray()));
        command.Parameters.Add(Parameter(outcomes.Select(o => o.OperatorName).ToArray()));
        command.Parameters.Add(Parameter(outcomes.Select(o => o.ErrorCode).ToArray()));
        command.Parameters.Add(Parameter(outcomes.Select(o => o.Refund).ToArray()));
        command.Parameters.Add(Parameter(parts.Select(p => p.MessageId).ToArray()));
        command.Parameters.Add(Parameter(parts.Select(p => p.Part).ToArray()));
        command.Parameters.Add(Parameter(parts.Select(p => p.Operator).ToArray()));
        command.Parameters.Add(Parameter(parts.Select(p => p.Id).ToArray()));
        return await ReadAll(command, reader => reader.GetInt64(0), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<OperatorPart>> RecordReceipts(IReadOnlyList<PartReceipt> receipts, DateTimeOffset acceptedSince, CancellationToken cancellationToken = default)
    {
        if (receipts.Count == 0) return [];
        await using var command = dataSource.CreateCommand(RecordReceiptsSql);
        command.Parameters.Add(Parameter(receipts.Select(r => r.OperatorName).ToArray()));
        command.Parameters.Add(Parameter(receipts.Select(r => r.OperatorMessageId).ToArray()));
        command.Parameters.Add(Parameter(receipts.Select(r => (short)r.Status).ToArray()));
        command.Parameters.Add(Parameter(receipts.Select(r => r.ErrorCode).ToArray()));
        command.Parameters.Add(Parameter(receipts.Select(r => r.ReceivedAt.ToUniversalTime()).ToArray()));
        command.Parameters.Add(Parameter(LedgerDays.FirstId(LedgerDays.DayOf(acceptedSince))));
        return await ReadAll(command, ReadPart, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<OperatorPart>> FindByOperatorIds(string operatorName, IReadOnlyList<string> operatorIds, DateTimeOffset acceptedSince, CancellationToken cancellationToken = default)
    {
        if (operatorIds.Count == 0) return [];
        await using var command = dataSource.CreateCommand(
            """
            SELECT p.operator_name, p.operator_id, p.message_id, p.part, p.status FROM taifa_operator_part p
            WHERE p.operator_name = $1 AND p.operator_id = ANY($2) AND p.message_id >= $3
            """);
        command.Parameters.Add(Parameter(operatorName));
        command.Parameters.Add(Parameter(operatorIds.Distinct(StringComparer.Ordinal).ToArray()));
        command.Parameters.Add(Parameter(LedgerDays.FirstId(LedgerDays.DayOf(acceptedSince))));
        return await ReadAll(command, ReadPart, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Walks ix_taifa_message_account_mobile (infra/db/0203: account, number, message id; the history's index) backwards
    /// from the upper id bound, in the days' partitions the id range leaves: at most the limit, whatever else is stored.
    /// </summary>
    public async Task<IReadOnlyList<RecipientMessage>> FindByRecipient(long accountId, string mobileNumber, DateTimeOffset acceptedSince, DateTimeOffset acceptedBefore, int limit, CancellationToken cancellationToken = default)
    {
        var (sql, parameters) = RecipientQuery(accountId, mobileNumber, acceptedSince, acceptedBefore, limit);
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddRange(parameters);
        return await ReadAll(command, reader => new RecipientMessage(
            ReadMessage(reader), reader.IsDBNull(28) ? null : reader.GetString(28), reader.GetFieldValue<string[]>(29)), cancellationToken).ConfigureAwait(false);
    }

    internal static (string Sql, NpgsqlParameter[] Parameters) RecipientQuery(long accountId, string mobileNumber, DateTimeOffset acceptedSince, DateTimeOffset acceptedBefore, int limit) =>
        ($"""
            SELECT {MessageColumns}, m.shard,
                ARRAY(SELECT p.operator_id FROM taifa_operator_part p WHERE p.message_id = m.message_id AND p.part < 0 ORDER BY p.part DESC)
            FROM taifa_message m
            WHERE m.account_id = $1 AND m.mobile_number = $2 AND m.message_id >= $3 AND m.message_id < $4
            ORDER BY m.message_id DESC LIMIT $5
            """,
        [Parameter(accountId), Parameter(mobileNumber), Parameter(LedgerDays.FirstIdAt(acceptedSince)), Parameter(LedgerDays.FirstIdAt(acceptedBefore)), Parameter(limit)]);

    public async Task<bool> MapLostPart(long messageId, int part, string operatorName, string operatorId, CancellationToken cancellationToken = default)
    {
        // Numbered after the lost ids of the same part before it (LostPart); a repeat of the same id is a no-op.
        await using var command = dataSource.CreateCommand(
            $"""
            INSERT INTO taifa_operator_part (message_id, part, operator_name, operator_id)
            SELECT $1, -1 - $2 - {LostPart.Stride} * (
                    SELECT count(*) FROM taifa_operator_part l WHERE l.message_id = $1 AND l.part < 0 AND (-1 - l.part) % {LostPart.Stride} = $2),
                $3, $4
            WHERE EXISTS (SELECT 1 FROM taifa_message m WHERE m.message_id = $1)
              AND NOT EXISTS (SELECT 1 FROM taifa_operator_part l WHERE l.message_id = $1 AND l.part < 0 AND l.operator_name = $3 AND l.operator_id = $4)
            ON CONFLICT DO NOTHING
            """);
        command.Parameters.Add(Parameter(messageId));
        command.Parameters.Add(Parameter(part));
        command.Parameters.Add(Parameter(operatorName));
        command.Parameters.Add(Parameter(operatorId));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    public async Task<IReadOnlyList<RefundDue>> ReadRefundsDue(long accountId, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT message_id, refund_due FROM taifa_message WHERE account_id = $1 AND refund_state = 1 ORDER BY message_id LIMIT $2");
        command.Parameters.Add(Parameter(accountId));
        command.Parameters.Add(Parameter(limit));
        return await ReadAll(command, reader => new RefundDue(reader.GetInt64(0), reader.GetDecimal(1)), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<FollowUp>> ReadFollowUpsDue(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT message_id, callback_pending, receipt_pending, follow_up_attempts, follow_up_at,
                CASE WHEN refund_state = 1 THEN refund_due ELSE 0 END
            FROM taifa_message
            WHERE follow_up_at IS NOT NULL AND follow_up_at <= $1 ORDER BY follow_up_at, message_id LIMIT $2
            """);
        command.Parameters.Add(Parameter(now.ToUniversalTime()));
        command.Parameters.Add(Parameter(limit));
        return await ReadAll(command, reader => new FollowUp(
            reader.GetInt64(0), reader.GetBoolean(1), reader.GetBoolean(2), reader.GetInt32(3), reader.GetFieldValue<DateTimeOffset>(4))
        {
            RefundDue = reader.GetDecimal(5),
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task RecordFollowUps(IReadOnlyList<FollowUp> followUps, CancellationToken cancellationToken = default)
    {
        if (followUps.Count == 0) return;
        await using var command = dataSource.CreateCommand(
            """
            UPDATE taifa_message m
            SET callback_pending = f.callback, receipt_pending = f.receipt, follow_up_attempts = f.attempts,
                follow_up_at = CASE WHEN f.callback OR f.receipt OR f.refund_due > 0 THEN f.next_at END
            FROM unnest($1::bigint[], $2::boolean[], $3::boolean[], $4::integer[], $5::timestamptz[], $6::numeric[])
                AS f(message_id, callback, receipt, attempts, next_at, refund_due)
            WHERE m.message_id = f.message_id
            """);
        command.Parameters.Add(Parameter(followUps.Select(f => f.MessageId).ToArray()));
        command.Parameters.Add(Parameter(followUps.Select(f => f.StatusCallback).ToArray()));
        command.Parameters.Add(Parameter(followUps.Select(f => f.SmppReceipt).ToArray()));
        command.Parameters.Add(Parameter(followUps.Select(f => f.Attempts).ToArray()));
        command.Parameters.Add(Parameter(followUps.Select(f => f.NextAttemptAt.ToUniversalTime()).ToArray()));
        command.Parameters.Add(Parameter(followUps.Select(f => f.RefundDue).ToArray()));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<LedgerMessage>> ReadNotHandedOff(long accountId, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {MessageColumns}, m.shard FROM taifa_message m WHERE m.account_id = $1 AND NOT m.handed_off AND m.status <> 8 ORDER BY m.message_id LIMIT $2");
        command.Parameters.Add(Parameter(accountId));
        command.Parameters.Add(Parameter(limit));
        return await ReadAll(command, reader => new LedgerMessage(ReadMessage(reader), reader.IsDBNull(28) ? null : reader.GetString(28)), cancellationToken).ConfigureAwait(false);
    }

    public async Task MarkHandedOff(IReadOnlyList<long> messageIds, CancellationToken cancellationToken = default)
    {
        if (messageIds.Count == 0) return;
        await using var command = dataSource.CreateCommand(
            """
            UPDATE taifa_message SET handed_off = true, status = CASE WHEN status = 8 THEN 0 ELSE status END
            WHERE message_id = ANY($1) AND (NOT handed_off OR status = 8)
            """);
        command.Parameters.Add(Parameter(messageIds.ToArray()));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<MessageRecord>> ReadScheduledDue(DateTimeOffset now, ScheduledPosition? after, int limit, CancellationToken cancellationToken = default)
    {
        // A row comparison the index (send_at, message_id) WHERE status = 8 answers in order.
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT {MessageColumns} FROM taifa_message m
            WHERE m.status = 8 AND m.send_at <= $1 AND (m.send_at, m.message_id) > ($2, $3)
            ORDER BY m.send_at, m.message_id LIMIT $4
            """);
        command.Parameters.Add(Parameter(now.ToUniversalTime()));
        command.Parameters.Add(Parameter((after?.SendAt ?? DateTimeOffset.UnixEpoch).ToUniversalTime()));
        command.Parameters.Add(Parameter(after?.MessageId ?? long.MinValue));
        command.Parameters.Add(Parameter(limit));
        return await ReadAll(command, ReadMessage, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<long>> ReadExpiredQueued(DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT message_id FROM taifa_message WHERE status = 0 AND expires_at <= $1 ORDER BY expires_at LIMIT $2");
        command.Parameters.Add(Parameter(now.ToUniversalTime()));
        command.Parameters.Add(Parameter(limit));
        return await ReadAll(command, reader => reader.GetInt64(0), cancellationToken).ConfigureAwait(false);
    }

    public async Task CancelScheduled(IReadOnlyList<long> messageIds, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        if (messageIds.Count == 0) return;
        await using var command = dataSource.CreateCommand(
            "UPDATE taifa_message SET status = 7, done_at = $2, updated_at = $2, handed_off = true WHERE message_id = ANY($1) AND status = 8");
        command.Parameters.Add(Parameter(messageIds.ToArray()));
        command.Parameters.Add(Parameter(at.ToUniversalTime()));
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task Maintain(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var today = LedgerDays.DayOf(now);
        await EnsureDays(Enumerable.Range(-1, LedgerDays.DaysAhead + 2).Select(today.AddDays), cancellationToken).ConfigureAwait(false);
        await using var command = dataSource.CreateCommand("SELECT taifa_ledger_drop_before($1)");
        var firstKept = LedgerDays.FirstKept(now, options.Value.RetentionDays);
        command.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = firstKept, NpgsqlDbType = NpgsqlDbType.Date });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        lock (_readyDaysLock) _readyDays.RemoveWhere(day => day < firstKept);
    }

    /// <summary>Creates the partitions of days not known to exist; a commit finds its days ready after the first time.</summary>
    private async Task EnsureDays(IEnumerable<DateOnly> days, CancellationToken cancellationToken)
    {
        DateOnly[] missing;
        lock (_readyDaysLock) missing = days.Distinct().Where(day => !_readyDays.Contains(day)).ToArray();
        if (missing.Length == 0) return;
        await using var command = dataSource.CreateCommand("SELECT taifa_ledger_ensure_day(d) FROM unnest($1::date[]) AS d");
        command.Parameters.Add(new NpgsqlParameter<DateOnly[]> { TypedValue = missing, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Date });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        lock (_readyDaysLock) _readyDays.UnionWith(missing);
    }

    /// <summary>The wallet row, locked for this transaction, and which of the commit's refunds and credits the ledger already holds.</summary>
    private static async Task<LockedWallet> LockWallet(NpgsqlConnection connection, NpgsqlTransaction transaction, WalletCommit commit, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(Command(
            "SELECT balance, version, last_commit, last_refunds FROM taifa_wallet WHERE account_id = $1 FOR UPDATE",
            Parameter(commit.AccountId)));
        batch.BatchCommands.Add(Command(
            """
            SELECT kind, message_id, reference FROM taifa_wallet_entry
            WHERE (kind = 'refund' AND message_id = ANY($2))
               OR (account_id = $1 AND kind IN ('credit', 'topup') AND reference = ANY($3))
            """,
            Parameter(commit.AccountId),
            Parameter(commit.Refunds.Select(r => r.MessageId).ToArray()),
            Parameter(commit.Credits.Select(c => c.Reference).ToArray())));

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        WalletRow? wallet = null;
        if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            wallet = new WalletRow(reader.GetDecimal(0), reader.GetInt64(1), reader.GetGuid(2), reader.GetFieldValue<long[]>(3));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var refunds = new HashSet<long>();
        var credits = new HashSet<(LedgerEntryKind, string)>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var kind = LedgerEntryKinds.Parse(reader.GetString(0));
            if (kind == LedgerEntryKind.Refund) refunds.Add(reader.GetInt64(1));
            else credits.Add((kind, reader.GetString(2)));
        }

        return new LockedWallet(
            wallet,
            refund => refunds.Contains(refund.MessageId),
            credit => credits.Contains((credit.Kind, credit.Reference)));
    }

    private sealed record LockedWallet(WalletRow? Wallet, Func<RefundDue, bool> RefundApplied, Func<WalletCredit, bool> CreditApplied);

    private static NpgsqlBatchCommand InsertMessages(IReadOnlyList<LedgerMessage> messages)
    {
        var records = messages.Select(m => m.Record).ToList();
        return Command(
            InsertMessagesSql,
            Parameter(records.Select(r => r.MessageId).ToArray()),
            Parameter(records.Select(r => r.RecipientId).ToArray()),
            Parameter(records.Select(r => r.AccountId).ToArray()),
            Parameter(messages.Select(m => m.Shard).ToArray()),
            Parameter(records.Select(r => (short)r.Status).ToArray()),
            Parameter(records.Select(r => r.MobileNumber).ToArray()),
            Parameter(records.Select(r => r.NetworkId).ToArray()),
            Parameter(records.Select(r => r.SenderId).ToArray()),
            Parameter(records.Select(r => r.Text).ToArray()),
            Parameter(records.Select(r => (short)r.Encoding).ToArray()),
            Parameter(records.Select(r => r.Parts).ToArray()),
            Parameter(records.Select(r => r.Cost).ToArray()),
            Parameter(records.Select(r => r.BalanceAfter).ToArray()),
            Parameter(records.Select(r => r.ServiceId).ToArray()),
            Parameter(records.Select(r => (short)r.Channel).ToArray()),
            Parameter(records.Select(r => r.RegisteredDelivery).ToArray()),
            Parameter(records.Select(r => r.DlrUrl).ToArray()),
            Parameter(records.Select(r => r.Segment?.Reference).ToArray()),
            Parameter(records.Select(r => r.Segment?.Total).ToArray()),
            Parameter(records.Select(r => r.Segment?.SequenceNumber).ToArray()),
            Parameter(records.Select(r => r.AcceptedAt.ToUniversalTime()).ToArray()),
            Parameter(records.Select(r => r.UpdatedAt.ToUniversalTime()).ToArray()),
            Parameter(records.Select(r => r.SendAt?.ToUniversalTime()).ToArray()),
            Parameter(records.Select(r => r.ExpiresAt?.ToUniversalTime()).ToArray()));
    }

    private static NpgsqlBatchCommand InsertEntries(WalletCommit commit, IReadOnlyList<PlannedEntry> entries) =>
        Command(
            InsertEntriesSql,
            Parameter(commit.AccountId),
            Parameter(entries.Select(e => e.Kind.Name()).ToArray()),
            Parameter(entries.Select(e => e.Amount).ToArray()),
            Parameter(entries.Select(e => e.BalanceAfter).ToArray()),
            Parameter(entries.Select(e => e.MessageId).ToArray()),
            Parameter(entries.Select(e => e.Reference).ToArray()),
            Parameter(commit.At.ToUniversalTime()));

    private static MessageRecord ReadMessage(NpgsqlDataReader reader) => new()
    {
        MessageId = reader.GetInt64(0),
        RecipientId = reader.GetInt64(1),
        AccountId = reader.GetInt64(2),
        Status = (MessageStatus)reader.GetInt16(3),
        MobileNumber = reader.GetString(4),
        NetworkId = reader.GetInt32(5),
        SenderId = reader.GetString(6),
        Text = reader.GetString(7),
        Encoding = (SmsEncoding)reader.GetInt16(8),
        Parts = reader.GetInt32(9),
        Cost = reader.GetDecimal(10),
        BalanceAfter = reader.GetDecimal(11),
        ServiceId = reader.IsDBNull(12) ? null : reader.GetString(12),
        Channel = (MessageChannel)reader.GetInt16(13),
        RegisteredDelivery = reader.GetBoolean(14),
        DlrUrl = reader.IsDBNull(15) ? null : reader.GetString(15),
        Segment = reader.IsDBNull(16) ? null : new SegmentInfo(reader.GetInt32(16), reader.GetInt32(17), reader.GetInt32(18)),
        AcceptedAt = reader.GetFieldValue<DateTimeOffset>(19),
        UpdatedAt = reader.GetFieldValue<DateTimeOffset>(20),
        SubmittedAt = reader.IsDBNull(21) ? null : reader.GetFieldValue<DateTimeOffset>(21),
        DoneAt = reader.IsDBNull(22) ? null : reader.GetFieldValue<DateTimeOffset>(22),
        OperatorName = reader.IsDBNull(23) ? null : reader.GetString(23),
        OperatorErrorCode = reader.IsDBNull(24) ? null : reader.GetString(24),
        OperatorPartIds = reader.GetFieldValue<string[]>(25),
        SendAt = reader.IsDBNull(26) ? null : reader.GetFieldValue<DateTimeOffset>(26),
        ExpiresAt = reader.IsDBNull(27) ? null : reader.GetFieldValue<DateTimeOffset>(27),
    };

    private static OperatorPart ReadPart(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt32(3), reader.IsDBNull(4) ? null : (MessageStatus)reader.GetInt16(4));

    private static async Task<IReadOnlyList<T>> ReadAll<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) rows.Add(read(reader));
        return rows;
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter<T> Parameter<T>(T value) => new() { TypedValue = value };
}
