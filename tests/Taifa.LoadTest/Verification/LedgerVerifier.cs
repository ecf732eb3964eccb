using Taifa.LoadTest.Gateway;
using Taifa.LoadTest.Reporting;

namespace Taifa.LoadTest.Verification;

/// <summary>
/// Proves through the public API that accepted = recorded = debited: every accepted message id (or a random
/// sample of them) is found by GET /v2/sms/status with the cost it was accepted at, and the wallet dropped by
/// exactly the sum of those costs. Assumes nothing else spends from the account during the run.
/// </summary>
public sealed class LedgerVerifier(CustomerClient customer, int lookupConcurrency)
{
    public sealed record Result(
        bool Passed,
        decimal BalanceBefore,
        decimal BalanceAfter,
        decimal AcceptedCost,
        int LookedUp,
        int Found,
        int Mismatched,
        IReadOnlyList<string> Problems,
        bool WasSkipped = false)
    {
        /// <summary>No ledger check (--no-verify): only the counts the run itself saw.</summary>
        public static Result Skipped(LoadRun run) => new(run.UnknownOutcomes == 0, 0m, 0m, run.AcceptedCost, 0, 0, 0,
            run.UnknownOutcomes == 0 ? [] : [$"{run.UnknownOutcomes} requests got no answer"], WasSkipped: true);
    }

    public async Task<Result> VerifyAsync(LoadRun run, decimal balanceBefore, decimal balanceAfter, int allLimit, int sample, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var accepted = run.Accepted;
        if (accepted.Count == 0) problems.Add("no send was accepted");
        if (run.UnknownOutcomes > 0)
        {
            problems.Add($"{run.UnknownOutcomes} requests failed in transport: their outcome is unknown, so the ledger cannot be proven");
        }

        var duplicates = accepted.Count - accepted.Select(a => a.MessageId).Distinct().Count();
        if (duplicates > 0) problems.Add($"{duplicates} message ids were handed out twice");

        var drop = balanceBefore - balanceAfter;
        var acceptedCost = run.AcceptedCost;
        if (drop != acceptedCost)
        {
            problems.Add($"balance dropped by {drop:0.00} but accepted sends cost {acceptedCost:0.00} (difference {drop - acceptedCost:0.00})");
        }

        var toCheck = accepted.Count <= allLimit ? accepted : Sample(accepted, sample);
        var found = 0;
        var mismatched = 0;
        var missing = 0;
        var failedLookups = 0;
        await Parallel.ForEachAsync(toCheck, new ParallelOptions { MaxDegreeOfParallelism = lookupConcurrency, CancellationToken = cancellationToken },
            async (message, token) =>
            {
                try
                {
                    var (status, messageId, cost) = await customer.StatusAsync(message.MessageId, token);
                    if (status != StatusCodes.Success) Interlocked.Increment(ref missing);
                    else if (messageId != message.MessageId || cost != message.Cost) Interlocked.Increment(ref mismatched);
                    else Interlocked.Increment(ref found);
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref failedLookups);
                }
            });

        if (missing > 0) problems.Add($"{missing} of {toCheck.Count} accepted message ids are unknown to /v2/sms/status");
        if (mismatched > 0) problems.Add($"{mismatched} of {toCheck.Count} status look-ups disagree on message id or cost");
        if (failedLookups > 0) problems.Add($"{failedLookups} status look-ups failed in transport");

        return new Result(problems.Count == 0, balanceBefore, balanceAfter, acceptedCost, toCheck.Count, found, mismatched, problems);
    }

    private static List<LoadRun.AcceptedMessage> Sample(IReadOnlyList<LoadRun.AcceptedMessage> accepted, int size)
    {
        var copy = accepted.ToArray();
        Random.Shared.Shuffle(copy);
        return [.. copy.Take(size)];
    }
}
