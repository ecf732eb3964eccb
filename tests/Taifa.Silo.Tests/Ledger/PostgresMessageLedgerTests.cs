using Npgsql;
using Taifa.Abstractions.Messages;
using Taifa.Grains.Ledger;
using Taifa.Silo.Database.Ledger;
using Taifa.Silo.Storage;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Ledger;

/// <summary>The ledger contract against PostgreSQL (a fresh database per test), and what only the tables show.</summary>
public sealed class PostgresMessageLedgerTests : MessageLedgerContract
{
    private TestDatabase _database = null!;
    private NpgsqlDataSource _dataSource = null!;

    protected override async Task<IMessageLedger> CreateLedger()
    {
        _database = await TestDatabase.CreateAsync();
        _dataSource = NpgsqlDataSource.Create(_database.ConnectionString);
        return new PostgresMessageLedger(_dataSource, Microsoft.Extensions.Options.Options.Create(new LedgerOptions()));
    }

    public override async Task DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Maintenance_creates_the_days_ahead_and_drops_days_past_the_retention_as_whole_partitions()
    {
        var now = new DateTimeOffset(2026, 6, 10, 12, 0, 0, TimeSpan.Zero);
        await Ledger.Maintain(now.AddDays(-100));
        Assert.Contains("taifa_message_p20260302", await Partitions());

        await Ledger.Maintain(now);

        var partitions = await Partitions();
        Assert.Contains("taifa_message_p20260613", partitions);
        Assert.Contains("taifa_operator_part_p20260613", partitions);
        Assert.DoesNotContain("taifa_message_p20260302", partitions);
        Assert.DoesNotContain("taifa_operator_part_p20260302", partitions);
        Assert.Equal("taifa_message_p20260609", partitions.Where(p => p.StartsWith("taifa_message_p", StringComparison.Ordinal)).Min());
    }

    [Theory]
    [InlineData(null, null, false)]
    [InlineData("254700000042", null, false)]
    [InlineData(null, "SENDER3", true)]
    [InlineData(null, null, true, MessageStatus.Delivered)]
    public async Task A_history_page_walks_an_index_backwards_across_the_days_without_a_sort(string? mobile, string? sender, bool withCursor, MessageStatus? status = null)
    {
        // 200,000 messages of 100 accounts over two days' partitions, analysed, so the planner sees real volumes.
        var today = LedgerDays.DayOf(DateTimeOffset.UtcNow);
        await Ledger.Maintain(DateTimeOffset.UtcNow);
        await using var connection = await _database.OpenConnectionAsync();
        await FillAsync(connection,
            $"""
            INSERT INTO taifa_message (message_id, recipient_id, account_id, status, mobile_number, network_id, sender_id, body, encoding,
                parts, cost, balance_after, channel, registered_delivery, accepted_at, updated_at)
            SELECT CASE WHEN g % 2 = 0 THEN {LedgerDays.FirstId(today)} ELSE {LedgerDays.FirstId(today.AddDays(1))} END + g, g, g % 100, g % 7 / 3 * 2,
                '25470000004' || (g % 10), 1, 'SENDER' || (g % 7), 'text', 0, 1, 1, 1, 0, false, now(), now()
            FROM generate_series(1, 200000) g;
            ANALYZE taifa_message;
            """);

        var filter = new MessageHistoryFilter(
            BeforeMessageId: withCursor ? LedgerDays.FirstId(today.AddDays(1)) + 150_001 : null, MobileNumber: mobile, SenderId: sender, Status: status);
        var (sql, parameters) = PostgresMessageLedger.HistoryQuery(42, filter, 51);
        var lines = await ExplainAsync(connection, sql, parameters);

        // The page's own plan; the SubPlan after it fetches each message's operator part ids by primary key.
        var plan = lines.TakeWhile(line => !line.TrimStart().StartsWith("SubPlan", StringComparison.Ordinal)).ToList();
        var filled = new[] { today, today.AddDays(1) }.Select(Partition).ToList();
        var text = string.Join('\n', lines);
        Assert.All(filled, partition => Assert.True(
            plan.Any(line => line.Contains("Index Scan Backward using", StringComparison.Ordinal) && line.Contains("on " + partition, StringComparison.Ordinal)),
            $"{partition} is read through its index, newest first:\n{text}"));
        Assert.False(plan.Any(line => line.Contains("Sort", StringComparison.Ordinal)), $"no sort:\n{text}");
        Assert.Contains(plan, line => line.TrimStart().StartsWith("Limit", StringComparison.Ordinal));

        var page = await Ledger.ReadHistory(42, filter, 51);
        Assert.NotEmpty(page);
        Assert.All(page, r => Assert.Equal(42, r.AccountId));
        if (status is { } wanted) Assert.All(page, r => Assert.Equal(wanted, r.Status));
        Assert.Equal(page.Select(r => r.MessageId).OrderDescending(), page.Select(r => r.MessageId));
    }

    [Fact]
    public async Task Matching_a_lost_id_reads_the_accounts_messages_to_the_number_through_the_history_index_without_a_sort()
    {
        // 100,000 messages of 100 accounts to 1,000 numbers over two days' partitions, analysed: no index of its own is
        // needed (nothing more to write per message), the history's by account and number serves it.
        var today = LedgerDays.DayOf(DateTimeOffset.UtcNow);
        await Ledger.Maintain(DateTimeOffset.UtcNow);
        await using var connection = await _database.OpenConnectionAsync();
        await FillAsync(connection,
            $"""
            INSERT INTO taifa_message (message_id, recipient_id, account_id, status, mobile_number, network_id, sender_id, body, encoding,
                parts, cost, balance_after, channel, registered_delivery, accepted_at, updated_at, handed_off)
            SELECT CASE WHEN g % 2 = 0 THEN {LedgerDays.FirstId(today)} ELSE {LedgerDays.FirstId(today.AddDays(1))} END + g, g, g % 100, 1,
                '254700' || lpad((g % 1000)::text, 6, '0'), 1, 'SENDER', 'text', 0, 1, 1, 1, 0, false, now(), now(), true
            FROM generate_series(1, 100000) g;
            ANALYZE taifa_message;
            """);

        var (sql, parameters) = PostgresMessageLedger.RecipientQuery(42, "254700000042", DateTimeOffset.UtcNow.AddDays(-8), DateTimeOffset.UtcNow.AddDays(2), 500);
        var lines = await ExplainAsync(connection, sql, parameters);

        // Each filled day through an index by account (the planner picks by account and number, or by account alone for
        // a day it expects little of): the cost is bounded by the account's messages of those days, never the table's.
        var plan = lines.TakeWhile(line => !line.TrimStart().StartsWith("SubPlan", StringComparison.Ordinal)).ToList();
        var text = string.Join('\n', lines);
        foreach (var partition in new[] { today, today.AddDays(1) }.Select(Partition))
        {
            Assert.False(plan.Any(line => line.Contains("Seq Scan on " + partition + " ", StringComparison.Ordinal)), $"{partition} is not scanned whole:\n{text}");
            Assert.True(plan.Any(line => line.Contains("Index", StringComparison.Ordinal) && line.Contains(partition + "_account_id", StringComparison.Ordinal)),
                $"{partition} is read through an index by account:\n{text}");
        }

        Assert.Contains(plan, line => line.Contains("_account_id_mobile_number_message_id_idx", StringComparison.Ordinal));

        var found = await Ledger.FindByRecipient(42, "254700000042", DateTimeOffset.UtcNow.AddDays(-8), DateTimeOffset.UtcNow.AddDays(2), 500);
        Assert.Equal(100, found.Count);
        Assert.All(found, m => Assert.Equal((42L, "254700000042"), (m.Record.AccountId, m.Record.MobileNumber)));
    }

    [Fact]
    public async Task Counting_by_day_reads_only_the_accounts_messages_of_the_range_days_through_its_index()
    {
        // 200,000 messages of 97 accounts over twelve days' partitions, analysed; the count covers the last seven days.
        var now = DateTimeOffset.UtcNow;
        var today = LedgerDays.DayOf(now);
        await Ledger.Maintain(now.AddDays(-11));
        await Ledger.Maintain(now);
        await using var connection = await _database.OpenConnectionAsync();
        await FillAsync(connection,
            $"""
            SELECT taifa_ledger_ensure_day(d::date) FROM generate_series('{today.AddDays(-11):yyyy-MM-dd}'::date, '{today:yyyy-MM-dd}'::date, interval '1 day') d;
            INSERT INTO taifa_message (message_id, recipient_id, account_id, status, mobile_number, network_id, sender_id, body, encoding,
                parts, cost, balance_after, channel, registered_delivery, accepted_at, updated_at)
            SELECT {LedgerDays.FirstId(today.AddDays(-11))} + (g % 12) * ({LedgerDays.FirstId(today.AddDays(1))} - {LedgerDays.FirstId(today)}) + g, g, g % 97, g % 3,
                '254700000042', 1, 'SENDER', 'text', 0, 1, 1, 1, 0, false,
                '{today.AddDays(-11):yyyy-MM-dd}'::timestamptz + (g % 12) * interval '1 day' + interval '12 hours', now()
            FROM generate_series(1, 200000) g;
            ANALYZE taifa_message;
            """);

        var until = LedgerDays.NairobiStartOf(LedgerDays.NairobiDayOf(now).AddDays(1));
        var (sql, parameters) = PostgresMessageLedger.CountByDayQuery(42, until.AddDays(-7), until);
        var plan = await ExplainAsync(connection, sql, parameters);

        var text = string.Join('\n', plan);
        Assert.DoesNotContain("Seq Scan", text, StringComparison.Ordinal);
        // Each partition is read through an index that leads with account_id (ix_taifa_message_account, or the planner's
        // pick of its siblings by account and sender ID), so only this account's rows of those days are visited.
        var read = plan.Where(line => line.Contains(" on taifa_message_p", StringComparison.Ordinal) && !line.Contains("Bitmap Index Scan", StringComparison.Ordinal)).ToList();
        var indexes = plan.Where(line => line.Contains("Index Scan", StringComparison.Ordinal) || line.Contains("Index Only Scan", StringComparison.Ordinal)).ToList();
        Assert.True(indexes.Count >= read.Count && indexes.All(line => line.Contains("_account_id_", StringComparison.Ordinal)), $"read by account and message id:\n{text}");
        // The seven days, the day before them in UTC (Nairobi's midnight is 21:00 UTC) and the acceptance lag: never the older days.
        Assert.InRange(read.Count, 7, 7 + 1 + (int)MessageHistoryFilter.AcceptanceLag.TotalDays + 1);
        Assert.DoesNotContain(read, line => line.Contains(Partition(today.AddDays(-11)), StringComparison.Ordinal));

        // The same counts as a plain scan of the account's messages by acceptance time: the id bounds leave nothing out.
        var counts = await Ledger.CountByDay(42, until.AddDays(-7), until);
        await using var reference = new NpgsqlCommand(
            """
            SELECT ((accepted_at AT TIME ZONE 'UTC') + interval '3 hours')::date, status, count(*) FROM taifa_message
            WHERE account_id = 42 AND accepted_at >= $1 AND accepted_at < $2 GROUP BY 1, 2 ORDER BY 1, 2
            """, connection);
        reference.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = until.AddDays(-7).ToUniversalTime() });
        reference.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = until.ToUniversalTime() });
        var expected = new List<DailyStatusCount>();
        await using (var reader = await reference.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) expected.Add(new(reader.GetFieldValue<DateOnly>(0), (Taifa.Abstractions.Messages.MessageStatus)reader.GetInt16(1), reader.GetInt64(2)));
        }

        Assert.Equal(expected, counts);
        Assert.InRange(counts.Select(c => c.Day).Distinct().Count(), 6, 7);
    }

    [Fact]
    public async Task The_queue_depth_is_kept_by_every_statement_that_changes_it_and_read_from_a_handful_of_rows()
    {
        // Statements as any writer makes them (an older silo's too): bulk inserts, a dispatch in batches, a retention drop.
        var today = LedgerDays.DayOf(DateTimeOffset.UtcNow);
        var longAgo = today.AddDays(-200);
        await using var connection = await _database.OpenConnectionAsync();
        await using (var fill = new NpgsqlCommand(
            $"""
            SELECT taifa_ledger_ensure_day('{longAgo:yyyy-MM-dd}'::date), taifa_ledger_ensure_day('{today:yyyy-MM-dd}'::date);
            INSERT INTO taifa_message (message_id, recipient_id, account_id, shard, status, mobile_number, network_id, sender_id, body, encoding,
                parts, cost, balance_after, channel, registered_delivery, accepted_at, updated_at)
            SELECT {LedgerDays.FirstId(today)} + g, g, g % 100, 'safaricom-' || (g % 4), 0, '254700000042', 1, 'SENDER', 'text', 0, 1, 1, 1, 0, false, now(), now()
            FROM generate_series(1, 20000) g;
            INSERT INTO taifa_message (message_id, recipient_id, account_id, shard, status, mobile_number, network_id, sender_id, body, encoding,
                parts, cost, balance_after, channel, registered_delivery, accepted_at, updated_at)
            SELECT {LedgerDays.FirstId(longAgo)} + g, g, 1, 'safaricom-0', 0, '254700000042', 1, 'SENDER', 'text', 0, 1, 1, 1, 0, false, now(), now()
            FROM generate_series(1, 7) g;
            """, connection))
        {
            await fill.ExecuteNonQueryAsync();
        }

        Assert.Equal(20_007, await Ledger.CountQueued());
        for (var batch = 0; batch < 19; batch++)
        {
            await using var dispatch = new NpgsqlCommand(
                $"UPDATE taifa_message SET status = {(batch % 2 == 0 ? 1 : 5)} WHERE message_id > {LedgerDays.FirstId(today) + batch * 1000} AND message_id <= {LedgerDays.FirstId(today) + (batch + 1) * 1000}",
                connection);
            await dispatch.ExecuteNonQueryAsync();
        }

        // Final states of submitted messages and updates of other columns leave the depth as it is.
        await using (var others = new NpgsqlCommand($"UPDATE taifa_message SET status = 2 WHERE status = 1; UPDATE taifa_message SET handed_off = true;", connection))
        {
            await others.ExecuteNonQueryAsync();
        }

        Assert.Equal(1_007, await Ledger.CountQueued());
        await Ledger.Maintain(DateTimeOffset.UtcNow);
        Assert.Equal(1_000, await Ledger.CountQueued());
        Assert.Equal(1_000, await Scalar("SELECT count(*) FROM taifa_message WHERE status = 0"));
        Assert.Equal(1, await Scalar("SELECT count(*) FROM taifa_queue_delta"));

        async Task<long> Scalar(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            return (long)(await command.ExecuteScalarAsync())!;
        }
    }

    [Fact]
    public async Task A_status_look_up_by_message_id_reads_one_partition()
    {
        await Ledger.Maintain(DateTimeOffset.UtcNow);
        await using var connection = await _database.OpenConnectionAsync();
        var id = LedgerDays.FirstId(LedgerDays.DayOf(DateTimeOffset.UtcNow)) + 5;
        var plan = await ExplainAsync(connection, $"SELECT * FROM taifa_message WHERE message_id = {id}", []);

        Assert.Single(plan, line => line.Contains("taifa_message_p", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_commit_that_cannot_reach_the_database_says_it_wrote_nothing()
    {
        var commit = new WalletCommit(7, Guid.NewGuid(), 0, DateTimeOffset.UtcNow, [], [], []) { OpeningBalance = 5m };
        await _database.SetAvailableAsync(false);
        NpgsqlConnection.ClearAllPools();

        var failure = await Assert.ThrowsAsync<LedgerNotWrittenException>(() => Ledger.Commit(commit));

        Assert.True(new PostgresWriteFailures().ProvablyNotWritten(failure));
        await _database.SetAvailableAsync(true);
        Assert.Null(await Ledger.ReadWallet(7));
    }

    /// <summary>Fills the ledger for a plan test (large: minutes on a loaded machine), then analyses it.</summary>
    private static async Task FillAsync(NpgsqlConnection connection, string sql)
    {
        await using var fill = new NpgsqlCommand(sql, connection) { CommandTimeout = 300 };
        await fill.ExecuteNonQueryAsync();
    }

    /// <summary>The planner's plan for <paramref name="sql"/>, one line per row of EXPLAIN.</summary>
    private static async Task<List<string>> ExplainAsync(NpgsqlConnection connection, string sql, NpgsqlParameter[] parameters)
    {
        await using var explain = new NpgsqlCommand("EXPLAIN " + sql, connection);
        explain.Parameters.AddRange(parameters);
        var plan = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync()) plan.Add(reader.GetString(0));
        return plan;
    }

    private static string Partition(DateOnly day) => "taifa_message_p" + day.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<List<string>> Partitions()
    {
        await using var connection = await _database.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT child.relname FROM pg_inherits
            JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
            JOIN pg_class child ON child.oid = pg_inherits.inhrelid
            WHERE parent.relname IN ('taifa_message', 'taifa_operator_part')
            """,
            connection);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        return names;
    }
}
