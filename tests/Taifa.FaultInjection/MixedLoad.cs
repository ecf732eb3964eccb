using System.Globalization;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Taifa.Cluster.Tests.Infrastructure;
using Taifa.Smpp.Pdus;

namespace Taifa.FaultInjection;

/// <summary>How much load a phase offers: workers per account on each channel, each sending one message at a time.</summary>
public sealed record LoadShape(int RestWorkersPerAccount, int SmppWorkersPerAccount, TimeSpan Pause)
{
    public string Describe(int accounts) =>
        $"{accounts} accounts x ({RestWorkersPerAccount} REST + {SmppWorkersPerAccount} SMPP) workers, {Pause.TotalMilliseconds:0} ms pause";
}

/// <summary>
/// REST and SMPP senders for one phase. REST requests go round robin over the running silos (a load balancer),
/// each with a dlr_url; SMPP submits go over each account's <see cref="CustomerLink"/> and ask for a receipt. Every
/// text is unique in the run, so the operator's view can be matched to what was sent. Every answer goes to the ledger.
/// </summary>
public sealed class MixedLoad(int phase, FaultCluster cluster, IReadOnlyList<CustomerLink> links, Ledger ledger, ReceiptListener dlr, LoadShape shape,
    TimeSpan? validity = null)
{
    public const string Destination = "254702739804";
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _workers = [];
    private int _sends;

    /// <summary>Sends attempted (answered or not; a connection refused by a stopped silo is not a send).</summary>
    public int Sends => Volatile.Read(ref _sends);

    public void Start()
    {
        foreach (var link in links)
        {
            for (var w = 0; w < shape.RestWorkersPerAccount; w++)
            {
                var worker = w;
                _workers.Add(Task.Run(() => RestWorkerAsync(link.Account, worker)));
            }

            for (var w = 0; w < shape.SmppWorkersPerAccount; w++)
            {
                var worker = w;
                _workers.Add(Task.Run(() => SmppWorkerAsync(link, worker)));
            }
        }
    }

    /// <summary>Stops sending; waits for the answers to what is in flight (each bounded by its own timeout).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        _stop.Dispose();
    }

    public static string Text(int phase, CustomerAccount account, char channel, int worker, int n) =>
        string.Create(CultureInfo.InvariantCulture, $"fault p{phase} a{account.Index} {channel}{worker} n{n}");

    private async Task RestWorkerAsync(CustomerAccount account, int worker)
    {
        for (var n = 0; !_stop.IsCancellationRequested; n++)
        {
            var silo = cluster.Pick(n + worker + account.Index);
            var text = Text(phase, account, 'r', worker, n);
            var at = ledger.Now;
            try
            {
                using var timeout = new CancellationTokenSource(RequestTimeout);
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v2/sms/sendsms")
                {
                    Content = JsonContent.Create(validity is { } valid
                        ? new { mobile = Gateway.Mobile, sender_name = account.Account.SenderId, message = text, dlr_url = dlr.Url, validity_period = (int)valid.TotalMinutes }
                        : (object)new { mobile = Gateway.Mobile, sender_name = account.Account.SenderId, message = text, dlr_url = dlr.Url }),
                };
                request.Headers.Add("h_api_key", account.Account.ApiKey);
                Interlocked.Increment(ref _sends);
                using var response = await silo.Http.SendAsync(request, timeout.Token);
                var body = await response.Content.ReadAsStringAsync(timeout.Token);
                var answer = ParseFirst(body);
                var code = answer?["status_code"]?.GetValue<string>();
                if (code == "1000")
                {
                    var cost = decimal.Parse(answer!["message_cost"]!.GetValue<string>(), CultureInfo.InvariantCulture);
                    ledger.RecordAccepted(new AcceptedMessage(phase, Channel.Rest, account, answer["message_id"]!.GetValue<string>(), text, cost, at, silo.Name));
                }
                else
                {
                    ledger.RecordRefused(new Answer(phase, Channel.Rest, account, at, silo.Name, code ?? $"HTTP {(int)response.StatusCode} without a status_code", text));
                }
            }
            catch (HttpRequestException exception) when (exception.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
            {
                // Nothing was sent: the silo has stopped listening (drained or dead); the next request goes elsewhere.
                Interlocked.Decrement(ref _sends);
                await PauseAsync(TimeSpan.FromMilliseconds(100));
                continue;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
            {
                ledger.RecordAmbiguous(new AmbiguousSend(phase, Channel.Rest, account, text, account.Price, at, silo.Name, exception.GetType().Name));
            }

            await PauseAsync(shape.Pause);
        }
    }

    private async Task SmppWorkerAsync(CustomerLink link, int worker)
    {
        var account = link.Account;
        for (var n = 0; !_stop.IsCancellationRequested; n++)
        {
            SmppCustomer session;
            string silo;
            try
            {
                (session, silo) = await link.SessionAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var text = Text(phase, account, 's', worker, n);
            var at = ledger.Now;
            Interlocked.Increment(ref _sends);
            try
            {
                var submit = SmppCustomer.Submit(account.Account.SenderId, Destination, text);
                if (validity is { } valid) submit.ValidityPeriod = RelativeTime(valid);
                var response = await session.SubmitAsync(submit);
                if (response.CommandStatus == CommandStatus.Ok)
                {
                    ledger.RecordAccepted(new AcceptedMessage(phase, Channel.Smpp, account, response.MessageId, text, account.Price, at, silo));
                }
                else
                {
                    ledger.RecordRefused(new Answer(phase, Channel.Smpp, account, at, silo, $"smpp {response.CommandStatus}", text));
                }
            }
            catch (Exception exception) when (exception is TimeoutException or ObjectDisposedException or SocketException)
            {
                ledger.RecordAmbiguous(new AmbiguousSend(phase, Channel.Smpp, account, text, account.Price, at, silo, exception.Message));
            }

            await PauseAsync(shape.Pause);
        }
    }

    /// <summary>SMPP v3.4 §7.1.1 relative form, YYMMDDhhmmss t nn R (up to 99 days).</summary>
    private static string RelativeTime(TimeSpan span) =>
        string.Create(CultureInfo.InvariantCulture, $"0000{span.Days:00}{span.Hours:00}{span.Minutes:00}{span.Seconds:00}000R");

    private async Task PauseAsync(TimeSpan pause)
    {
        try
        {
            await Task.Delay(pause, _stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the loop condition ends the worker.
        }
    }

    private static JsonNode? ParseFirst(string body)
    {
        try
        {
            return JsonNode.Parse(body) is JsonArray { Count: > 0 } array ? array[0] : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
