using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Taifa.Abstractions;
using Taifa.Abstractions.Messages;

namespace Taifa.Grains.Telemetry;

/// <summary>
/// The gateway's own instruments (exported on /metrics by the host). Counters are per silo; Prometheus sums them.
/// Names follow OpenTelemetry conventions and become taifa_… in Prometheus.
/// </summary>
public static class TaifaMetrics
{
    public const string MeterName = "Taifa.Gateway";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Outcomes = Meter.CreateCounter<long>("taifa.messages", "{message}", "Send outcomes per recipient, by status code and channel");
    private static readonly Counter<long> Parts = Meter.CreateCounter<long>("taifa.message.parts", "{part}", "SMS parts accepted, by channel");
    private static readonly Counter<double> Debits = Meter.CreateCounter<double>("taifa.wallet.debited", "KES", "Money debited from wallets for accepted messages");
    private static readonly Counter<double> Refunds = Meter.CreateCounter<double>("taifa.wallet.refunded", "KES", "Money refunded for messages that never reached an operator");
    private static readonly Counter<long> Receipts = Meter.CreateCounter<long>("taifa.receipts", "{receipt}", "Operator receipts applied, by final state");
    private static readonly Counter<long> UnmatchedReceipts = Meter.CreateCounter<long>("taifa.receipts.unmatched", "{receipt}", "Operator receipts that matched no message (redelivery asked)");
    private static readonly Counter<long> Duplicates = Meter.CreateCounter<long>("taifa.operator.duplicates", "{part}", "Parts an operator took twice: a submit whose answer was lost, submitted again, found by the receipt of the lost id");
    private static readonly Counter<long> OperatorOutcomes = Meter.CreateCounter<long>("taifa.operator.submits", "{submit}", "Submissions to operators, by operator and outcome");
    private static readonly Histogram<double> DispatchLatency = Meter.CreateHistogram<double>("taifa.dispatch.latency", "ms", "From acceptance to the operator's submit_sm_resp");
    private static readonly Counter<long> FailedLogins = Meter.CreateCounter<long>("taifa.logins.failed", "{login}", "Failed REST authentications and SMPP binds, by channel");
    private static readonly Counter<long> Lockouts = Meter.CreateCounter<long>("taifa.logins.lockouts", "{lockout}", "Lock-outs started after repeated failed logins, by scope (address or system_id) and channel");
    private static readonly Counter<long> InboundPdus = Meter.CreateCounter<long>("taifa.inbound", "{pdu}", "Inbound (mobile-originated) PDUs from operators, by operator and outcome (stored, partstored, duplicate)");
    private static readonly Counter<long> Unrouted = Meter.CreateCounter<long>("taifa.inbound.unrouted", "{message}", "Inbound messages that matched no account's number and keyword (kept, not delivered)");
    private static readonly Counter<long> Pdus = Meter.CreateCounter<long>("taifa.smpp.pdus", "{pdu}", "SMPP PDUs received from customers, by command and answer status");
    private static readonly Counter<long> HandedOverMessages = Meter.CreateCounter<long>("taifa.dispatch.handed_over", "{message}", "Messages a failing-over route handed to another, by operator and carrier");

    // The dispatcher shards on this silo, as they last reported: their health and, per network they are preferred for, the route in use.
    private static readonly ConcurrentDictionary<string, RouteView> Routes = new(StringComparer.Ordinal);

    private static readonly ObservableGauge<long> RouteHealthGauge = Meter.CreateObservableGauge("taifa.operator.healthy",
        () => Routes.Select(r => new Measurement<long>(r.Value.Healthy ? 1 : 0,
            new KeyValuePair<string, object?>("operator", r.Value.Operator), new KeyValuePair<string, object?>("shard", r.Key))),
        "{bind}", "Per operator shard on this silo: 1 while its bind is up and its temporary errors are under the failover threshold, else 0");

    private static readonly ObservableGauge<long> ActiveRouteGauge = Meter.CreateObservableGauge("taifa.route.active",
        () => Routes.Values.SelectMany(r => r.Networks)
            .GroupBy(n => (n.Network, n.Route))
            .Select(g => new Measurement<long>(g.Count(n => n.Active),
                new KeyValuePair<string, object?>("network", g.Key.Network.ToString(CultureInfo.InvariantCulture)),
                new KeyValuePair<string, object?>("operator", g.Key.Route))),
        "{shard}", "Per network and route: the shards of the network's preferred operator on this silo whose traffic that route carries now");

    public static void Accepted(MessageChannel channel, int parts, decimal cost)
    {
        var channelTag = new KeyValuePair<string, object?>("channel", Channel(channel));
        Outcomes.Add(1, new KeyValuePair<string, object?>("status_code", "1000"), channelTag);
        Parts.Add(parts, channelTag);
        Debits.Add((double)cost, channelTag);
    }

    public static void Rejected(TaifaStatus status, MessageChannel channel) =>
        Outcomes.Add(1, new KeyValuePair<string, object?>("status_code", status.Code()), new KeyValuePair<string, object?>("channel", Channel(channel)));

    public static void Refunded(decimal amount) => Refunds.Add((double)amount);

    public static void Receipt(MessageStatus status) => Receipts.Add(1, new KeyValuePair<string, object?>("state", status.ToString().ToLowerInvariant()));

    public static void Unmatched(string operatorName) => UnmatchedReceipts.Add(1, new KeyValuePair<string, object?>("operator", operatorName));

    public static void OperatorDuplicate(string operatorName) => Duplicates.Add(1, new KeyValuePair<string, object?>("operator", operatorName));

    public static void OperatorSubmit(string operatorName, string outcome) =>
        OperatorOutcomes.Add(1, new KeyValuePair<string, object?>("operator", operatorName), new KeyValuePair<string, object?>("outcome", outcome));

    public static void Dispatched(string operatorName, TimeSpan sinceAcceptance) =>
        DispatchLatency.Record(sinceAcceptance.TotalMilliseconds, new KeyValuePair<string, object?>("operator", operatorName));

    public static void Pdu(string command, string status) =>
        Pdus.Add(1, new KeyValuePair<string, object?>("command", command), new KeyValuePair<string, object?>("status", status));

    public static void Inbound(string operatorName, string outcome) =>
        InboundPdus.Add(1, new KeyValuePair<string, object?>("operator", operatorName), new KeyValuePair<string, object?>("outcome", outcome));

    public static void InboundUnrouted(string operatorName) => Unrouted.Add(1, new KeyValuePair<string, object?>("operator", operatorName));

    public static void LoginFailed(string channel) => FailedLogins.Add(1, new KeyValuePair<string, object?>("channel", channel));

    public static void LockedOut(string scope, string channel) =>
        Lockouts.Add(1, new KeyValuePair<string, object?>("scope", scope), new KeyValuePair<string, object?>("channel", channel));

    public static void HandedOver(string operatorName, string carrier, int count) =>
        HandedOverMessages.Add(count, new KeyValuePair<string, object?>("operator", operatorName), new KeyValuePair<string, object?>("carrier", carrier));

    /// <summary>A dispatcher shard's health and, per network it is the preferred route of, which route is active.</summary>
    public static void Route(string shard, string operatorName, bool healthy, IReadOnlyList<(int Network, string Route, bool Active)> networks) =>
        Routes[shard] = new RouteView(operatorName, healthy, networks);

    public static void RouteGone(string shard) => Routes.TryRemove(shard, out _);

    /// <summary>Gauges whose values live elsewhere (sessions, queue depth, binds): the owner registers a callback once.</summary>
    public static void Observe(string name, string unit, string description, Func<IEnumerable<Measurement<long>>> observe) =>
        Meter.CreateObservableGauge(name, observe, unit, description);

    private static string Channel(MessageChannel channel) => channel == MessageChannel.Smpp ? "smpp" : "rest";

    private sealed record RouteView(string Operator, bool Healthy, IReadOnlyList<(int Network, string Route, bool Active)> Networks);
}
