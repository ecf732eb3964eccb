using Taifa.Domain.Money;

namespace Taifa.Grains.Ledger;

/// <summary>The wallet row as a commit finds it (locked): its balance, version, and what its last commit did.</summary>
public sealed record WalletRow(decimal Balance, long Version, Guid? LastCommit, IReadOnlyList<long> LastAppliedRefunds);

/// <summary>An entry a commit appends, before the store numbers it.</summary>
public sealed record PlannedEntry(LedgerEntryKind Kind, decimal Amount, decimal BalanceAfter, long? MessageId, string? Reference);

/// <summary>
/// What a commit writes, decided the same way by every ledger implementation once the wallet row is locked: either a
/// repeat of the commit that made the row (nothing to write), a conflict, or the entries in order with their balances.
/// </summary>
public sealed record CommitPlan(IReadOnlyList<PlannedEntry> Entries, decimal Balance, IReadOnlyList<long> AppliedRefunds, IReadOnlyList<WalletCredit> AppliedCredits)
{
    public const string OpeningReference = "opening";

    /// <summary>Null when the commit already succeeded (a repeat: answer <see cref="RepeatOutcome"/>).</summary>
    /// <param name="alreadyApplied">Among the commit's refunds and credits, those the ledger already holds.</param>
    /// <exception cref="WalletConflictException">The row is at another version than the commit expects.</exception>
    public static CommitPlan? Decide(WalletCommit commit, WalletRow? row, Func<RefundDue, bool> refundApplied, Func<WalletCredit, bool> creditApplied)
    {
        if (IsRepeat(commit, row)) return null;
        if ((row?.Version ?? 0) != commit.ExpectedVersion) throw new WalletConflictException(commit.AccountId, commit.ExpectedVersion);

        var entries = new List<PlannedEntry>();
        var balance = row?.Balance ?? 0m;
        if (row is null && commit.OpeningBalance != 0m)
        {
            balance = Money.Round(commit.OpeningBalance);
            entries.Add(new PlannedEntry(LedgerEntryKind.Credit, balance, balance, null, OpeningReference));
        }

        foreach (var message in commit.Messages)
        {
            balance -= message.Record.Cost;
            entries.Add(new PlannedEntry(LedgerEntryKind.Debit, -message.Record.Cost, balance, message.Record.MessageId, null));
        }

        var references = new HashSet<(LedgerEntryKind, string)>();
        var appliedCredits = new List<WalletCredit>();
        foreach (var credit in commit.Credits)
        {
            if (!references.Add((credit.Kind, credit.Reference)) || creditApplied(credit)) continue;
            balance += Money.Round(credit.Amount);
            entries.Add(new PlannedEntry(credit.Kind, Money.Round(credit.Amount), balance, null, credit.Reference));
            appliedCredits.Add(credit);
        }

        var applied = new List<long>();
        foreach (var refund in commit.Refunds.DistinctBy(r => r.MessageId))
        {
            if (refund.Amount <= 0m || refundApplied(refund)) continue;
            balance += Money.Round(refund.Amount);
            entries.Add(new PlannedEntry(LedgerEntryKind.Refund, Money.Round(refund.Amount), balance, refund.MessageId, null));
            applied.Add(refund.MessageId);
        }

        foreach (var messageId in commit.RefundedBefore.Distinct())
        {
            if (applied.Contains(messageId) || refundApplied(new RefundDue(messageId, 0m))) continue;
            entries.Add(new PlannedEntry(LedgerEntryKind.Refund, 0m, balance, messageId, null));
        }

        return new CommitPlan(entries, balance, applied, appliedCredits);
    }

    public static bool IsRepeat(WalletCommit commit, WalletRow? row) =>
        row is not null && row.LastCommit == commit.CommitId && row.Version == commit.ExpectedVersion + 1;

    public static CommitOutcome RepeatOutcome(WalletCommit commit, WalletRow row) =>
        new(new Wallet(commit.AccountId, row.Balance, row.Version), row.LastAppliedRefunds, Repeated: true);

    public CommitOutcome Outcome(WalletCommit commit) =>
        new(new Wallet(commit.AccountId, Balance, commit.ExpectedVersion + 1), AppliedRefunds, Repeated: false) { AppliedCredits = AppliedCredits };
}
