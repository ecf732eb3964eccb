using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Taifa.Silo.Tests.Transport;

/// <summary>HTTP/1.1 over a bare socket, for requests no well-behaved client would send (huge headers, trickled bytes).</summary>
public static class RawHttp
{
    /// <summary>A response as it came off the wire.</summary>
    public sealed record Answer(int Status, string Head, string Body);

    public static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return socket;
    }

    public static async Task SendAsync(this Socket socket, string text) => await socket.SendAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None);

    /// <summary>Sends the request and reads one answer.</summary>
    public static async Task<Answer?> ExchangeAsync(int port, string request, TimeSpan? timeout = null)
    {
        using var socket = await ConnectAsync(port);
        await socket.SendAsync(request);
        return await ReadAnswerAsync(socket, timeout ?? TimeSpan.FromSeconds(10));
    }

    /// <returns>The next response, or null when the server closed the connection without one.</returns>
    public static async Task<Answer?> ReadAnswerAsync(Socket socket, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var received = new List<byte>();
        var buffer = new byte[8192];
        while (true)
        {
            var text = Encoding.Latin1.GetString(received.ToArray());
            var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headEnd >= 0)
            {
                var head = text[..headEnd];
                var length = ContentLength(head);
                if (length is { } expected && text.Length - headEnd - 4 >= expected)
                {
                    return new Answer(int.Parse(head.Split(' ')[1], CultureInfo.InvariantCulture), head, text.Substring(headEnd + 4, expected));
                }

                if (length is null && head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) &&
                    text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal))
                {
                    return new Answer(int.Parse(head.Split(' ')[1], CultureInfo.InvariantCulture), head, text[(headEnd + 4)..]);
                }
            }

            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no complete answer within {timeout}; got {received.Count} bytes");
            }
            catch (SocketException)
            {
                read = 0;
            }

            if (read == 0)
            {
                if (received.Count == 0) return null;
                var head = headEnd >= 0 ? text[..headEnd] : text;
                return new Answer(int.Parse(head.Split(' ')[1], CultureInfo.InvariantCulture), head, headEnd >= 0 ? text[(headEnd + 4)..] : "");
            }

            received.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }

    private static int? ContentLength(string head)
    {
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                return int.Parse(line["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}
