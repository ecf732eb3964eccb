using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Smpp;
using Taifa.Silo.Hosting;
using Taifa.Silo.Intake;
using Taifa.Silo.Options;
using Taifa.Smpp.Session;

namespace Taifa.Silo.Smpp;

/// <summary>
/// The SMPP sessions of this silo. It is the grain observer the bind registries call to unbind an account's sessions
/// or hand one of them a receipt, and it renews its bound sessions in their registries every
/// <see cref="SmppBindLease.RenewEvery"/>, and at once when a silo dies: a registry that lived there is re-created empty
/// on a survivor, and would otherwise not know this silo's sessions (for receipts, for the bind limit) until the next renewal.
/// </summary>
public sealed partial class SmppSessionHost : BackgroundService, ISmppSessionHost
{
    private readonly ConcurrentDictionary<Guid, SmppServerSession> _sessions = new();
    private readonly Lazy<ISmppSessionHost> _reference;
    private readonly ILogger<SmppSessionHost> _logger;
    private readonly IClusterMembershipService _membership;
    private readonly VanishedSilos _vanished;

    public SmppSessionHost(
        IGrainFactory grains, RecipientParser parser, IOptions<TaifaOptions> options,
        SmppBindAuthenticator authenticator, AccountSends sends, VanishedSilos vanished, IClusterMembershipService membership, TimeProvider time, ILoggerFactory loggers)
    {
        Grains = grains;
        Sends = sends;
        _vanished = vanished;
        _membership = membership;
        Options = options.Value.Smpp;
        Authenticator = authenticator;
        ChannelOptions = new SmppChannelOptions
        {
            WindowCapacity = 64,
            MaxCommandLength = (uint)Options.MaxCommandLength,
            MaxQueuedOutbound = Options.MaxQueuedOutbound,
        };
        Time = time;
        Loggers = loggers;
        Intake = new SubmitSmIntake(parser, options.Value.Api.MaxParts, time);
        RateLimiter = new AccountRateLimiter(time, Options.MaxPartsPerSecond);
        _logger = loggers.CreateLogger<SmppSessionHost>();
        _reference = new Lazy<ISmppSessionHost>(() => grains.CreateObjectReference<ISmppSessionHost>(this));
        if (Options.NullResponder)
        {
            NullResponder = new NullSubmitResponder();
            LogNullResponder();
        }
    }

    internal IGrainFactory Grains { get; }

    internal AccountSends Sends { get; }

    internal SmppListenerOptions Options { get; }

    internal SmppBindAuthenticator Authenticator { get; }

    /// <summary>One for every session: the server's window of 64 and the listener's limits.</summary>
    internal SmppChannelOptions ChannelOptions { get; }

    internal TimeProvider Time { get; }

    internal ILoggerFactory Loggers { get; }

    internal SubmitSmIntake Intake { get; }

    internal AccountRateLimiter RateLimiter { get; }

    /// <summary>Set only in the benchmark mode <see cref="SmppListenerOptions.NullResponder"/>.</summary>
    internal NullSubmitResponder? NullResponder { get; }

    /// <summary>This host as a grain observer, for the registries to call back.</summary>
    internal ISmppSessionHost Reference => _reference.Value;

    internal int Count => _sessions.Count;

    internal SmppServerSession Open(ConnectionContext connection)
    {
        var session = new SmppServerSession(this, connection);
        _sessions[session.Id] = session;
        return session;
    }

    internal void Closed(SmppServerSession session) => _sessions.TryRemove(session.Id, out _);

    public Task UnbindAccount(long accountId, string reason)
    {
        foreach (var session in _sessions.Values.Where(s => s.AccountId == accountId))
        {
            session.RequestUnbind(reason);
        }

        return Task.CompletedTask;
    }

    /// <summary>Never waits for a customer: the observer runs its calls one at a time, so each only fills a window.</summary>
    public Task<ReceiptHandoff> DeliverReceipts(Guid sessionId, IReadOnlyList<SmppReceipt> receipts) =>
        Task.FromResult(_sessions.TryGetValue(sessionId, out var session) ? session.TakeReceipts(receipts) : new ReceiptHandoff(false, 0));

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(RenewPeriodically(stoppingToken), RenewWhenASiloDies(stoppingToken));

    private async Task RenewPeriodically(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SmppBindLease.RenewEvery, Time);
        while (await timer.WaitForNextTickAsync(stoppingToken)) await RenewAll();
    }

    private async Task RenewWhenASiloDies(CancellationToken stoppingToken)
    {
        var dead = new HashSet<SiloAddress>();
        await foreach (var update in _membership.MembershipUpdates.WithCancellation(stoppingToken))
        {
            var died = update.Members.Values.Count(m => m.Status == SiloStatus.Dead && dead.Add(m.SiloAddress));
            if (died > 0 && !_sessions.IsEmpty) await RenewAll();
        }
    }

    private async Task RenewAll()
    {
        foreach (var account in _sessions.Values.Select(s => s.Binding).OfType<BoundSession>().GroupBy(b => b.AccountId))
        {
            try
            {
                await _vanished.Call(() => Grains.GetGrain<ISmppBindRegistryGrain>(account.Key).Renew([.. account.Select(b => b.Binding)]));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogRenewFailed(Failures.Level(exception), Failures.StackWorthy(exception), account.Key, Failures.Reason(exception));
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        UnbindAll("silo shutting down");
        await base.StopAsync(cancellationToken);
    }

    /// <summary>Unbinds every session (the drain calls it, before Kestrel stops); answers to what was already submitted still go out.</summary>
    internal void UnbindAll(string reason)
    {
        foreach (var session in _sessions.Values) session.RequestUnbind(reason);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMPP null responder is on (benchmark mode): submit_sm are answered ESME_ROK without being recorded, sent or charged")]
    private partial void LogNullResponder();

    [LoggerMessage(Message = "Could not renew the SMPP sessions of account {AccountId} in its bind registry ({Reason})")]
    private partial void LogRenewFailed(LogLevel level, Exception? exception, long accountId, string reason);
}

/// <summary>A bound session as the renewal loop sees it.</summary>
internal sealed record BoundSession(long AccountId, SmppBinding Binding);
