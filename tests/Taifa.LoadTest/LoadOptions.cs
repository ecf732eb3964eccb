using System.Globalization;

namespace Taifa.LoadTest;

/// <summary>Command-line options. Plain "--name value" pairs and flags; no parser package needed.</summary>
public sealed record LoadOptions
{
    public const string Usage = """
        Taifa load generator

        Usage: Taifa.LoadTest --url URL (--api-key KEY | --admin-token TOKEN) [options]

          --mode rest               Transport to drive (rest; smpp is planned)
          --url URL                 Gateway base address, e.g. http://127.0.0.1:8080
          --api-key KEY             Send as an existing account (balance read through /v2/sms/units)
          --admin-token TOKEN       Open a fresh account through the admin API and send as it
          --sender-id ID            Sender ID to use with --api-key (default BENCH)
          --concurrency C           Requests in flight = keep-alive connections (default 64)
          --duration S              Measured seconds after warm-up (default 20)
          --warmup S                Seconds of load before measuring (default 5)
          --recipients N            Numbers per request (comma-separated bulk list, default 1)
          --message-mix M           gsm | long | ucs2 | mix (default gsm)
          --timeout S               Per-request timeout in seconds (default 30)
          --verify-sample N         Status look-ups when more than 20000 were accepted (default 5000)
          --summary-file PATH       Also write the JSON summary line to PATH
          --smoke                   A few seconds at low concurrency; any failure exits non-zero
          --help                    This text

        Exit codes: 0 verified, 1 verification failed, 2 bad arguments or set-up failure.
        """;

    /// <summary>All accepted ids are looked up when there are at most this many; above it, a random sample.</summary>
    public const int VerifyAllLimit = 20_000;

    public string Mode { get; init; } = "rest";
    public Uri Url { get; init; } = new("http://127.0.0.1:8080");
    public string? ApiKey { get; init; }
    public string? AdminToken { get; init; }
    public string SenderId { get; init; } = "BENCH";
    public int Concurrency { get; init; } = 64;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);
    public int Recipients { get; init; } = 1;
    public MessageMix MessageMix { get; init; } = MessageMix.Gsm;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
    public int VerifySample { get; init; } = 5000;
    public string? SummaryFile { get; init; }
    public bool Smoke { get; init; }

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a message fit for the user.</summary>
    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        var smoke = args.Contains("--smoke");
        var options = smoke
            ? new LoadOptions
            {
                Smoke = true,
                Concurrency = 4,
                Duration = TimeSpan.FromSeconds(3),
                Warmup = TimeSpan.FromSeconds(1),
                Recipients = 3,
                MessageMix = MessageMix.Mix,
            }
            : new LoadOptions();

        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--smoke") continue;
            if (i + 1 >= args.Count) throw new ArgumentException($"{name} needs a value (or is unknown).");
            var value = args[++i];
            options = name switch
            {
                "--mode" => options with { Mode = value is "rest" ? value : throw new ArgumentException($"--mode {value}: only rest is built so far.") },
                "--url" => options with { Url = Uri.TryCreate(value, UriKind.Absolute, out var url) ? url : throw new ArgumentException($"--url {value} is not an absolute URL.") },
                "--api-key" => options with { ApiKey = value },
                "--admin-token" => options with { AdminToken = value },
                "--sender-id" => options with { SenderId = value },
                "--concurrency" => options with { Concurrency = Positive(name, value, 10_000) },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(Positive(name, value, 86_400)) },
                "--warmup" => options with { Warmup = TimeSpan.FromSeconds(NonNegative(name, value, 3_600)) },
                "--recipients" => options with { Recipients = Positive(name, value, 100_000) },
                "--message-mix" => options with { MessageMix = ParseMix(value) },
                "--timeout" => options with { Timeout = TimeSpan.FromSeconds(Positive(name, value, 600)) },
                "--verify-sample" => options with { VerifySample = Positive(name, value, 1_000_000) },
                "--summary-file" => options with { SummaryFile = value },
                _ => throw new ArgumentException($"Unknown option {name}."),
            };
        }

        if (options.ApiKey is null && options.AdminToken is null)
        {
            throw new ArgumentException("Give --api-key KEY or --admin-token TOKEN.");
        }

        return options;
    }

    private static int Positive(string name, string value, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 && number <= max
            ? number
            : throw new ArgumentException($"{name} {value}: expected a whole number from 1 to {max}.");

    private static int NonNegative(string name, string value, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= max
            ? number
            : throw new ArgumentException($"{name} {value}: expected a whole number from 0 to {max}.");

    private static MessageMix ParseMix(string value) => value switch
    {
        "gsm" => MessageMix.Gsm,
        "long" => MessageMix.Long,
        "ucs2" => MessageMix.Ucs2,
        "mix" => MessageMix.Mix,
        _ => throw new ArgumentException($"--message-mix {value}: expected gsm, long, ucs2 or mix."),
    };
}
