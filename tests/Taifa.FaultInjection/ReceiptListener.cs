using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Taifa.Cluster.Tests.Infrastructure;

namespace Taifa.FaultInjection;

/// <summary>The customers' dlr_url endpoint: an HTTP listener on loopback that records every status POSTed to it.</summary>
public sealed class ReceiptListener : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<(string Status, TimeSpan At)>> _received = new();
    private readonly Ledger _ledger;
    private readonly Task _serving;

    public ReceiptListener(Ledger ledger)
    {
        _ledger = ledger;
        var port = FreePorts.Next();
        Url = $"http://127.0.0.1:{port}/dlr/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public string Url { get; }

    /// <summary>Final statuses POSTed for a message id, in arrival order.</summary>
    public IReadOnlyList<(string Status, TimeSpan At)> For(string messageId) =>
        _received.TryGetValue(messageId, out var list) ? [.. list] : [];

    public int MessagesReceived => _received.Count;

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _serving;
        _listener.Close();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream);
            var json = JsonNode.Parse(await reader.ReadToEndAsync());
            if (json?["message_id"]?.GetValue<string>() is { } id)
            {
                var status = json["status"]?.GetValue<string>() ?? "?";
                _received.GetOrAdd(id, _ => new()).Enqueue((status, _ledger.Now));
            }

            context.Response.StatusCode = 200;
        }
        catch (Exception exception) when (exception is System.Text.Json.JsonException or InvalidOperationException)
        {
            context.Response.StatusCode = 400;
        }
        catch (HttpListenerException)
        {
            return;
        }

        context.Response.Close();
    }
}
