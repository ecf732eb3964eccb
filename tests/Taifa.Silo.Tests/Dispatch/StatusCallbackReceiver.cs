using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Dispatch;

/// <summary>A customer's dlr_url endpoint: a real HTTP listener on loopback that records every JSON body posted to it.</summary>
public sealed class StatusCallbackReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _serving;
    private int _failuresToAnswer;
    private int _refused;

    public StatusCallbackReceiver()
    {
        Url = $"http://127.0.0.1:{GatewayFactory.FreeTcpPort()}/dlr/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _serving = Task.Run(Serve);
    }

    public string Url { get; }

    public ConcurrentQueue<JsonNode> Posts { get; } = new();

    /// <summary>How many posts were answered 503 (see <see cref="FailNext"/>).</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>The next <paramref name="count"/> posts are answered 503, as a customer's server under maintenance would.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failuresToAnswer, count);

    public async Task<JsonNode> WaitForAsync(string messageId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var post = Posts.FirstOrDefault(p => p["message_id"]?.GetValue<string>() == messageId);
            if (post is not null) return post;
            await Task.Delay(50);
        }

        throw new TimeoutException($"no status callback for message {messageId} within {timeout}; got {Posts.Count} other posts");
    }

    public async Task<JsonNode> WaitForAsync(Func<JsonNode, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Posts.FirstOrDefault(match) is { } post) return post;
            await Task.Delay(50);
        }

        throw new TimeoutException($"no callback {what} within {timeout}; got {Posts.Count} other posts");
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            if (Interlocked.Decrement(ref _failuresToAnswer) >= 0)
            {
                context.Response.StatusCode = 503;
                Interlocked.Increment(ref _refused);
            }
            else
            {
                Posts.Enqueue(JsonNode.Parse(body)!);
                context.Response.StatusCode = 200;
            }

            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving.ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
