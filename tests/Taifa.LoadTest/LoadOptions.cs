using System.Globalization;

namespace Taifa.LoadTest;

/// <summary>Command-line options. Plain "--name value" pairs and flags; no parser package needed.</summary>
public sealed record LoadOptions
{
    public const string Usage = """
        Taifa load generator

        Usage: Taifa.LoadTest --url URL (--api-key KEY | --admin-token TOKEN) [options]
               Taifa.LoadTest --mode smpp --url URL --admin-token TOKEN [--binds N --window W ...]
               Taifa.LoadTest --mode smpp --system-id ID --password PW (--api-key KEY | --no-verify) [...]
               Taifa.LoadTest idle-sessions --system-id ID --password PW [--sessions N --hold S ...]  (memory benchmark)

          --mode rest|smpp          Transport to drive (default rest)
          --url URL                 Gateway base address, e.g. http://127.0.0.1:8080
          --api-key KEY             Send as an existing account (balance read through /v2/sms/units)
          --admin-token TOKEN       Open a fresh account through the admin API and send as it
          --sender-id ID            Sender ID to use with --api-key (default BENCH)
          --concurrency C           REST: requests in flight = keep-alive connections (default 64)
          --smpp-host HOST          SMPP: listener host (default 127.0.0.1)
          --smpp-port PORT          SMPP: listener port (default 2775)
          --binds N                 SMPP: transmitter binds (default 1)
          --window W                SMPP: submit_sm outstanding per bind (default 100)
          --system-id ID            SMPP: bind as these existing credentials (with --password); without them,
                                    --admin-token opens an account and registers fresh credentials
          --password PW             SMPP: password for --system-id
          --price P                 SMPP: price per part of the --api-key account, for verification (default 1.00)
          --no-verify               Skip the ledger check (the null responder records and charges nothing)
          --duration S              Measured seconds after warm-up (default 20)
          --warmup S                Seconds of load before measuring (default 5)
          --recipients N            REST: numbers per request (comma-separated bulk list, default 1)
          --message-mix M           gsm | long | ucs2 | mix (default gsm)
          --timeout S               Per-request timeout in seconds (default 30)
          --verify-sample N         Status look-ups when more than 20000 were accepted (default 5000)
          --summary-file PATH       Also write the JSON summary line to PATH
          --smoke                   A few seconds at low concurrency (smpp: 2 binds, window 20); any failure exits non-zero
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
    public string SmppHost { get; init; } = "127.0.0.1";
    public int SmppPort { get; init; } = 2775;
    public int Binds { get; init; } = 1;
    public int Window { get; init; } = 100;
    public string? SystemId { get; init; }
    public string? Password { get; init; }
    public decimal Price { get; init; } = 1.00m;
    public bool Verify { get; init; } = true;

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
                Binds = 2,
                Window = 20,
            }
            : new LoadOptions();

        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--smoke") continue;
            if (name == "--no-verify")
            {
                options = options with { Verify = false };
                continue;
            }

            if (i + 1 >= args.Count) throw new ArgumentException($"{name} needs a value (or is unknown).");
            var value = args[++i];
            options = name switch
            {
                "--mode" => options with { Mode = value is "rest" or "smpp" ? value : throw new ArgumentException($"--mode {value}: expected rest or smpp.") },
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
                "--smpp-host" => options with { SmppHost = value },
                "--smpp-port" => options with { SmppPort = Positive(name, value, 65_535) },
                "--binds" => options with { Binds = Positive(name, value, 1_000) },
                "--window" => options with { Window = Positive(name, value, 100_000) },
                "--system-id" => options with { SystemId = value },
                "--password" => options with { Password = value },
                "--price" => options with { Price = decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var price) && price > 0 ? price : throw new ArgumentException($"--price {value}: expected a positive amount such as 0.80.") },
                _ => throw new ArgumentException($"Unknown option {name}."),
            };
        }

        if (options.Mode == "smpp" && options.SystemId is not null)
        {
            if (options.Password is null) throw new ArgumentException("--system-id needs --password.");
            if (options.ApiKey is null && options.Verify) throw new ArgumentException("--system-id needs --api-key (to verify through REST) or --no-verify.");
        }
        else if (options.Mode == "smpp" && options.AdminToken is null)
        {
            throw new ArgumentException("SMPP mode needs --admin-token TOKEN (to open an account with credentials) or --system-id and --password.");
        }
        else if (options.ApiKey is null && options.AdminToken is null)
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
