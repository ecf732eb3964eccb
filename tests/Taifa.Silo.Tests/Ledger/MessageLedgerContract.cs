using Microsoft.Extensions.Time.Testing;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Ids;
using Taifa.Domain.Text;
using Taifa.Grains.Ledger;

namespace Taifa.Silo.Tests.Ledger;

/// <summary>
/// What every <see cref="IMessageLedger"/> promises, run against each implementation (the in-process one of the embedded
/// default and test clusters, and PostgreSQL): the money rules first, then the message rows as queue and status.
/// </summary>
public abstract class MessageLedgerContract : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private readonly MessageIdGenerator _ids = new(Random.Shared.Next(0, MessageIdGenerator.MaxNodeId), TimeProvider.System);
    private readonly long _account = Random.Shared.NextInt64(1, long.MaxValue);

    protected IMessageLedger Ledger { get; private set; } = null!;

    protected abstract Task<IMessageLedger> CreateLedger();

    public async Task InitializeAsync() => Ledger = await CreateLedger();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_first_commit_opens_the_wallet_stores_the_messages_and_debits_each_once()
    {
        var messages = Messages(3, cost: 1.25m, startBalance: 10m);

        var outcome = await Ledger.Commit(Open(10m, messages));

        Assert.False(outcome.Repeated);
        Assert.Equal(new Wallet(_account, 6.25m, 1), outcome.Wallet);
        Assert.Equal(outcome.Wallet, await Ledger.ReadWallet(_account));
        var entries = await Ledger.ReadEntries(_account, 0, 100);
        Assert.Equal(
            [(LedgerEntryKind.Credit, 10m, 10m, null), (LedgerEntryKind.Debit, -1.25m, 8.75m, messages[0].Record.MessageId),
             (LedgerEntryKind.Debit, -1.25m, 7.50m, messages[1].Record.MessageId), (LedgerEntryKind.Debit, -1.25m, 6.25m, messages[2].Record.MessageId)],
            entries.Select(e => (e.Kind, e.Amount, e.BalanceAfter, e.MessageId)));
        var stored = await Ledger.FindMessages([.. messages.Select(m => m.Record.MessageId), 42]);
        Assert.Equal(messages.Select(m => m.Record).OrderBy(r => r.MessageId), stored.OrderBy(r => r.MessageId), RecordComparer.Instance);
    }

    [Fact]
    public async Task A_repeated_commit_changes_nothing_and_answers_as_the_first_did()
    {
        var commit = Open(5m, Messages(2, cost: 1m, startBalance: 5m));
        var first = await Ledger.Commit(commit);

        var repeat = await Ledger.Commit(commit);

        Assert.True(repeat.Repeated);
        Assert.Equal(first.Wallet, repeat.Wallet);
        Assert.Equal(3, (await Ledger.ReadEntries(_account, 0, 100)).Count);
    }

    [Fact]
    public async Task A_commit_from_a_stale_version_is_refused_and_writes_nothing()
    {
        await Ledger.Commit(Open(5m, []));
        var stale = Next(expectedVersion: 0, Messages(1, cost: 1m, startBalance: 5m));
        var ahead = Next(expectedVersion: 7, Messages(1, cost: 1m, startBalance: 5m));

        await Assert.ThrowsAsync<WalletConflictException>(() => Ledger.Commit(stale));
        await Assert.ThrowsAsync<WalletConflictException>(() => Ledger.Commit(ahead));

        Assert.Equal(new Wallet(_account, 5m, 1), await Ledger.ReadWallet(_account));
        Assert.Empty(await Ledger.FindMessages([stale.Messages[0].Record.MessageId, ahead.Messages[0].Record.MessageId]));
        Assert.Single(await Ledger.ReadEntries(_account, 0, 100));
    }

    [Fact]
    public async Task Of_two_activations_committing_from_one_version_exactly_one_wins()
    {
        await Ledger.Commit(Open(100m, []));
        var commits = Enumerable.Range(0, 8).Select(_ => Next(expectedVersion: 1, Messages(5, cost: 1m, startBalance: 100m))).ToList();

        var results = await Task.WhenAll(commits.Select(async c =>
        {
            try
            {
                await Ledger.Commit(c);
                return true;
            }
            catch (WalletConflictException)
            {
                return false;
            }
        }));

        Assert.Single(results, won => won);
        Assert.Equal(new Wallet(_account, 95m, 2), await Ledger.ReadWallet(_account));
        Assert.Equal(6, (await Ledger.ReadEntries(_account, 0, 100)).Count);
    }

    [Fact]
    public async Task A_message_already_in_the_ledger_is_never_debited_again_and_its_commit_writes_nothing()
    {
        var first = Messages(1, cost: 2m, startBalance: 10m);
        await Ledger.Commit(Open(10m, first));
        var again = Next(expectedVersion: 1, [first[0] with { Record = first[0].Record with { BalanceAfter = 6m } }, .. Messages(1, cost: 2m, startBalance: 6m)]);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Ledger.Commit(again));

        Assert.Equal(new Wallet(_account, 8m, 1), await Ledger.ReadWallet(_account));
        Assert.Empty(await Ledger.FindMessages([again.Messages[1].Record.MessageId]));
        Assert.Equal(2, (await Ledger.ReadEntries(_account, 0, 100)).Count);
    }

    [Fact]
    public async Task A_refund_is_due_once_final_and_credited_once_however_often_it_is_asked()
    {
        var messages = Messages(2, cost: 3m, startBalance: 10m);
        await Ledger.Commit(Open(10m, messages));
        var rejected = messages[0].Record.MessageId;
        await Ledger.RecordOutcomes([new MessageOutcome(rejected, MessageStatus.Rejected, Now) { ErrorCode = "0x45", Refund = 3m }]);
        var due = await Ledger.ReadRefundsDue(_account, 10);
        Assert.Equal([new RefundDue(rejected, 3m)], due);

        var refund = Next(expectedVersion: 1, [], refunds: [.. due, .. due]);
        var applied = await Ledger.Commit(refund);
        var repeatedCommit = await Ledger.Commit(refund);
        var askedAgain = await Ledger.Commit(Next(expectedVersion: 2, [], refunds: [new RefundDue(rejected, 3m)]));

        Assert.Equal([rejected], applied.AppliedRefunds);
        Assert.Equal([rejected], repeatedCommit.AppliedRefunds);
        Assert.Empty(askedAgain.AppliedRefunds);
        Assert.Equal(new Wallet(_account, 7m, 3), await Ledger.ReadWallet(_account));
        Assert.Empty(await Ledger.ReadRefundsDue(_account, 10));
        Assert.Single(await Ledger.ReadEntries(_account, 0, 100), e => e.Kind == LedgerEntryKind.Refund);
    }

    [Fact]
    public async Task Refunds_made_before_the_ledger_stay_made()
    {
        var messages = Messages(1, cost: 2m, startBalance: 10m);
        var earlier = Random.Shared.NextInt64(1, long.MaxValue);
        await Ledger.Commit(Open(10m, messages) with { RefundedBefore = [earlier] });

        var asked = await Ledger.Commit(Next(expectedVersion: 1, [], refunds: [new RefundDue(earlier, 2m)]));

        Assert.Empty(asked.AppliedRefunds);
        Assert.Equal(8m, (await Ledger.ReadWallet(_account))!.Balance);
        Assert.Equal(0m, Assert.Single(await Ledger.ReadEntries(_account, 0, 100), e => e.Kind == LedgerEntryKind.Refund).Amount);
    }

    [Fact]
    public async Task Committed_messages_wait_for_their_hand_off_by_account()
    {
        var messages = Messages(3, cost: 1m, startBalance: 10m);
        await Ledger.Commit(Open(10m, messages));

        await Ledger.MarkHandedOff([messages[1].Record.MessageId]);

        var waiting = await Ledger.ReadNotHandedOff(_account, 10);
        Assert.Equal([messages[0].Record.MessageId, messages[2].Record.MessageId], waiting.Select(m => m.Record.MessageId));
        Assert.Equal("safaricom-0", waiting[0].Shard);
        Assert.Empty(await Ledger.ReadNotHandedOff(_account + 1, 10));
    }

    [Fact]
    public async Task Scheduled_messages_wait_for_their_time_in_order_and_are_queued_once_handed_off()
    {
        var messages = Messages(5, cost: 1m, startBalance: 10m);
        LedgerMessage Scheduled(int i, TimeSpan from) =>
            messages[i] with { Record = messages[i].Record with { Status = MessageStatus.Scheduled, SendAt = Now + from } };
        messages[0] = Scheduled(0, TimeSpan.FromSeconds(-1));
        messages[1] = Scheduled(1, TimeSpan.FromSeconds(-3));
        messages[2] = Scheduled(2, TimeSpan.FromHours(1));
        messages[3] = Scheduled(3, TimeSpan.FromSeconds(-2));
        await Ledger.Commit(Open(10m, messages));
        var (first, second, later, third, now) = (messages[1].Record.MessageId, messages[3].Record.MessageId, messages[2].Record.MessageId,
            messages[0].Record.MessageId, messages[4].Record.MessageId);

        Assert.Equal([now], (await Ledger.ReadNotHandedOff(_account, 10)).Select(m => m.Record.MessageId));
        Assert.Equal([first, second, third], await Due(Now, null, 10));
        var page = (await Ledger.ReadScheduledDue(Now, null, 1000)).Where(r => r.AccountId == _account).Take(1).ToList();
        Assert.Equal([second, third], await Due(Now, ScheduledPosition.Of(page[0]), 10));
        Assert.Equal(messages[1].Record.SendAt!.Value.ToUnixTimeMilliseconds(), page[0].SendAt!.Value.ToUnixTimeMilliseconds());

        await Ledger.MarkHandedOff([first, now]);
        await Ledger.CancelScheduled([later, first], Now);

        Assert.Equal([second, third], await Due(Now + TimeSpan.FromHours(2), null, 10));
        var stored = (await Ledger.FindMessages([first, later, now])).ToDictionary(r => r.MessageId, r => r.Status);
        Assert.Equal((MessageStatus.Queued, MessageStatus.Cancelled, MessageStatus.Queued), (stored[first], stored[later], stored[now]));
        Assert.Empty(await Ledger.ReadNotHandedOff(_account, 10));
    }

    [Fact]
    public async Task Queued_messages_past_their_validity_are_found_earliest_first_and_no_others()
    {
        var messages = Messages(4, cost: 1m, startBalance: 10m);
        LedgerMessage Valid(int i, TimeSpan until) => messages[i] with { Record = messages[i].Record with { ExpiresAt = Now + until } };
        messages[0] = Valid(0, TimeSpan.FromSeconds(-5));
        messages[1] = Valid(1, TimeSpan.FromSeconds(-10));
        messages[2] = Valid(2, TimeSpan.FromMinutes(5));
        messages[3] = Valid(3, TimeSpan.FromSeconds(-1));
        await Ledger.Commit(Open(10m, messages));
        await Ledger.RecordOutcomes([new MessageOutcome(messages[3].Record.MessageId, MessageStatus.Submitted, Now) { OperatorName = "op", OperatorPartIds = ["x1"] }]);

        var mine = messages.Select(m => m.Record.MessageId).ToHashSet();
        var expired = (await Ledger.ReadExpiredQueued(Now, 1000)).Where(mine.Contains).ToList();

        Assert.Equal([messages[1].Record.MessageId, messages[0].Record.MessageId], expired);
    }

    [Fact]
    public async Task Retention_keeps_a_day_that_still_holds_a_scheduled_message()
    {
        var old = Messages(2, cost: 1m, startBalance: 10m, acceptedAt: Now.AddDays(-91));
        old[1] = old[1] with { Record = old[1].Record with { Status = MessageStatus.Scheduled, SendAt = Now.AddMinutes(5) } };
        await Ledger.Commit(Open(10m, old));

        await Ledger.Maintain(Now);

        Assert.Contains(old[1].Record.MessageId, (await Ledger.FindMessages([.. old.Select(m => m.Record.MessageId)])).Select(r => r.MessageId));
    }

    private async Task<List<long>> Due(DateTimeOffset now, ScheduledPosition? after, int limit) =>
        [.. (await Ledger.ReadScheduledDue(now, after, 1000)).Where(r => r.AccountId == _account).Take(limit).Select(r => r.MessageId)];

    [Fact]
    public async Task A_credit_is_unique_per_reference()
    {
        await Ledger.Commit(Open(0m, []));
        var topUp = new WalletCredit(LedgerEntryKind.TopUp, 50m, "mpesa:QK12");

        await Ledger.Commit(Next(expectedVersion: 1, [], credits: [topUp, topUp]));
        await Ledger.Commit(Next(expectedVersion: 2, [], credits: [topUp, new WalletCredit(LedgerEntryKind.Credit, 5m, "mpesa:QK12")]));

        Assert.Equal(new Wallet(_account, 55m, 3), await Ledger.ReadWallet(_account));
    }

    /// <summary>
    /// Random traffic with lost answers (repeated commits), repeated refunds and repeated credits: whatever the order,
    /// every accepted message is debited once, no message is refunded twice, and the balance is the sum of the entries.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Money_every_debit_once_refunds_at_most_once_balance_is_the_sum_of_entries(int seed)
    {
        var random = new Random(seed);
        var balance = 1_000m;
        var version = (await Ledger.Commit(Open(balance, []))).Wallet.Version;
        var accepted = new List<long>();
        var refundable = new List<RefundDue>();
        for (var round = 0; round < 40; round++)
        {
            var cost = Math.Round((decimal)random.Next(1, 500) / 100, 2);
            var messages = Messages(random.Next(0, 6), cost, balance);
            var refunds = refundable.Where(_ => random.Next(3) == 0).ToList();
            var credits = random.Next(4) == 0 ? [new WalletCredit(LedgerEntryKind.TopUp, 10m, $"ref-{random.Next(5)}")] : new List<WalletCredit>();
            var commit = Next(version, messages, credits, refunds);
            var outcome = await Ledger.Commit(commit);
            if (random.Next(4) == 0)
            {
                var repeat = await Ledger.Commit(commit);
                Assert.Equal((outcome.Wallet, true), (repeat.Wallet, repeat.Repeated));
                Assert.Equal(outcome.AppliedRefunds, repeat.AppliedRefunds);
            }

            version = outcome.Wallet.Version;
            balance = outcome.Wallet.Balance;
            accepted.AddRange(messages.Select(m => m.Record.MessageId));
            var final = messages.Where(_ => random.Next(2) == 0).Select(m => new MessageOutcome(m.Record.MessageId, MessageStatus.Undelivered, Now) { Refund = m.Record.Cost }).ToList();
            await Ledger.RecordOutcomes(final);
            refundable.AddRange(final.Select(f => new RefundDue(f.MessageId, f.Refund)));
        }

        var entries = await Ledger.ReadEntries(_account, 0, 10_000);
        Assert.Equal(accepted.Order(), entries.Where(e => e.Kind == LedgerEntryKind.Debit).Select(e => e.MessageId!.Value).Order());
        var refunded = entries.Where(e => e.Kind == LedgerEntryKind.Refund).Select(e => e.MessageId!.Value).ToList();
        Assert.Equal(refunded.Distinct().Count(), refunded.Count);
        Assert.All(refunded, id => Assert.Contains(refundable, r => r.MessageId == id));
        var running = 0m;
        foreach (var entry in entries)
        {
            running += entry.Amount;
            Assert.Equal(running, entry.BalanceAfter);
        }

        Assert.Equal(running, (await Ledger.ReadWallet(_account))!.Balance);
        Assert.Equal(balance, running);
    }

    [Fact]
    public async Task A_message_moves_only_forward_and_a_repeated_or_late_answer_is_a_no_op()
    {
        var messages = Messages(1, cost: 1m, startBalance: 5m);
        await Ledger.Commit(Open(5m, messages));
        var id = messages[0].Record.MessageId;
        var submitted = new MessageOutcome(id, MessageStatus.Submitted, Now) { OperatorName = "safaricom", OperatorPartIds = ["b", "a"] };

        Assert.Equal([id], await Ledger.RecordOutcomes([submitted]));
        Assert.Empty(await Ledger.RecordOutcomes([submitted with { OperatorPartIds = ["c"] }]));
        Assert.Equal([id], await Ledger.RecordOutcomes([new MessageOutcome(id, MessageStatus.Delivered, Now.AddSeconds(3))]));
        Assert.Empty(await Ledger.RecordOutcomes([new MessageOutcome(id, MessageStatus.Rejected, Now.AddSeconds(4)) { Refund = 1m }]));

        var stored = Assert.Single(await Ledger.FindMessages([id]));
        Assert.Equal(MessageStatus.Delivered, stored.Status);
        Assert.Equal("safaricom", stored.OperatorName);
        Assert.Equal(["b", "a"], stored.OperatorPartIds);
        Assert.Equal(Now, stored.SubmittedAt!.Value, TimeSpan.FromMilliseconds(1));
        Assert.Equal(Now.AddSeconds(3), stored.DoneAt!.Value, TimeSpan.FromMilliseconds(1));
        Assert.Empty(await Ledger.ReadRefundsDue(_account, 10));
    }

    [Fact]
    public async Task A_shard_reads_its_queued_messages_in_order_page_by_page()
    {
        var messages = Messages(5, cost: 1m, startBalance: 10m, shard: "safaricom-0");
        var other = Messages(2, cost: 1m, startBalance: 5m, shard: "airtel-0");
        await Ledger.Commit(Open(10m, [.. messages, .. other]));
        await Ledger.RecordOutcomes([new MessageOutcome(messages[1].Record.MessageId, MessageStatus.Submitted, Now) { OperatorName = "safaricom", OperatorPartIds = ["x"] }]);
        var queued = new[] { 0, 2, 3, 4 }.Select(i => messages[i].Record.MessageId).ToList();

        var firstPage = await Ledger.ReadQueued("safaricom-0", 0, 2);
        var secondPage = await Ledger.ReadQueued("safaricom-0", firstPage[^1].MessageId, 10);

        Assert.Equal(queued, [.. firstPage.Select(r => r.MessageId), .. secondPage.Select(r => r.MessageId)]);
        Assert.Empty(await Ledger.ReadQueued("safaricom-0", queued[^1], 10));
    }

    [Fact]
    public async Task Receipts_are_matched_by_operator_id_and_the_first_one_per_part_counts()
    {
        var messages = Messages(2, cost: 1m, startBalance: 5m);
        await Ledger.Commit(Open(5m, messages));
        var (one, two) = (messages[0].Record.MessageId, messages[1].Record.MessageId);
        await Ledger.RecordOutcomes([
            new MessageOutcome(one, MessageStatus.Submitted, Now) { OperatorName = "op", OperatorPartIds = ["A1", "A2"] },
            new MessageOutcome(two, MessageStatus.Submitted, Now) { OperatorName = "op", OperatorPartIds = ["B1"] },
        ]);

        var matched = await Ledger.RecordReceipts([
            new PartReceipt("op", "A2", MessageStatus.Delivered, null, Now),
            new PartReceipt("op", "B1", MessageStatus.Rejected, "0x0B", Now),
            new PartReceipt("op", "B1", MessageStatus.Delivered, null, Now),
            new PartReceipt("op", "nobody", MessageStatus.Delivered, null, Now),
            new PartReceipt("other-op", "A1", MessageStatus.Delivered, null, Now),
        ], Now.AddDays(-7));
        var repeat = await Ledger.RecordReceipts([new PartReceipt("op", "B1", MessageStatus.Delivered, null, Now)], Now.AddDays(-7));

        Assert.Equal(
            [new OperatorPart("op", "A2", one, 1, MessageStatus.Delivered), new OperatorPart("op", "B1", two, 0, MessageStatus.Rejected)],
            matched.OrderBy(p => p.OperatorMessageId));
        Assert.Equal([new OperatorPart("op", "B1", two, 0, MessageStatus.Rejected)], repeat);
        Assert.Equal(
            [new OperatorPart("op", "A1", one, 0, null), new OperatorPart("op", "A2", one, 1, MessageStatus.Delivered)],
            (await Ledger.FindByOperatorIds("op", ["A1", "A2", "zz"], Now.AddDays(-7))).OrderBy(p => p.Part));
        Assert.Empty(await Ledger.FindByOperatorIds("op", ["A1"], Now.AddDays(1)));
    }

    [Fact]
    public async Task A_final_message_owes_its_follow_ups_until_they_are_recorded_done()
    {
        var withCallback = Messages(1, cost: 1m, startBalance: 5m, dlrUrl: "https://customer.example/dlr");
        var silent = Messages(1, cost: 1m, startBalance: 4m);
        await Ledger.Commit(Open(5m, [.. withCallback, .. silent]));
        var id = withCallback[0].Record.MessageId;
        await Ledger.RecordOutcomes([
            new MessageOutcome(id, MessageStatus.Failed, Now) { ErrorCode = "no route" },
            new MessageOutcome(silent[0].Record.MessageId, MessageStatus.Failed, Now),
        ]);

        Assert.Empty(await Ledger.ReadFollowUpsDue(Now.AddSeconds(-1), 10));
        var due = Assert.Single(await Ledger.ReadFollowUpsDue(Now, 10));
        Assert.Equal((id, true, false, 0), (due.MessageId, due.StatusCallback, due.SmppReceipt, due.Attempts));

        await Ledger.RecordFollowUps([due with { Attempts = 1, NextAttemptAt = Now.AddMinutes(1) }]);
        Assert.Empty(await Ledger.ReadFollowUpsDue(Now.AddSeconds(59), 10));
        Assert.Equal(1, Assert.Single(await Ledger.ReadFollowUpsDue(Now.AddMinutes(1), 10)).Attempts);

        await Ledger.RecordFollowUps([due with { StatusCallback = false, Attempts = 2 }]);
        Assert.Empty(await Ledger.ReadFollowUpsDue(Now.AddDays(1), 10));
    }

    [Fact]
    public async Task A_final_message_owes_its_refund_until_the_account_applies_it()
    {
        var messages = Messages(1, cost: 3m, startBalance: 10m);
        await Ledger.Commit(Open(10m, messages));
        var rejected = messages[0].Record.MessageId;
        await Ledger.RecordOutcomes([new MessageOutcome(rejected, MessageStatus.Rejected, Now) { Refund = 3m }]);

        var due = Assert.Single(await Ledger.ReadFollowUpsDue(Now, 10));
        Assert.Equal((rejected, false, false, 3m), (due.MessageId, due.StatusCallback, due.SmppReceipt, due.RefundDue));

        // Applied by the account, but the row not yet told: nothing is owed in money any more.
        await Ledger.Commit(Next(expectedVersion: 1, [], refunds: [new RefundDue(rejected, 3m)]));
        Assert.Equal(0m, Assert.Single(await Ledger.ReadFollowUpsDue(Now, 10)).RefundDue);

        await Ledger.RecordFollowUps([due with { RefundDue = 0m }]);
        Assert.Empty(await Ledger.ReadFollowUpsDue(Now.AddDays(1), 10));
    }

    [Fact]
    public async Task Retention_drops_whole_days_of_messages_and_keeps_the_money()
    {
        var old = Messages(2, cost: 1m, startBalance: 10m, acceptedAt: Now.AddDays(-91));
        var kept = Messages(1, cost: 1m, startBalance: 8m, acceptedAt: Now.AddDays(-89));
        await Ledger.Commit(Open(10m, [.. old, .. kept]));

        await Ledger.Maintain(Now);

        Assert.Equal([kept[0].Record.MessageId], (await Ledger.FindMessages([.. old.Select(m => m.Record.MessageId), kept[0].Record.MessageId])).Select(r => r.MessageId));
        Assert.Equal(4, (await Ledger.ReadEntries(_account, 0, 100)).Count);
        Assert.Equal(7m, (await Ledger.ReadWallet(_account))!.Balance);
    }

    [Fact]
    public async Task History_pages_an_accounts_own_messages_newest_first_by_its_filters()
    {
        // Ids given at the acceptance time, as at intake (ids bound the days a time filter reads).
        var messages = Messages(7, cost: 0.5m, startBalance: 10m, acceptedAt: Now);
        await Ledger.Commit(Open(10m, messages));
        var otherAccount = _account ^ 1;
        var others = Messages(2, cost: 1m, startBalance: 5m).Select(m => m with { Record = m.Record with { AccountId = otherAccount } }).ToList();
        await Ledger.Commit(new WalletCommit(otherAccount, Guid.NewGuid(), 0, Now, others, [], []) { OpeningBalance = 5m });
        var newestFirst = messages.Select(m => m.Record.MessageId).Reverse().ToList();

        var pages = new List<long>();
        var filter = new MessageHistoryFilter();
        while (true)
        {
            var page = await Ledger.ReadHistory(_account, filter, 3);
            pages.AddRange(page.Select(r => r.MessageId));
            if (page.Count < 3) break;
            filter = filter with { BeforeMessageId = page[^1].MessageId };
        }

        Assert.Equal(newestFirst, pages);
        Assert.Equal(others.Select(m => m.Record.MessageId).Reverse(), (await Ledger.ReadHistory(otherAccount, new(), 50)).Select(r => r.MessageId));
        Assert.Equal(messages[6].Record, (await Ledger.ReadHistory(_account, new(), 1))[0], RecordComparer.Instance);

        async Task<IEnumerable<long>> Ids(MessageHistoryFilter f) => (await Ledger.ReadHistory(_account, f, 50)).Select(r => r.MessageId);
        Assert.Equal([messages[2].Record.MessageId], await Ids(new(MobileNumber: messages[2].Record.MobileNumber)));
        Assert.Equal(newestFirst, await Ids(new(SenderId: "TAIFA")));
        Assert.Empty(await Ids(new(SenderId: "OTHER")));
        // PostgreSQL keeps microseconds: a millisecond either side of the acceptance time.
        Assert.Equal(newestFirst, await Ids(new(From: Now.AddMilliseconds(-1), Until: Now.AddMilliseconds(1))));
        Assert.Empty(await Ids(new(From: Now.AddMilliseconds(1))));
        Assert.Empty(await Ids(new(Until: Now.AddMilliseconds(-1))));
        Assert.Equal(newestFirst.Skip(4), await Ids(new(BeforeMessageId: newestFirst[3], MobileNumber: null, SenderId: "TAIFA")));
    }

    [Fact]
    public async Task Messages_are_counted_per_Nairobi_day_and_status_as_the_ledger_holds_them()
    {
        // Nairobi is UTC+3: a minute after its midnight is still the previous UTC day.
        var today = LedgerDays.NairobiDayOf(Now);
        var midnight = LedgerDays.NairobiStartOf(today);
        var older = Messages(1, cost: 1m, startBalance: 20m, acceptedAt: midnight.AddDays(-2));
        var yesterday = Messages(2, cost: 1m, startBalance: 19m, acceptedAt: midnight.AddMinutes(-1));
        var todays = Messages(3, cost: 1m, startBalance: 17m, acceptedAt: midnight.AddMinutes(1));
        await Ledger.Commit(Open(20m, [.. older, .. yesterday, .. todays]));
        var otherAccount = _account ^ 1;
        var others = Messages(2, cost: 1m, startBalance: 5m, acceptedAt: midnight.AddMinutes(2))
            .Select(m => m with { Record = m.Record with { AccountId = otherAccount } }).ToList();
        await Ledger.Commit(new WalletCommit(otherAccount, Guid.NewGuid(), 0, Now, others, [], []) { OpeningBalance = 5m });
        await Ledger.RecordOutcomes([
            new MessageOutcome(todays[0].Record.MessageId, MessageStatus.Delivered, Now),
            new MessageOutcome(todays[2].Record.MessageId, MessageStatus.Delivered, Now),
            new MessageOutcome(yesterday[1].Record.MessageId, MessageStatus.Rejected, Now) { ErrorCode = "0x45" },
        ]);

        var counts = await Ledger.CountByDay(_account, midnight.AddDays(-1), midnight.AddDays(1));

        Assert.Equal(
            [new(today.AddDays(-1), MessageStatus.Queued, 1), new(today.AddDays(-1), MessageStatus.Rejected, 1),
             new(today, MessageStatus.Queued, 1), new DailyStatusCount(today, MessageStatus.Delivered, 2)],
            counts);
        Assert.Equal(3, (await Ledger.CountByDay(_account, midnight.AddDays(-7), midnight)).Sum(c => c.Count));
        Assert.Empty(await Ledger.CountByDay(_account, midnight.AddDays(1), midnight.AddDays(8)));
    }

    [Fact]
    public async Task The_queue_depth_is_the_count_of_queued_messages_of_every_shard()
    {
        var messages = Messages(4, cost: 1m, startBalance: 10m, shard: "safaricom-0");
        var other = Messages(2, cost: 1m, startBalance: 6m, shard: "airtel-1");
        await Ledger.Commit(Open(10m, [.. messages, .. other]));
        Assert.Equal(6, await Ledger.CountQueued());

        await Ledger.RecordOutcomes([
            new MessageOutcome(messages[0].Record.MessageId, MessageStatus.Submitted, Now) { OperatorName = "safaricom", OperatorPartIds = ["q1"] },
            new MessageOutcome(messages[1].Record.MessageId, MessageStatus.Cancelled, Now) { Refund = 1m },
            new MessageOutcome(other[0].Record.MessageId, MessageStatus.Rejected, Now) { ErrorCode = "0x0B", Refund = 1m },
        ]);
        Assert.Equal(3, await Ledger.CountQueued());

        // A receipt or a final state of a message already out of the queue changes nothing.
        await Ledger.RecordOutcomes([new MessageOutcome(messages[0].Record.MessageId, MessageStatus.Delivered, Now)]);
        Assert.Equal(3, await Ledger.CountQueued());
    }

    [Fact]
    public async Task History_filters_by_current_status()
    {
        var messages = Messages(4, cost: 1m, startBalance: 10m, acceptedAt: Now);
        await Ledger.Commit(Open(10m, messages));
        var (delivered, cancelled) = (messages[1].Record.MessageId, messages[2].Record.MessageId);
        await Ledger.RecordOutcomes([
            new MessageOutcome(delivered, MessageStatus.Submitted, Now) { OperatorName = "op", OperatorPartIds = ["h1"] },
            new MessageOutcome(cancelled, MessageStatus.Cancelled, Now) { Refund = 1m },
        ]);
        await Ledger.RecordOutcomes([new MessageOutcome(delivered, MessageStatus.Delivered, Now)]);

        async Task<IEnumerable<long>> Ids(MessageStatus status) =>
            (await Ledger.ReadHistory(_account, new(Status: status), 50)).Select(r => r.MessageId);
        Assert.Equal([delivered], await Ids(MessageStatus.Delivered));
        Assert.Equal([cancelled], await Ids(MessageStatus.Cancelled));
        Assert.Equal([messages[3].Record.MessageId, messages[0].Record.MessageId], await Ids(MessageStatus.Queued));
        Assert.Empty(await Ids(MessageStatus.Submitted));
    }

    [Fact]
    public async Task A_recycled_operator_id_gives_each_receipt_to_the_earliest_message_still_waiting_for_it()
    {
        var messages = Messages(2, cost: 1m, startBalance: 5m);
        await Ledger.Commit(Open(5m, messages));
        var (earlier, later) = (messages[0].Record.MessageId, messages[1].Record.MessageId);
        await Ledger.RecordOutcomes([
            new MessageOutcome(earlier, MessageStatus.Submitted, Now) { OperatorName = "op", OperatorPartIds = ["R1", "R1"] },
            new MessageOutcome(later, MessageStatus.Submitted, Now) { OperatorName = "op", OperatorPartIds = ["R1"] },
        ]);

        var first = await Ledger.RecordReceipts([new PartReceipt("op", "R1", MessageStatus.Delivered, null, Now)], Now.AddDays(-7));
        var second = await Ledger.RecordReceipts([new PartReceipt("op", "R1", MessageStatus.Undelivered, "001", Now)], Now.AddDays(-7));
        var repeat = await Ledger.RecordReceipts([new PartReceipt("op", "R1", MessageStatus.Delivered, null, Now)], Now.AddDays(-7));

        Assert.Equal(
            [new OperatorPart("op", "R1", earlier, 0, MessageStatus.Delivered), new OperatorPart("op", "R1", earlier, 1, MessageStatus.Delivered)],
            first.OrderBy(p => p.Part));
        Assert.Equal([new OperatorPart("op", "R1", later, 0, MessageStatus.Undelivered)], second);
        Assert.Equal([earlier, earlier, later], repeat.Select(p => p.MessageId).Order());
    }

    [Fact]
    public async Task An_accounts_messages_to_a_number_are_found_newest_first_within_the_days_asked_with_their_shard()
    {
        var earlier = Messages(1, cost: 1m, startBalance: 10m, acceptedAt: Now.AddDays(-2));
        var messages = Messages(3, cost: 1m, startBalance: 9m, shard: "airtel-1");
        var number = messages[0].Record.MobileNumber;
        var others = messages.Where(m => m.Record.MobileNumber != number).ToList();
        var sameNumber = earlier.Select(m => m with { Record = m.Record with { MobileNumber = number } }).ToList();
        await Ledger.Commit(Open(10m, [.. sameNumber, .. messages]));
        await Ledger.RecordOutcomes([new MessageOutcome(messages[0].Record.MessageId, MessageStatus.Submitted, Now) { OperatorName = "airtel", OperatorPartIds = ["P1"] }]);

        var found = await Ledger.FindByRecipient(_account, number, Now.AddDays(-3), DateTimeOffset.UtcNow.AddMinutes(1), 10);
        var recent = await Ledger.FindByRecipient(_account, number, Now.AddDays(-1), DateTimeOffset.UtcNow.AddMinutes(1), 10);
        var newest = Assert.Single(await Ledger.FindByRecipient(_account, number, Now.AddDays(-3), DateTimeOffset.UtcNow.AddMinutes(1), 1));

        Assert.Equal([messages[0].Record.MessageId, sameNumber[0].Record.MessageId], found.Select(m => m.Record.MessageId));
        Assert.Equal([messages[0].Record.MessageId], recent.Select(m => m.Record.MessageId));
        Assert.Equal(messages[0].Record.MessageId, newest.Record.MessageId);
        Assert.Equal(("airtel-1", MessageStatus.Submitted, "airtel"), (found[0].Shard, found[0].Record.Status, found[0].Record.OperatorName));
        Assert.Equal(["P1"], found[0].Record.OperatorPartIds);
        Assert.Empty(found[0].LostPartIds);
        Assert.Empty(await Ledger.FindByRecipient(_account, number, Now.AddDays(-3), Now.AddDays(-2).AddMinutes(-1), 10));
        Assert.Empty(await Ledger.FindByRecipient(_account ^ 1, number, Now.AddDays(-3), DateTimeOffset.UtcNow.AddMinutes(1), 10));
        Assert.All(others, o => Assert.DoesNotContain(found, f => f.Record.MessageId == o.Record.MessageId));
    }

    [Fact]
    public async Task A_lost_id_mapped_to_a_part_is_found_by_its_receipts_and_leaves_the_recorded_ids_as_they_were()
    {
        var messages = Messages(1, cost: 1m, startBalance: 5m);
        await Ledger.Commit(Open(5m, messages));
        var id = messages[0].Record.MessageId;
        await Ledger.RecordOutcomes([new MessageOutcome(id, MessageStatus.Submitted, Now) { OperatorName = "op", OperatorPartIds = ["N1", "N2"] }]);

        Assert.True(await Ledger.MapLostPart(id, 1, "op", "L2"));
        Assert.False(await Ledger.MapLostPart(id, 1, "op", "L2"));
        Assert.True(await Ledger.MapLostPart(id, 1, "op", "L2b"));
        Assert.True(await Ledger.MapLostPart(id, 0, "op", "L1"));
        Assert.False(await Ledger.MapLostPart(messages[0].Record.MessageId + 1, 0, "op", "L9"));

        var receipt = await Ledger.RecordReceipts([new PartReceipt("op", "L2", MessageStatus.Delivered, null, Now)], Now.AddDays(-7));
        var repeat = await Ledger.RecordReceipts([new PartReceipt("op", "L2", MessageStatus.Undelivered, "001", Now)], Now.AddDays(-7));

        var part = Assert.Single(receipt);
        Assert.Equal((id, 1, MessageStatus.Delivered), (part.MessageId, part.LostFor, part.Status));
        Assert.Equal([(id, 1, MessageStatus.Delivered)], repeat.Select(p => (p.MessageId, p.LostFor, p.Status)));
        Assert.Equal([0, 1, 1], (await Ledger.FindByOperatorIds("op", ["L2", "L2b", "L1"], Now.AddDays(-7))).OrderBy(p => p.OperatorMessageId, StringComparer.Ordinal).Select(p => p.LostFor));
        Assert.Equal(["N1", "N2"], Assert.Single(await Ledger.FindMessages([id])).OperatorPartIds);
        var found = Assert.Single(await Ledger.FindByRecipient(_account, messages[0].Record.MobileNumber, Now.AddDays(-1), DateTimeOffset.UtcNow.AddMinutes(1), 10));
        Assert.Equal(["N1", "N2"], found.Record.OperatorPartIds);
        Assert.Equal(["L1", "L2", "L2b"], found.LostPartIds);
    }

    private WalletCommit Open(decimal balance, IReadOnlyList<LedgerMessage> messages) =>
        new(_account, Guid.NewGuid(), 0, Now, messages, [], []) { OpeningBalance = balance };

    private WalletCommit Next(long expectedVersion, IReadOnlyList<LedgerMessage> messages, IReadOnlyList<WalletCredit>? credits = null, IReadOnlyList<RefundDue>? refunds = null) =>
        new(_account, Guid.NewGuid(), expectedVersion, Now, messages, credits ?? [], refunds ?? []);

    /// <summary>Messages as an account accepts them: each debited from the balance before it.</summary>
    private List<LedgerMessage> Messages(int count, decimal cost, decimal startBalance, string shard = "safaricom-0", string? dlrUrl = null, DateTimeOffset? acceptedAt = null)
    {
        var ids = acceptedAt is { } at ? new MessageIdGenerator(1, new FakeTimeProvider(at)) : _ids;
        var at2 = acceptedAt ?? Now;
        var balance = startBalance;
        return Enumerable.Range(0, count).Select(i =>
        {
            balance -= cost;
            var record = new MessageRecord
            {
                MessageId = ids.Next(),
                RecipientId = ids.Next(),
                AccountId = _account,
                MobileNumber = "+2547000000" + (i % 100).ToString("00", System.Globalization.CultureInfo.InvariantCulture),
                NetworkId = 1,
                SenderId = "TAIFA",
                Text = "Habari " + i,
                Encoding = i % 2 == 0 ? SmsEncoding.Gsm7 : SmsEncoding.Ucs2,
                Parts = 1 + (i % 3),
                Cost = cost,
                ServiceId = i % 2 == 0 ? null : "svc",
                Channel = i % 2 == 0 ? MessageChannel.Rest : MessageChannel.Smpp,
                AcceptedAt = at2,
                UpdatedAt = at2,
                RegisteredDelivery = i % 2 == 1,
                DlrUrl = dlrUrl,
                Segment = i % 3 == 2 ? new SegmentInfo(7, 3, 2) : null,
                BalanceAfter = balance,
            };
            return new LedgerMessage(record, shard);
        }).ToList();
    }

    /// <summary>Records equal as stored: timestamps to the microsecond PostgreSQL keeps, part ids by content.</summary>
    private sealed class RecordComparer : IEqualityComparer<MessageRecord>
    {
        public static readonly RecordComparer Instance = new();

        public bool Equals(MessageRecord? x, MessageRecord? y) =>
            x is not null && y is not null && Normal(x) == Normal(y) && x.OperatorPartIds.SequenceEqual(y.OperatorPartIds);

        public int GetHashCode(MessageRecord obj) => obj.MessageId.GetHashCode();

        private static MessageRecord Normal(MessageRecord r) => r with
        {
            AcceptedAt = Truncate(r.AcceptedAt),
            UpdatedAt = Truncate(r.UpdatedAt),
            SendAt = r.SendAt is { } sendAt ? Truncate(sendAt) : null,
            OperatorPartIds = [],
        };

        private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % 10, TimeSpan.Zero);
    }
}

public sealed class InProcessMessageLedgerTests : MessageLedgerContract
{
    protected override Task<IMessageLedger> CreateLedger() => Task.FromResult<IMessageLedger>(new InProcessMessageLedger());
}
