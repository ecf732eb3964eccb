using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Taifa.Cluster.Tests.Infrastructure;

namespace Taifa.FaultInjection;

/// <summary>Timing of a run: how long each part of a phase lasts and how long the checks may wait.</summary>
public sealed record SuiteShape(
    string Name,
    LoadShape Load,
    TimeSpan Warmup,
    TimeSpan Hold,
    TimeSpan Tail,
    TimeSpan RecoveryLimit,
    TimeSpan SettleTimeout,
    IReadOnlyList<Fault> Faults,
    bool BackupRoute = false);

/// <summary>
/// The run: one private PostgreSQL server, one two-silo cluster, accounts with SMPP binds, and then each fault in
/// turn under mixed load, followed by the checks. A silo that died or drained is replaced before the next phase.
/// </summary>
public sealed class FaultSuite(SuiteShape shape, TextWriter output)
{
    public const int Accounts = 4;
    private static readonly decimal[] Prices = [0.73m, 1.00m, 1.37m, 2.05m];
    private const decimal Opening = 100_000.00m;
    private const decimal PhaseCredit = 10.01m;
    private static readonly string[] FinalStates = ["delivered", "undelivered", "expired", "rejected", "failed"];

    // The simulator never answers a receipt EXPIRED: an expired message expired waiting in the gateway, refunded whole.
    private static readonly string[] RefundedStates = ["rejected", "failed", "expired"];

    private readonly Ledger _ledger = new();

    /// <summary>Final status of every accepted message checked so far (the wallet check is cumulative).</summary>
    private readonly ConcurrentDictionary<string, string> _finalStatus = new();

    /// <summary>Ambiguous sends found charged (seen at the operator), over all phases.</summary>
    private readonly List<AmbiguousSend> _ambiguousCharged = [];

    public static IReadOnlyDictionary<string, string> SiloSettings { get; } = new Dictionary<string, string>
    {
        ["Taifa__ShutdownTimeout"] = "00:00:10",
        // The receipt listener (the customers' dlr_url) is on loopback.
        ["Taifa__Api__AllowPrivateCallbackTargets"] = "true",
        // A stalled operator is noticed after 3 s instead of 10: the stall phase stays short.
        [$"Taifa__Operators__{TestCluster.OperatorName}__ResponseTimeout"] = "00:00:03",
    };

    public async Task<IReadOnlyList<PhaseResult>> RunAsync()
    {
        Log($"{shape.Name} run: {shape.Faults.Count} faults, load {shape.Load.Describe(Accounts)}, {Environment.ProcessorCount} cores, load average {LoadAverage()}");
        await using var postgres = await PrivatePostgres.StartAsync();
        Environment.SetEnvironmentVariable("TAIFA_TEST_PG", postgres.AdminConnectionString);
        Log($"private PostgreSQL on 127.0.0.1:{postgres.Port}");
        await using var cluster = await FaultCluster.StartAsync(SiloSettings, shape.BackupRoute);
        Log($"silos {cluster[0].Name} and {cluster[1].Name} ready (logs under {SiloBinaries.RunDirectory})");
        await using var dlr = new ReceiptListener(_ledger);
        var accounts = await OpenAccountsAsync(cluster);
        var links = accounts.Select(a => new CustomerLink(a, cluster, _ledger)).ToList();
        try
        {
            var results = new List<PhaseResult>();
            for (var phase = 0; phase < shape.Faults.Count; phase++)
            {
                var replaced = await cluster.ReplaceExitedAsync();
                if (replaced.Count > 0) Log($"replaced exited silos: started {string.Join(", ", replaced)}");
                results.Add(await RunPhaseAsync(phase, shape.Faults[phase], cluster, postgres, accounts, links, dlr));
            }

            return results;
        }
        finally
        {
            foreach (var link in links) await link.DisposeAsync();
        }
    }

    private async Task<PhaseResult> RunPhaseAsync(int phase, Fault fault, FaultCluster cluster, PrivatePostgres postgres,
        IReadOnlyList<CustomerAccount> accounts, IReadOnlyList<CustomerLink> links, ReceiptListener dlr)
    {
        var result = new PhaseResult(fault.Name, shape.Load.Describe(accounts.Count));
        Log($"--- phase {phase + 1}: {fault.Name}: {fault.Description}");
        foreach (var account in accounts) await CreditAsync(cluster.Pick(account.Index), account);

        var load = new MixedLoad(phase, cluster, links, _ledger, dlr, shape.Load, fault.Validity);
        var started = _ledger.Now;
        load.Start();
        await Task.Delay(shape.Warmup);
        var timings = await fault.InjectAsync(new FaultContext(cluster, postgres, _ledger, shape.Hold));
        Log($"fault injected at +{(timings.Injected - started).TotalSeconds:0.0} s: {timings.Notes}");
        // A silo fault is measured from the fault; a database outage from the server's return (nothing can succeed before).
        var intake = await WaitForIntakeAsync(phase, accounts, timings.Outage?.To ?? timings.Injected);
        await Task.Delay(shape.Tail);
        await load.StopAsync();
        var duration = _ledger.Now - started;
        result.Sends = load.Sends;

        var answers = _ledger.Answers.Where(a => a.Phase == phase).ToList();
        var accepted = _ledger.Accepted.Where(m => m.Phase == phase).ToList();
        var ambiguous = _ledger.Ambiguous.Where(m => m.Phase == phase).ToList();
        result.Accepted = accepted.Count;
        result.Ambiguous = ambiguous.Count;
        result.Refusals = string.Join(", ", answers.Where(a => !a.Success).GroupBy(a => a.Outcome).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} x{g.Count()}"));
        Log($"load stopped after {duration.TotalSeconds:0.0} s: {result.Sends} sends ({result.Sends / duration.TotalSeconds:0} a second), {accepted.Count} accepted, " +
            $"{ambiguous.Count} without an answer; refusals: {(result.Refusals.Length == 0 ? "none" : result.Refusals)}");

        await SettleAsync(accepted, links, dlr);
        await CheckRecordsAsync(cluster, accepted, result);
        CheckOperator(cluster, accepted, ambiguous, answers.Where(a => !a.Success && !a.Outcome.StartsWith("no answer", StringComparison.Ordinal)).ToList(), fault, result);
        CheckReceipts(accepted, links, dlr, result);
        if (fault.Validity is { } validity) CheckExpiry(accepted, validity, timings, result);
        var texts = accepted.Select(m => m.Text).ToList();
        var ownNote = fault.Check?.Invoke(
            new FaultCheck(accepted, timings, cluster.Operator.SubmitsByText(texts), cluster.Backup?.SubmitsByText(texts) ?? []), result);
        await CheckWalletsAsync(cluster, accounts, result);
        var outageAnswers = timings.Outage is { } outage ? CheckOutageAnswers(answers, outage, result) : null;

        var backlog = BacklogCleared(accepted, links, dlr, timings.Healed);
        if (accepted.Select(m => (Message: m, First: Receipts(m, links, dlr).DefaultIfEmpty(TimeSpan.MaxValue).Min())).MaxBy(r => r.First) is { Message: { } slowest } last)
        {
            Log($"slowest receipt: {slowest.Channel} message {slowest.MessageId} accepted by {slowest.Silo} at +{(slowest.At - started).TotalSeconds:0.0} s, " +
                $"receipt at +{(last.First == TimeSpan.MaxValue ? "never" : $"{(last.First - started).TotalSeconds:0.0} s")}");
        }

        result.Recovery = fault.Recovery == RecoveryMeasure.Intake
            ? intake is { } i ? $"{i.TotalSeconds:0.0} s" : "not recovered"
            : backlog is { } b ? $"{b.TotalSeconds:0.0} s" : "not cleared";
        if (fault.Recovery == RecoveryMeasure.Intake && intake is null)
        {
            result.Violations.Add($"some account was not answered 1000 / ESME_ROK on both channels within {shape.RecoveryLimit.TotalSeconds:0} s");
        }

        result.Notes = $"{timings.Notes}{(ownNote is null ? "" : $"; {ownNote}")}{(outageAnswers is null ? "" : $"; answers during the outage: {outageAnswers}")}; intake back after {(intake is { } t ? $"{t.TotalSeconds:0.0} s" : "-")}, backlog cleared {(backlog is { } c ? $"{c.TotalSeconds:0.0} s after the fault ended" : "never (see the violations)")}";
        Log($"recovery ({fault.Recovery}): {result.Recovery}; {result.Notes}");
        Log($"accepted {result.Accepted}, lost {result.Lost}, duplicated {result.Duplicated} (most copies of one message {result.MostCopies}, allowed {fault.AllowedDuplicates}), " +
            $"no answer {result.Ambiguous} (of which charged {result.AmbiguousCharged}), refused but sent {result.RefusedButSent}, refunded {result.Refunded}, expired {result.Expired}, receipts missing {result.ReceiptsMissing}");
        Log(result.Passed ? $"PASS {fault.Name}" : $"FAIL {fault.Name}:\n  - {string.Join("\n  - ", result.Violations)}");
        return result;
    }

    /// <summary>Until every account has had a success on both channels after <paramref name="from"/>; null if not within the limit.</summary>
    private async Task<TimeSpan?> WaitForIntakeAsync(int phase, IReadOnlyList<CustomerAccount> accounts, TimeSpan from)
    {
        var deadline = from + shape.RecoveryLimit;
        while (true)
        {
            var firsts = accounts.SelectMany(account => new[] { Channel.Rest, Channel.Smpp }.Select(channel =>
                _ledger.Answers.Where(a => a.Phase == phase && a.Account == account && a.Channel == channel && a.Success && a.At >= from)
                    .Select(a => (TimeSpan?)a.At).Min())).ToList();
            if (firsts.All(f => f is not null)) return firsts.Max()!.Value - from;
            if (_ledger.Now > deadline) return null;
            await Task.Delay(200);
        }
    }

    /// <summary>Waits until every accepted message's receipt has come (dlr_url or deliver_sm), or the settle timeout.</summary>
    private async Task SettleAsync(IReadOnlyList<AcceptedMessage> accepted, IReadOnlyList<CustomerLink> links, ReceiptListener dlr)
    {
        var deadline = _ledger.Now + shape.SettleTimeout;
        while (_ledger.Now < deadline && accepted.Any(m => Receipts(m, links, dlr).Count == 0)) await Task.Delay(250);
    }

    /// <summary>Every accepted message is in the records (REST status through a running silo) and in a final state.</summary>
    private async Task CheckRecordsAsync(FaultCluster cluster, IReadOnlyList<AcceptedMessage> accepted, PhaseResult result)
    {
        var deadline = _ledger.Now + TimeSpan.FromSeconds(20);
        var pending = accepted.ToList();
        var last = new ConcurrentDictionary<string, string>();
        using var parallel = new SemaphoreSlim(8);
        while (pending.Count > 0)
        {
            await Task.WhenAll(pending.Select(async (message, n) =>
            {
                await parallel.WaitAsync();
                try
                {
                    var json = await cluster.Pick(n).StatusAsync(message.Account.Account, message.MessageId);
                    last[message.MessageId] = json["status"]?.GetValue<string>() ?? $"status_code {json["status_code"]}";
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
                {
                    last[message.MessageId] = $"no answer ({exception.GetType().Name})";
                }
                finally
                {
                    parallel.Release();
                }
            }));
            pending = [.. pending.Where(m => !FinalStates.Contains(last[m.MessageId]))];
            if (pending.Count == 0 || _ledger.Now > deadline) break;
            await Task.Delay(500);
        }

        foreach (var message in accepted)
        {
            if (FinalStates.Contains(last[message.MessageId])) _finalStatus[message.MessageId] = last[message.MessageId];
        }

        result.Refunded = accepted.Count(m => RefundedStates.Contains(last[m.MessageId]));
        var missing = accepted.Where(m => last[m.MessageId].StartsWith("status_code", StringComparison.Ordinal)).ToList();
        result.Lost += missing.Count;
        if (missing.Count > 0)
        {
            result.Violations.Add($"{missing.Count} accepted messages are not in the records: {Sample(missing.Select(m => $"{m.MessageId} ({m.Channel} via {m.Silo}: {last[m.MessageId]})"))}");
        }

        var stuck = pending.Except(missing).ToList();
        if (stuck.Count > 0)
        {
            result.Violations.Add($"{stuck.Count} accepted messages not in a final state after the settle time: " +
                                  string.Join(", ", stuck.GroupBy(m => last[m.MessageId]).Select(g => $"{g.Count()} {g.Key}")) +
                                  $"; e.g. {Sample(stuck.Select(m => $"{m.MessageId} ({m.Channel} via {m.Silo})"))}");
        }
    }

    /// <summary>
    /// Every message the gateway says went to the operator reached it (matched by its unique text); duplicates within the
    /// bound; and no send answered with a refusal ever reached it (a refusal promises nothing was charged or sent).
    /// </summary>
    private void CheckOperator(FaultCluster cluster, IReadOnlyList<AcceptedMessage> accepted, IReadOnlyList<AmbiguousSend> ambiguous,
        IReadOnlyList<Answer> refused, Fault fault, PhaseResult result)
    {
        var texts = accepted.Select(m => m.Text).Concat(ambiguous.Select(m => m.Text)).Concat(refused.Select(a => a.Text!)).ToList();
        // With a backup route a message may have gone through either operator: its copies at both count.
        var atOperator = cluster.Operators.SelectMany(o => o.SubmitsByText(texts)).GroupBy(t => t.Key).ToDictionary(g => g.Key, g => g.Sum(t => t.Value));
        var refusedButSent = refused.Where(a => atOperator.ContainsKey(a.Text!)).ToList();
        result.RefusedButSent = refusedButSent.Count;
        if (refusedButSent.Count > 0)
        {
            result.Violations.Add($"{refusedButSent.Count} sends answered with a refusal reached the operator (charged and sent, answered \"not accepted\"): " +
                                  Sample(refusedButSent.Select(a => $"\"{a.Text}\" answered {a.Outcome} by {a.Silo} at +{a.At.TotalSeconds:0.0} s")));
        }

        var notAtOperator = accepted
            .Where(m => _finalStatus.TryGetValue(m.MessageId, out var status) && !RefundedStates.Contains(status) && !atOperator.ContainsKey(m.Text))
            .ToList();
        result.Lost += notAtOperator.Count;
        if (notAtOperator.Count > 0)
        {
            result.Violations.Add($"{notAtOperator.Count} messages in a delivered/submitted state never reached the operator: {Sample(notAtOperator.Select(m => m.MessageId))}");
        }

        var charged = ambiguous.Where(m => atOperator.ContainsKey(m.Text)).ToList();
        result.AmbiguousCharged = charged.Count;
        lock (_ambiguousCharged) _ambiguousCharged.AddRange(charged);
        foreach (var send in charged) Log($"unanswered but charged: {send.Channel} \"{send.Text}\" via {send.Silo} at +{send.At.TotalSeconds:0.0} s ({send.What})");
        // Refunded as expired yet seen by the operator: a submit in flight whose answer was lost (the bind dropped), the
        // message then expiring before the retry. The customer keeps the refund; bounded like the duplicates.
        var expiredButSent = accepted.Where(m => _finalStatus.GetValueOrDefault(m.MessageId) == "expired" && atOperator.ContainsKey(m.Text)).ToList();
        if (expiredButSent.Count > fault.AllowedDuplicates)
        {
            result.Violations.Add($"{expiredButSent.Count} messages refunded as expired reached the operator, more than the {fault.AllowedDuplicates} submits in flight can explain: {Sample(expiredButSent.Select(m => m.MessageId))}");
        }

        result.Duplicated = atOperator.Where(t => !refusedButSent.Any(a => a.Text == t.Key)).Sum(t => t.Value - 1);
        result.MostCopies = atOperator.Values.DefaultIfEmpty(0).Max();
        if (result.Duplicated > fault.AllowedDuplicates)
        {
            result.Violations.Add($"{result.Duplicated} duplicate submits at the operator, more than the {fault.AllowedDuplicates} this fault can explain");
        }
    }

    /// <summary>Every message in a final state had its receipt: a dlr_url POST (REST) or a deliver_sm (SMPP).</summary>
    private void CheckReceipts(IReadOnlyList<AcceptedMessage> accepted, IReadOnlyList<CustomerLink> links, ReceiptListener dlr, PhaseResult result)
    {
        var missing = accepted.Where(m => _finalStatus.ContainsKey(m.MessageId) && Receipts(m, links, dlr).Count == 0).ToList();
        result.ReceiptsMissing = missing.Count;
        if (missing.Count > 0)
        {
            result.Violations.Add($"{missing.Count} final messages without a receipt to the customer: " +
                                  string.Join(", ", missing.GroupBy(m => (m.Channel, _finalStatus[m.MessageId])).Select(g => $"{g.Count()} {g.Key.Channel} {g.Key.Item2}")) +
                                  $"; e.g. {Sample(missing.Select(m => m.MessageId))}");
        }
    }

    /// <summary>
    /// The messages sent into the outage that waited past their validity before it ended are expired (refunded, told),
    /// not delivered late; and the fault expired some (else it tested nothing).
    /// </summary>
    private void CheckExpiry(IReadOnlyList<AcceptedMessage> accepted, TimeSpan validity, FaultTimings timings, PhaseResult result)
    {
        // The sweep that expires queued messages runs every 5 s; a dispatcher expires one before its next attempt.
        var waitedPast = accepted.Where(m => m.At >= timings.Injected && m.At + validity + TimeSpan.FromSeconds(10) <= timings.Healed).ToList();
        result.Expired = accepted.Count(m => _finalStatus.GetValueOrDefault(m.MessageId) == "expired");
        var notExpired = waitedPast.Where(m => _finalStatus.GetValueOrDefault(m.MessageId) != "expired").ToList();
        if (waitedPast.Count == 0 || result.Expired == 0)
        {
            result.Violations.Add($"the fault expired nothing ({waitedPast.Count} messages waited past their validity of {validity.TotalMinutes:0} min)");
        }

        if (notExpired.Count > 0)
        {
            result.Violations.Add($"{notExpired.Count} of {waitedPast.Count} messages that waited past their validity were not expired: " +
                                  string.Join(", ", notExpired.GroupBy(m => _finalStatus.GetValueOrDefault(m.MessageId) ?? "not final").Select(g => $"{g.Count()} {g.Key}")) +
                                  $"; e.g. {Sample(notExpired.Select(m => m.MessageId))}");
        }
    }

    /// <summary>
    /// Each wallet, to the cent: opening + credits − cost of every accepted message (and of every unanswered send
    /// the operator saw) + refunds of those rejected or failed. Cumulative over the run; a few retries for
    /// refunds still in flight.
    /// </summary>
    private async Task CheckWalletsAsync(FaultCluster cluster, IReadOnlyList<CustomerAccount> accounts, PhaseResult result)
    {
        var mismatches = new List<string>();
        for (var attempt = 0; attempt < 10; attempt++)
        {
            mismatches.Clear();
            result.WalletError = 0m;
            var allAccepted = _ledger.Accepted;
            List<AmbiguousSend> charged;
            lock (_ambiguousCharged) charged = [.. _ambiguousCharged];
            foreach (var account in accounts)
            {
                var spent = allAccepted.Where(m => m.Account == account).Sum(m => m.Cost) + charged.Where(m => m.Account == account).Sum(m => m.Cost);
                var refunds = allAccepted.Where(m => m.Account == account && _finalStatus.TryGetValue(m.MessageId, out var s) && RefundedStates.Contains(s)).Sum(m => m.Cost);
                var expected = account.Opening + account.Credits - spent + refunds;
                var actual = await cluster.Pick(account.Index).BalanceAsync(account.Account);
                if (actual != Gateway.Money(expected))
                {
                    result.WalletError += Math.Abs(decimal.Parse(actual, CultureInfo.InvariantCulture) - expected);
                    // More than expected: money was made (a refund beyond its debit, or twice); less: charged for what was refused.
                    var cause = decimal.Parse(actual, CultureInfo.InvariantCulture) > expected ? "holds more than it was given: a refund exceeded its debit" : "holds less: charged for sends it refused or never sent";
                    mismatches.Add($"account {account.Account.AccountId} {cause}: balance {actual}, expected {Gateway.Money(expected)} " +
                                   $"(opening {Gateway.Money(account.Opening)} + credits {Gateway.Money(account.Credits)} - spent {Gateway.Money(spent)} + refunds {Gateway.Money(refunds)})");
                }
            }

            if (mismatches.Count == 0) return;
            await Task.Delay(1000);
        }

        result.Violations.AddRange(mismatches);
    }

    /// <summary>While PostgreSQL was down every answer was a success it kept (checked above), 1005 or ESME_RSYSERR; no silence, no other error.</summary>
    private static string CheckOutageAnswers(IReadOnlyList<Answer> answers, (TimeSpan From, TimeSpan To) outage, PhaseResult result)
    {
        var during = answers.Where(a => a.At >= outage.From && a.At <= outage.To).ToList();
        var wrong = during.Where(a => !a.Success && a.Outcome is not ("1005" or "smpp SystemError")).ToList();        if (wrong.Count > 0)
        {
            result.Violations.Add($"{wrong.Count} answers during the PostgreSQL outage were neither a kept success nor 1005 / ESME_RSYSERR: " +
                                  string.Join(", ", wrong.GroupBy(a => a.Outcome).Select(g => $"{g.Key} x{g.Count()}")));
        }

        return string.Join(", ", during.GroupBy(a => a.Outcome).Select(g => $"{g.Key} x{g.Count()}"));
    }

    /// <summary>From <paramref name="healed"/> until the last message accepted before it had its first receipt (zero if all came before; null if some never did).</summary>
    private static TimeSpan? BacklogCleared(IReadOnlyList<AcceptedMessage> accepted, IReadOnlyList<CustomerLink> links, ReceiptListener dlr, TimeSpan healed)
    {
        var firsts = accepted.Where(m => m.At < healed).Select(m => Receipts(m, links, dlr) is { Count: > 0 } r ? r.Min() : (TimeSpan?)null).ToList();
        if (firsts.Any(f => f is null)) return null;
        var last = firsts.DefaultIfEmpty(TimeSpan.Zero).Max()!.Value;
        return last > healed ? last - healed : TimeSpan.Zero;
    }

    private static List<TimeSpan> Receipts(AcceptedMessage message, IReadOnlyList<CustomerLink> links, ReceiptListener dlr) =>
        message.Channel == Channel.Rest
            ? [.. dlr.For(message.MessageId).Select(r => r.At)]
            : [.. links[message.Account.Index].ReceiptsFor(message.MessageId).Select(r => r.At)];

    private async Task<IReadOnlyList<CustomerAccount>> OpenAccountsAsync(FaultCluster cluster)
    {
        var accounts = new List<CustomerAccount>();
        for (var i = 0; i < Accounts; i++)
        {
            var silo = cluster.Pick(i);
            var opened = await silo.OpenAccountAsync(Opening, Prices[i], senderId: $"FAULT{i}");
            var account = new CustomerAccount(i, opened, Prices[i], Opening);
            await silo.SetSmppCredentialsAsync(opened, account.SmppUser, account.SmppPassword);
            accounts.Add(account);
        }

        Log($"opened {Accounts} accounts at {Gateway.Money(Opening)} each, prices {string.Join(", ", Prices.Select(Gateway.Money))} per part");
        return accounts;
    }

    private static async Task CreditAsync(SiloProcess silo, CustomerAccount account)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v2/admin/accounts/{account.Account.AccountId}/credit")
        {
            Content = JsonContent.Create(new { amount = PhaseCredit }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestCluster.AdminToken);
        using var response = await silo.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"crediting account {account.Account.AccountId} on {silo.Name} answered {(int)response.StatusCode}: {body}");
        account.AddCredit(PhaseCredit);
    }

    private static string Sample(IEnumerable<string> items) => string.Join(", ", items.Take(5));

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private void Log(string line) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_ledger.Now.TotalSeconds,6:0.0}] {line}"));

    public static string Table(IReadOnlyList<PhaseResult> results)
    {
        var table = new StringBuilder();
        table.AppendLine("| fault | load | accepted | lost | duplicated | expired | wallet error | recovery time | result |");
        table.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in results)
        {
            table.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Fault} | {r.Sends} sends | {r.Accepted} (+{r.AmbiguousCharged} unanswered but charged) | {r.Lost} | {r.Duplicated} | {r.Expired} | {r.WalletError:0.00} | {r.Recovery} | {(r.Passed ? "pass" : "FAIL")} |");
        }

        return table.ToString();
    }
}
