using Microsoft.Extensions.Options;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Inbound;
using Taifa.Abstractions.Messages;
using Taifa.Abstractions.Smpp;
using Taifa.Grains.Inbound;
using Taifa.Silo.Api;
using Taifa.Silo.Hosting;

namespace Taifa.Silo.Inbound;

/// <summary>
/// Carries out the delivery work of inbound messages on every silo: the webhook POST, parking the message in the
/// account's SMPP outbox (whose receiver sessions, on any silo, get it as a deliver_sm), and opt-outs through the
/// account. The work lives in the store with its next attempt time, leased while a silo works on it, so a restart or
/// a silo's death only delays it. Failures are retried on the schedule of dlr_url callbacks.
/// </summary>
public sealed partial class InboundDelivery(
    IInboundStore store, IGrainFactory grains, IHttpClientFactory http, IOptions<InboundOptions> options,
    TimeProvider time, ILogger<InboundDelivery> logger) : BackgroundService
{
    public const string HttpClientName = "inbound-webhook";

    private const int BatchSize = 64;

    // Longer than an attempt may take (the webhook's 10 s timeout): another silo takes the work only if this one died.
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(10);

    // Parts of a concatenated message that never completes are kept this long.
    private static readonly TimeSpan PartsKept = TimeSpan.FromDays(1);

    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>New work was stored: look now rather than at the next poll.</summary>
    public void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0) _wake.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextPrune = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            var full = false;
            try
            {
                var now = time.GetUtcNow();
                if (now >= nextPrune)
                {
                    nextPrune = now + PruneEvery;
                    await store.Prune(now - (options.Value.RedeliveryWindow > PartsKept ? options.Value.RedeliveryWindow : PartsKept));
                }

                var due = await store.ClaimDue(now, Lease, BatchSize);
                await Task.WhenAll(due.Select(work => Run(work, stoppingToken)));
                full = due.Count == BatchSize;
            }
            catch (Exception exception)
            {
                // Stopping: what was leased is taken again when the lease runs out.
                if (stoppingToken.IsCancellationRequested) return;
                LogClaimFailed(Failures.Reason(exception));
            }

            if (full) continue;
            try
            {
                await _wake.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task Run(InboundWork work, CancellationToken stopping)
    {
        bool done;
        try
        {
            done = work.Kind switch
            {
                InboundWorkKind.Webhook => await PostWebhook(work, stopping),
                InboundWorkKind.Smpp => await ParkForSmpp(work),
                InboundWorkKind.OptOut => await OptOut(work),
                _ => true,
            };
        }
        catch (Exception exception) when (!stopping.IsCancellationRequested)
        {
            LogAttemptFailed(work.Kind, work.Message.InboundId, work.AccountId, Failures.Reason(exception));
            done = false;
        }
        catch (Exception)
        {
            // Stopping: the lease runs out and the next silo (or this one, restarted) takes it again.
            return;
        }

        try
        {
            if (done) await store.Complete(work.WorkId);
            else await store.Retry(work.WorkId, time.GetUtcNow() + InboundRetry.DelayAfter(work.Attempts + 1));
        }
        catch (Exception exception)
        {
            // The lease runs out and the work is tried again; every step is safe to repeat.
            LogAttemptFailed(work.Kind, work.Message.InboundId, work.AccountId, Failures.Reason(exception));
        }
    }

    private async Task<bool> PostWebhook(InboundWork work, CancellationToken stopping)
    {
        if (await store.Webhook(work.AccountId) is not { } url) return true;
        var message = work.Message;
        if (time.GetUtcNow() - message.ReceivedAt > options.Value.WebhookRetention)
        {
            LogWebhookGivenUp(message.InboundId, work.AccountId, work.Attempts);
            return true;
        }

        using var content = new ByteArrayContent(SmsResponses.JsonBytes(writer => InboundJson.Write(writer, message)));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await http.CreateClient(HttpClientName).PostAsync(new Uri(url), content, stopping);
        if (response.IsSuccessStatusCode) return true;
        LogWebhookRefused(message.InboundId, work.AccountId, (int)response.StatusCode);
        return false;
    }

    /// <summary>Only for an account with SMPP credentials: a REST-only customer would never bind a receiver to take it.</summary>
    private async Task<bool> ParkForSmpp(InboundWork work)
    {
        var view = await grains.GetGrain<IAccountGrain>(work.AccountId).View();
        if (view?.SmppUsername is null) return true;
        var message = work.Message;
        await grains.GetGrain<ISmppReceiptOutboxGrain>(work.AccountId).Park(new SmppReceipt(
            message.InboundId, message.From, message.To, MessageStatus.Delivered, message.ReceivedAt, message.ReceivedAt, null, message.Text,
            MobileOriginated: true));
        return true;
    }

    private async Task<bool> OptOut(InboundWork work)
    {
        if (!Domain.Numbers.MobileNumber.TryNormalize(work.Message.From, out var mobile)) return true;
        await grains.GetGrain<IAccountGrain>(work.AccountId).AddOptOut(mobile, OptOutSource.Inbound);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound delivery: could not read due work: {Reason}")]
    private partial void LogClaimFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound {InboundId}: {Kind} for account {AccountId} failed, will retry: {Reason}")]
    private partial void LogAttemptFailed(InboundWorkKind kind, long inboundId, long accountId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inbound {InboundId}: account {AccountId}'s webhook answered {StatusCode}, will retry")]
    private partial void LogWebhookRefused(long inboundId, long accountId, int statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbound {InboundId}: account {AccountId}'s webhook did not take it within the retention ({Attempts} attempts); given up")]
    private partial void LogWebhookGivenUp(long inboundId, long accountId, int attempts);
}
