using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Taifa.Cluster.Tests.Infrastructure;
using Taifa.Smpp.Pdus;
using Xunit.Abstractions;

namespace Taifa.Cluster.Tests;

/// <summary>
/// Three silos, one or two SIGKILLed: how long until the survivors serve every account again over REST and SMPP
/// (issue 13, "recovery in seconds"). Every account is used through every silo first, so its grains (account, key
/// and system_id indexes, lock-out, bind registry, receipt outbox) are spread over the cluster and some of each die.
/// Half the customers' SMPP sessions are on the silos that die, and bind again on a survivor as an ESME does; the
/// others stay bound on a survivor and must get their receipts although their account's bind registry may have died.
/// </summary>
public sealed partial class RecoveryTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan ServedLimit = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DeliveredLimit = TimeSpan.FromSeconds(30);

    // The issue's bounds: receipts held for a re-bound customer within 10 s of its bind, and every receipt of a message
    // accepted before the kill within 30 s of it. Ten runs after the bind registry began waking the receipt outbox: held
    // receipts 0.0–1.1 s after the bind, last receipts 1.9–3.8 s, or 20–23 s when the dead silo's dispatcher had taken the
    // messages (the stream's 20 s visibility timeout). The every-receipt bound keeps 15 s for a starved CI machine.
    private static readonly TimeSpan HeldReceiptsLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan EveryReceiptLimit = TimeSpan.FromSeconds(45);

    // Long enough to see a relapse after the first success (a second silo's death declaration, a directory hand-off).
    private static readonly TimeSpan ProbeWindow = TimeSpan.FromSeconds(12);
    private static readonly TimeSpan ProbePause = TimeSpan.FromMilliseconds(200);
    private const int Accounts = 6;
    private const int SubmitsBeforeKill = 3;
    private const decimal Opening = 100m;
    private const decimal Price = 1m;

    private TestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await TestCluster.CreateAsync("recovery", sharedOperator: true);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public Task After_a_sigkill_of_one_silo_of_three_every_account_is_served_over_rest_and_smpp_within_5_s() => KillAndMeasure(killed: 1);

    [Fact]
    public Task After_a_sigkill_of_two_silos_of_three_every_account_is_served_over_rest_and_smpp_within_5_s() => KillAndMeasure(killed: 2);

    private async Task KillAndMeasure(int killed)
    {
        var silos = await _cluster.StartSilosAsync("a", "b", "c");
        var dying = silos[..killed];
        var survivors = silos[killed..];
        var accounts = await Task.WhenAll(Enumerable.Range(0, Accounts).Select(async n =>
        {
            var account = await silos[n % silos.Length].OpenAccountAsync(Opening, Price, senderId: $"RECOVER{n}");
            await silos[n % silos.Length].SetSmppCredentialsAsync(account, $"recover{n}", $"pw{n}sec");
            return new Customer(n, account, $"recover{n}", $"pw{n}sec");
        }));

        // Every account through every silo: REST sends and binds activate its grains wherever placement puts them.
        await Task.WhenAll(accounts.SelectMany(c => silos.Select(async silo =>
        {
            c.Accepted.Add(await silo.SendAcceptedAsync(c.Account, $"warm-up {c.Number} {silo.Name}"));
            await using var bound = await SmppCustomer.BindAsync(silo, c.SystemId, c.Password, CommandId.BindTransmitter);
            await bound.UnbindAsync();
        })));

        // Each customer's own session, with receipts still to come for it: on a silo about to die, or on a survivor.
        var sessions = await Task.WhenAll(accounts.Select(async c =>
        {
            var silo = c.StaysBound ? survivors[c.Number % survivors.Length] : dying[c.Number % dying.Length];
            var session = await SmppCustomer.BindAsync(silo, c.SystemId, c.Password, onReceipt: c.ReceiptArrived);
            for (var i = 0; i < SubmitsBeforeKill; i++)
            {
                var id = await session.SubmitAcceptedAsync(SmppCustomer.Submit(c.Account.SenderId, "254702739804", $"before kill {c.Number}.{i}"));
                c.Accepted.Add(id);
                c.AwaitingReceipt.Add(id);
            }

            c.Session = session;
            return session;
        }));

        foreach (var silo in dying) silo.Kill();
        var sinceKill = Stopwatch.StartNew();
        var killedAt = Stopwatch.GetTimestamp();
        var receivedBeforeKill = accounts.Sum(c => c.ReceiptsArrived.Count);

        var outcomes = await Task.WhenAll(accounts.Select(async c =>
        {
            var rebind = c.StaysBound ? WaitForEveryReceipt(c, c.Session!, TimeSpan.Zero, Stopwatch.GetTimestamp(), [], sinceKill) : RebindAndWaitForHeldReceipts(c, survivors, sinceKill);
            var rest = Probe(sinceKill, async attempt =>
            {
                var answer = await survivors[attempt % survivors.Length].SendAsync(c.Account, $"after kill {c.Number}.{attempt}");
                if (answer.Code() == "1000") c.Accepted.Add(answer["message_id"]!.GetValue<string>());
                return answer.Code() ?? answer.ToJsonString();
            });
            var smpp = Probe(sinceKill, async attempt =>
            {
                var (status, session) = await SmppCustomer.TryBindAsync(survivors[attempt % survivors.Length], c.SystemId, c.Password, CommandId.BindTransmitter);
                if (session is not null) await session.DisposeAsync();
                return status.ToString();
            });
            return new Outcome(c, await rest, await smpp, await rebind);
        }));

        var restServed = outcomes.Select(o => o.Rest.ServedAt(ok: "1000")).ToList();
        var smppServed = outcomes.Select(o => o.Smpp.ServedAt(ok: nameof(CommandStatus.Ok))).ToList();
        output.WriteLine($"killed {killed} of 3; REST served again after: {Seconds(restServed)}; SMPP binds after: {Seconds(smppServed)}");
        output.WriteLine($"answers before that — REST: {Tally(outcomes.SelectMany(o => o.Rest.Failures))}; SMPP: {Tally(outcomes.SelectMany(o => o.Smpp.Failures))}");
        var rebound = outcomes.Where(o => !o.Customer.StaysBound).ToList();
        output.WriteLine($"customers of the dead silo(s) bound again after: {Seconds(rebound.Select(o => (TimeSpan?)o.Rebind.BoundAt))}; " +
                         $"held receipts arrived within {Seconds(rebound.Select(o => (TimeSpan?)o.Rebind.HeldReceiptsAfterBind))} of the bind " +
                         $"({rebound.Sum(o => o.Rebind.Held)} held, {receivedBeforeKill} of all receipts arrived before the kill)");
        var lastReceipt = outcomes.Select(o => (TimeSpan?)o.Customer.LastReceiptSince(killedAt)).ToList();
        output.WriteLine($"last receipt per customer (rebound: {string.Join(", ", outcomes.Select(o => o.Customer.StaysBound ? "no" : "yes"))}) after the kill: {Seconds(lastReceipt)}");

        foreach (var (c, rest, smpp, rebind) in outcomes)
        {
            Assert.True(rest.ServedAt("1000") is { } r && r <= ServedLimit, $"account {c.Number}: REST sends {rest.Describe("1000")} (limit {ServedLimit.TotalSeconds} s)");
            Assert.True(smpp.ServedAt(nameof(CommandStatus.Ok)) is { } s && s <= ServedLimit,
                $"account {c.Number}: SMPP binds {smpp.Describe(nameof(CommandStatus.Ok))} (limit {ServedLimit.TotalSeconds} s)");
            Assert.True(rest.RelapsesAfterServed("1000").Count == 0, $"account {c.Number}: REST failed again after it was served: {string.Join("; ", rest.RelapsesAfterServed("1000"))}");
            Assert.True(smpp.RelapsesAfterServed(nameof(CommandStatus.Ok)).Count == 0,
                $"account {c.Number}: SMPP binds failed again after one succeeded: {string.Join("; ", smpp.RelapsesAfterServed(nameof(CommandStatus.Ok)))}");
            Assert.True(rebind.HeldReceiptsAfterBind <= HeldReceiptsLimit,
                $"account {c.Number}: {rebind.Held} receipts held while it was unbound arrived {rebind.HeldReceiptsAfterBind} after it bound again (limit {HeldReceiptsLimit.TotalSeconds} s)");
        }

        foreach (var o in outcomes)
        {
            await survivors[0].WaitForStatusAsync(o.Customer.Account, [.. o.Customer.Accepted], "delivered", DeliveredLimit + TimeSpan.FromSeconds(30));
        }

        var deliveredAfter = sinceKill.Elapsed;
        output.WriteLine($"all {accounts.Sum(c => c.Accepted.Count)} accepted messages delivered {deliveredAfter.TotalSeconds:0.0} s after the kill");
        Assert.True(deliveredAfter <= DeliveredLimit + ProbeWindow, $"delivering everything accepted took {deliveredAfter}");
        foreach (var o in outcomes)
        {
            Assert.Equal(Gateway.Money(Opening - o.Customer.Accepted.Count * Price), await survivors[0].BalanceAsync(o.Customer.Account));
            if (!o.Customer.StaysBound) await o.Rebind.Session.DisposeAsync();
        }

        foreach (var session in sessions) await session.DisposeAsync();
    }

    /// <summary>Binds again on a survivor as soon as it answers ESME_ROK, then waits for every receipt not yet seen.</summary>
    private static async Task<Rebound> RebindAndWaitForHeldReceipts(Customer c, SiloProcess[] survivors, Stopwatch sinceKill)
    {
        for (var attempt = 0; ; attempt++)
        {
            SmppCustomer? session = null;
            try
            {
                (_, session) = await SmppCustomer.TryBindAsync(survivors[attempt % survivors.Length], c.SystemId, c.Password, onReceipt: c.ReceiptArrived);
            }
            catch (Exception exception) when (exception is TimeoutException or IOException or System.Net.Sockets.SocketException)
            {
                // No answer at all: an ESME gives up on the bind and tries again, as for a refusal.
            }

            if (session is null)
            {
                Assert.True(sinceKill.Elapsed < DeliveredLimit, $"account {c.Number} could not bind again within {DeliveredLimit}");
                await Task.Delay(ProbePause);
                continue;
            }

            var boundAt = sinceKill.Elapsed;
            var boundTimestamp = Stopwatch.GetTimestamp();
            var held = new List<string>();
            foreach (var id in c.AwaitingReceipt.Where(id => !c.ReceiptsArrived.ContainsKey(id)))
            {
                // A status the survivor cannot read yet (its message grain was on a dead silo) is not counted as held.
                if (await survivors[0].StatusAsync(c.Account, id) is JsonObject status && status["status"]?.GetValue<string>() == "delivered") held.Add(id);
            }

            return await WaitForEveryReceipt(c, session, boundAt, boundTimestamp, held, sinceKill);
        }
    }

    /// <summary>Waits until every receipt of the messages submitted before the kill has arrived.</summary>
    private static async Task<Rebound> WaitForEveryReceipt(Customer c, SmppCustomer session, TimeSpan boundAt, long boundTimestamp, List<string> held, Stopwatch sinceKill)
    {
        while (c.AwaitingReceipt.Any(id => !c.ReceiptsArrived.ContainsKey(id)))
        {
            Assert.True(sinceKill.Elapsed < EveryReceiptLimit,
                $"account {c.Number}: receipts for {string.Join(", ", c.AwaitingReceipt.Where(id => !c.ReceiptsArrived.ContainsKey(id)))} never arrived " +
                $"({(c.StaysBound ? "bound on a survivor throughout" : $"bound again {boundAt} after the kill")})");
            await Task.Delay(50);
        }

        var heldAfterBind = held.Count == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(boundTimestamp, held.Max(id => c.ReceiptsArrived[id]));
        return new Rebound(session, boundAt, held.Count, heldAfterBind);
    }

    /// <summary>Repeats an attempt every <see cref="ProbePause"/> until <see cref="ProbeWindow"/> after the kill, noting when each started and ended.</summary>
    private static async Task<Attempts> Probe(Stopwatch sinceKill, Func<int, Task<string>> attempt)
    {
        var attempts = new List<(TimeSpan Started, TimeSpan Answered, string Outcome)>();
        for (var n = 0; sinceKill.Elapsed < ProbeWindow; n++)
        {
            var started = sinceKill.Elapsed;
            string outcome;
            try
            {
                outcome = await attempt(n);
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or TimeoutException or IOException)
            {
                outcome = exception.GetType().Name;
            }

            attempts.Add((started, sinceKill.Elapsed, outcome));
            await Task.Delay(ProbePause);
        }

        return new Attempts(attempts);
    }

    private static string Seconds(IEnumerable<TimeSpan?> times) =>
        string.Join(", ", times.Select(t => t is { } v ? $"{v.TotalSeconds:0.0} s" : "never"));

    private static string Tally(IEnumerable<string> outcomes) =>
        string.Join(", ", outcomes.GroupBy(o => o).Select(g => $"{g.Key} x{g.Count()}").DefaultIfEmpty("none"));

    private sealed partial record Customer(int Number, Account Account, string SystemId, string Password)
    {
        public bool StaysBound => Number % 2 == 1;

        public SmppCustomer? Session { get; set; }

        public ConcurrentBag<string> Accepted { get; } = [];

        public ConcurrentBag<string> AwaitingReceipt { get; } = [];

        /// <summary>When each receipt first arrived (<see cref="Stopwatch.GetTimestamp"/>), by message id.</summary>
        public ConcurrentDictionary<string, long> ReceiptsArrived { get; } = new();

        public TimeSpan LastReceiptSince(long timestamp) =>
            AwaitingReceipt.Select(id => ReceiptsArrived.TryGetValue(id, out var at) ? Stopwatch.GetElapsedTime(timestamp, at) : TimeSpan.MaxValue).Max();

        public void ReceiptArrived(DeliverSm receipt)
        {
            if (ReceiptId().Match(SmppCustomer.ReceiptText(receipt)) is { Success: true } id) ReceiptsArrived.TryAdd(id.Groups[1].Value, Stopwatch.GetTimestamp());
        }

        [GeneratedRegex(@"^id:(\S+) ")]
        private static partial Regex ReceiptId();
    }

    private sealed record Outcome(Customer Customer, Attempts Rest, Attempts Smpp, Rebound Rebind);

    private sealed record Rebound(SmppCustomer Session, TimeSpan BoundAt, int Held, TimeSpan HeldReceiptsAfterBind);

    private sealed record Attempts(List<(TimeSpan Started, TimeSpan Answered, string Outcome)> All)
    {
        public TimeSpan? ServedAt(string ok) => All.FirstOrDefault(a => a.Outcome == ok) is { Outcome: not null } first ? first.Answered : null;

        public IEnumerable<string> Failures => All.Where(a => a.Outcome is not ("1000" or nameof(CommandStatus.Ok))).Select(a => a.Outcome);

        /// <summary>Attempts started after the first success and answered with anything else.</summary>
        public List<string> RelapsesAfterServed(string ok) => ServedAt(ok) is { } served
            ? [.. All.Where(a => a.Started > served && a.Outcome != ok).Select(a => $"{a.Outcome} at {a.Started.TotalSeconds:0.0} s")]
            : [];

        public string Describe(string ok) => ServedAt(ok) is { } served
            ? $"were served {served.TotalSeconds:0.0} s after the kill; before: {string.Join(", ", Failures)}"
            : $"never answered {ok} within {ProbeWindow}: {string.Join(", ", All.Select(a => $"{a.Outcome} at {a.Started.TotalSeconds:0.0} s"))}";
    }
}
