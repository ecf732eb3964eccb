using System.Diagnostics;
using System.Threading.Channels;
using Taifa.Operators.Client;
using Taifa.Smpp.Pdus;

namespace Taifa.Operators.Tests;

/// <summary>
/// The client against an SMSC nobody here wrote: node-smpp's server (tests/interop/smsc-server.js), installed into
/// tests/interop/node_modules by infra/local/interop-deps.sh.
/// </summary>
public class InteropTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_node_smpp_smsc_takes_a_transceiver_bind_and_a_submit_and_sends_the_receipt()
    {
        await using var smsc = await NodeSmsc.StartAsync();
        var receipts = Channel.CreateUnbounded<ReceivedDeliverSm>();
        await using var bind = new OperatorBind(
            new OperatorBindOptions
            {
                Name = "node-smpp",
                Host = "127.0.0.1",
                Port = smsc.Port,
                SystemId = "taifa",
                Password = "secret",
                ResponseTimeout = TimeSpan.FromSeconds(5),
                ReconnectMinDelay = TimeSpan.FromMilliseconds(100),
                ReconnectMaxDelay = TimeSpan.FromSeconds(1),
            },
            async (received, cancellationToken) =>
            {
                await receipts.Writer.WriteAsync(received, cancellationToken);
                return true;
            });
        using var timeout = new CancellationTokenSource(Patience);
        bind.Start();
        await bind.WaitUntilBoundAsync(timeout.Token);
        await smsc.WaitForLineAsync("BIND bind_transceiver taifa", timeout.Token);

        var outcome = await bind.SubmitAsync(Harness.Message("Interop habari"), timeout.Token);

        var accepted = Assert.IsType<SubmitOutcome.Accepted>(outcome);
        Assert.Matches("^[0-9A-F]+$", accepted.OperatorMessageId);
        await smsc.WaitForLineAsync($"SUBMIT {accepted.OperatorMessageId} 254702739804", timeout.Token);
        var received = await receipts.Reader.ReadAsync(timeout.Token);
        Assert.True(received.DeliverSm.IsDeliveryReceipt);
        Assert.NotNull(received.Receipt);
        Assert.Equal(accepted.OperatorMessageId, received.Receipt.MessageId);
        Assert.Equal(MessageState.Delivered, received.Receipt.State);
        await smsc.WaitForLineAsync($"RECEIPT_ACK {accepted.OperatorMessageId} 0", timeout.Token);

        await bind.DisposeAsync();
        await smsc.WaitForLineAsync("UNBIND", timeout.Token);
    }

    /// <summary>The node process, bounded in time by its own --lifetime-ms and killed on dispose.</summary>
    private sealed class NodeSmsc : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
        private readonly List<string> _seen = [];

        private NodeSmsc(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    _lines.Writer.TryWrite(e.Data);
                }
            };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public int Port { get; private set; }

        public static async Task<NodeSmsc> StartAsync()
        {
            var script = FindScript();
            var interop = Path.GetDirectoryName(script)!;
            Assert.True(Directory.Exists(Path.Combine(interop, "node_modules", "smpp")),
                $"node-smpp is not installed under {interop}; run infra/local/interop-deps.sh.");
            var start = new ProcessStartInfo("node", [script, "--lifetime-ms", "60000"])
            {
                WorkingDirectory = interop,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var smsc = new NodeSmsc(Process.Start(start) ?? throw new InvalidOperationException("node did not start"));
            using var timeout = new CancellationTokenSource(Patience);
            var listening = await smsc.WaitForLineAsync("LISTENING ", timeout.Token);
            smsc.Port = int.Parse(listening["LISTENING ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            return smsc;
        }

        /// <returns>The first line not yet consumed that starts with <paramref name="prefix"/>.</returns>
        public async Task<string> WaitForLineAsync(string prefix, CancellationToken cancellationToken)
        {
            try
            {
                while (true)
                {
                    var line = await _lines.Reader.ReadAsync(cancellationToken);
                    _seen.Add(line);
                    if (line.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        return line;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"node-smpp SMSC never printed \"{prefix}\"; it printed: {string.Join(" | ", _seen)}");
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(2)))
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
            _process.Dispose();
        }

        private static string FindScript()
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                var script = Path.Combine(directory.FullName, "tests", "interop", "smsc-server.js");
                if (File.Exists(script))
                {
                    return script;
                }
            }

            throw new FileNotFoundException("tests/interop/smsc-server.js not found above " + AppContext.BaseDirectory);
        }
    }
}
