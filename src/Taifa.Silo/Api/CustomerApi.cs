using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Serilog;
using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Money;
using Taifa.Domain.Text;
using Taifa.Silo.Dispatch;
using Taifa.Silo.Intake;
using Taifa.Silo.Options;

namespace Taifa.Silo.Api;

/// <summary>
/// The customer API of the public API document: v2 under /v2/sms and the legacy PHP paths under /api/sms.
/// Every answer is HTTP 200; status_code carries the outcome. Checks run in the order
/// 1006 key, 1016 address, 1011 suspended, 1009 body, 1001 sender, 1003 mobile, 1004 credit, 1005 storage.
/// </summary>
/// <remarks>
/// Unlike the admin API, bodies here are read and written by hand (Utf8JsonWriter, SmsResponses): the public API
/// document fixes them byte for byte, as the PHP gateway wrote them (status codes as strings, JSON or XML or form
/// bodies on one path, field order), and each refusal must be the right status_code, which no model binder gives.
/// </remarks>
public static class CustomerApi
{
    public const string ApiKeyHeader = ApiKeyAccounts.ApiKeyHeader;
    public const string OpenApiDocument = "customer";
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static void MapCustomerApi(this IEndpointRouteBuilder app)
    {
        var v2 = app.MapGroup("/v2/sms").WithTags("SMS (v2)").WithGroupName(OpenApiDocument);
        v2.MapPost("/sendsms", SendSms).WithSummary("Send an SMS to one or more recipients");
        v2.MapGet("/units", Units).WithSummary("Credit balance");
        v2.MapPost("/smpp-credentials", SetSmppCredentials).WithSummary("Register SMPP system_id and password");
        v2.MapGet("/health", Health).WithSummary("Service status and queue depth");
        v2.MapGet("/status", MessageStatusOf).WithSummary("Status of one of your messages");
        v2.MapPost("/cancel", CancelMessage).WithSummary("Cancel one of your messages not yet handed to an operator");
        v2.MapStatement();
        v2.MapDeliverySummary();
        v2.MapAlerts();
        v2.MapGet("/price", PriceOf).WithSummary("Your price per SMS part to a mobile number's network");

        var legacy = app.MapGroup("/api/sms").WithTags("SMS (legacy PHP paths)").WithGroupName(OpenApiDocument);
        legacy.MapPost("/sendsms.php", SendSms).WithSummary("Send an SMS (legacy path)");
        legacy.MapGet("/units.php", Units).WithSummary("Credit balance (legacy path)");
    }

    private static async Task<IResult> SendSms(
        HttpContext http, ApiKeyAccounts keys, AccountSends sends, RecipientParser recipients, CallbackUrlPolicy callbackUrls,
        IOptions<TaifaOptions> options, TimeProvider time, IDiagnosticContext log, CancellationToken cancellationToken)
    {
        var limits = options.Value.Api;
        var body = await RequestBody.ReadAsync(http.Request, limits.MaxBodyBytes, cancellationToken);
        var parsed = body is { } bytes ? SendRequestParser.Parse(bytes, limits.MaxRecipients, callbackUrls) : default;
        var responseType = parsed.ResponseType;

        var caller = await keys.Resolve(http);
        if (caller is null) return Outcome(log, TaifaStatus.InvalidApiKey, responseType);
        log.Set("AccountId", caller.Value.AccountId);

        var request = parsed.Request;
        var segmentation = request is null ? default : SmsSegmenter.Analyze(request.Message);
        var now = time.GetUtcNow();
        DateTimeOffset? sendAt = null, expiresAt = null;
        if (request is null || segmentation.Parts > limits.MaxParts || !SendSchedule.TryResolve(request.SendAt, now, out sendAt) ||
            !MessageValidity.TryResolveMinutes(request.ValidityMinutes, sendAt ?? now, out expiresAt))
        {
            return await Refuse(keys, caller.Value, log, TaifaStatus.InvalidJsonBody, responseType);
        }

        var command = new SendCommand
        {
            ApiKeyDigest = caller.Value.Digest,
            SenderId = request.SenderName,
            Text = request.Message,
            Encoding = segmentation.Encoding,
            Parts = segmentation.Parts,
            ServiceId = request.ServiceId,
            Channel = MessageChannel.Rest,
            Recipients = request.Mobiles.Select(recipients.Parse).ToArray(),
            RegisteredDelivery = request.DlrUrl is not null,
            DlrUrl = request.DlrUrl,
            Source = caller.Value.Source,
            SendAt = sendAt,
            ExpiresAt = expiresAt,
        };
        SendResult result;
        try
        {
            if (http.Request.Headers[IdempotencyKeyHeader] is { Count: > 0 } keyHeader)
            {
                var key = keyHeader.ToString();
                if (key.Length is 0 or > 128 || key.Any(c => c is < ' ' or > '~'))
                {
                    return Outcome(log, TaifaStatus.InvalidJsonBody, responseType);
                }

                var idempotent = await sends.SendIdempotentAsync(caller.Value.AccountId, $"{caller.Value.AccountId}:{ApiKeys.Digest(key)}",
                    Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body!.Value.ToArray())), command);
                if (idempotent.KeyReusedWithAnotherBody) return Outcome(log, TaifaStatus.IdempotencyKeyReused, responseType);
                if (idempotent.Replayed) http.Response.Headers["Idempotent-Replayed"] = "true";
                result = idempotent.Result!;
            }
            else
            {
                result = await sends.SendAsync(caller.Value.AccountId, command);
            }
        }
        catch (SendOutcomeUnknownException)
        {
            // It may have been charged: no answer at all, never a false "not accepted" (see docs/api.md, 1005).
            log.Set("Outcome", "unknown");
            http.Abort();
            return Results.Empty;
        }

        if (result.Status != TaifaStatus.Success) return Outcome(log, keys.Checked(caller.Value, result.Status), responseType);

        log.Set("Outcome", result.Outcomes.Count == 1 ? result.Outcomes[0].Status.Code() : "bulk");
        log.Set("Recipients", result.Outcomes.Count);
        return SmsResponses.Sent(result.Outcomes, responseType);
    }

    private static async Task<IResult> Units(HttpContext http, ApiKeyAccounts keys, TimeProvider time, IDiagnosticContext log)
    {
        var (status, balance) = await CheckCaller(http, keys, log);
        if (status != TaifaStatus.Success) return Outcome(log, status, ResponseType.Json);
        log.Set("Outcome", status.Code());
        return SmsResponses.Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("credit_balance", Money.Format(balance));
            writer.WriteString("date", NairobiTime.Format(time.GetUtcNow()));
            writer.WriteEndObject();
        });
    }

    private static async Task<IResult> SetSmppCredentials(
        HttpContext http, ApiKeyAccounts keys, IGrainFactory grains, IDiagnosticContext log, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(http.Request, 4096, cancellationToken);
        var caller = await keys.Resolve(http);
        if (caller is null) return Outcome(log, TaifaStatus.InvalidApiKey, ResponseType.Json);
        log.Set("AccountId", caller.Value.AccountId);

        if (body is null || !TryReadCredentials(body.Value, out var username, out var password)) return await Refuse(keys, caller.Value, log, TaifaStatus.InvalidJsonBody, ResponseType.Json);

        if (!SmppCredentialRules.IsValidUsername(username) || !SmppCredentialRules.IsValidPassword(password)) return await Refuse(keys, caller.Value, log, TaifaStatus.InvalidSmppCredentials, ResponseType.Json);

        var status = keys.Checked(caller.Value, await grains.GetGrain<IAccountGrain>(caller.Value.AccountId).SetSmppCredentials(caller.Value.Digest, caller.Value.Source, username, password));
        if (status != TaifaStatus.Success) return Outcome(log, status, ResponseType.Json);
        log.Set("Outcome", status.Code());
        return SmsResponses.Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("smpp_username", username);
            writer.WriteString("smpp_password", password);
            writer.WriteEndObject();
        });
    }

    private static async Task<IResult> Health(QueueDepth queue)
    {
        var queued = await queue.Read();
        return SmsResponses.Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("status", "ok");
            writer.WriteNumber("queue_depth", queued);
            writer.WriteEndObject();
        });
    }

    private static async Task<IResult> MessageStatusOf(
        HttpContext http, ApiKeyAccounts keys, IGrainFactory grains, IDiagnosticContext log)
    {
        var caller = await keys.Resolve(http);
        if (caller is null) return Outcome(log, TaifaStatus.InvalidApiKey, ResponseType.Json);
        log.Set("AccountId", caller.Value.AccountId);

        if (!long.TryParse(http.Request.Query["message_id"], NumberStyles.None, CultureInfo.InvariantCulture, out var messageId)) return await Refuse(keys, caller.Value, log, TaifaStatus.UnknownMessageId, ResponseType.Json);

        var lookup = await grains.GetGrain<IAccountGrain>(caller.Value.AccountId).FindMessage(caller.Value.Digest, caller.Value.Source, messageId);
        if (lookup.Message is not { } message) return Outcome(log, keys.Checked(caller.Value, lookup.Status), ResponseType.Json);
        log.Set("Outcome", TaifaStatus.Success.Code());
        return SmsResponses.Json(writer => MessageStatusJson.Write(writer, message));
    }

    private static async Task<IResult> CancelMessage(
        HttpContext http, ApiKeyAccounts keys, IGrainFactory grains, IDiagnosticContext log, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(http.Request, 4096, cancellationToken);
        var caller = await keys.Resolve(http);
        if (caller is null) return Outcome(log, TaifaStatus.InvalidApiKey, ResponseType.Json);
        log.Set("AccountId", caller.Value.AccountId);

        long? read = null;
        if (body is null || !TryReadMessageId(body.Value, out read)) return await Refuse(keys, caller.Value, log, TaifaStatus.InvalidJsonBody, ResponseType.Json);

        if (read is not { } messageId) return await Refuse(keys, caller.Value, log, TaifaStatus.UnknownMessageId, ResponseType.Json);

        var cancel = await grains.GetGrain<IAccountGrain>(caller.Value.AccountId).CancelMessage(caller.Value.Digest, caller.Value.Source, messageId);
        if (cancel.Status != TaifaStatus.Success || cancel.Message is not { } message) return Outcome(log, keys.Checked(caller.Value, cancel.Status), ResponseType.Json);
        log.Set("Outcome", TaifaStatus.Success.Code());
        return SmsResponses.Json(writer => MessageStatusJson.Write(writer, message));
    }

    /// <summary>
    /// The body's message_id, as a string (as the API answers it) or a number: false when the body is not such an
    /// object (1009); a null id when the id can name no message (1014).
    /// </summary>
    private static bool TryReadMessageId(ReadOnlySequence<byte> body, out long? messageId)
    {
        messageId = null;
        using var document = RequestBody.ParseJson(body, maxDepth: 8);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } root || !root.TryGetProperty("message_id", out var id)) return false;
        var text = id.ValueKind switch
        {
            JsonValueKind.String => id.GetString(),
            JsonValueKind.Number => id.GetRawText(),
            _ => null,
        };
        if (text is null) return false;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)) messageId = parsed;
        return true;
    }

    private static async Task<IResult> PriceOf(
        HttpContext http, ApiKeyAccounts keys, RecipientParser recipients, IGrainFactory grains, IDiagnosticContext log)
    {
        var caller = await keys.Resolve(http);
        if (caller is null) return Outcome(log, TaifaStatus.InvalidApiKey, ResponseType.Json);
        log.Set("AccountId", caller.Value.AccountId);

        var recipient = recipients.Parse(http.Request.Query["mobile"].ToString());
        if (recipient.MobileNumber is not { } mobile) return await Refuse(keys, caller.Value, log, TaifaStatus.InvalidMobileNumber, ResponseType.Json);

        var quote = await grains.GetGrain<IAccountGrain>(caller.Value.AccountId).QuotePrice(caller.Value.Digest, caller.Value.Source, recipient.NetworkId);
        if (quote.Status != TaifaStatus.Success) return Outcome(log, keys.Checked(caller.Value, quote.Status), ResponseType.Json);
        log.Set("Outcome", TaifaStatus.Success.Code());
        return SmsResponses.Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("status_code", TaifaStatus.Success.Code());
            writer.WriteString("mobile_number", mobile);
            writer.WriteString("network_id", recipient.NetworkId.ToString(CultureInfo.InvariantCulture));
            writer.WriteString("price_per_part", Money.Format(quote.PricePerPart));
            writer.WriteEndObject();
        });
    }

    private static async Task<(TaifaStatus Status, decimal Balance)> CheckCaller(HttpContext http, ApiKeyAccounts keys, IDiagnosticContext log)
    {
        var caller = await keys.Resolve(http);
        if (caller is null) return (TaifaStatus.InvalidApiKey, 0m);
        log.Set("AccountId", caller.Value.AccountId);
        var check = await keys.Authorize(caller.Value);
        return (check.Status, check.CreditBalance);
    }

    /// <summary>A request the caller got wrong: the key's own refusal (1006, 1016, 1011) comes first, else <paramref name="problem"/>.</summary>
    private static async Task<IResult> Refuse(ApiKeyAccounts keys, ApiKeyAccounts.Caller caller, IDiagnosticContext log, TaifaStatus problem, ResponseType responseType)
    {
        var check = (await keys.Authorize(caller)).Status;
        return Outcome(log, check == TaifaStatus.Success ? problem : check, responseType);
    }

    private static IResult Outcome(IDiagnosticContext log, TaifaStatus status, ResponseType responseType)
    {
        log.Set("Outcome", status.Code());
        return SmsResponses.Error(status, responseType);
    }

    private static bool TryReadCredentials(System.Buffers.ReadOnlySequence<byte> body, out string username, out string password)
    {
        username = password = "";
        using var document = RequestBody.ParseJson(body, maxDepth: 8);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } root ||
            !root.TryGetProperty("smpp_username", out var user) || user.ValueKind != JsonValueKind.String ||
            !root.TryGetProperty("smpp_password", out var pass) || pass.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        username = user.GetString()!;
        password = pass.GetString()!;
        return true;
    }
}

/// <summary>SMPP v3.4 field limits: system_id is a 16-octet C string, password 9.</summary>
public static class SmppCredentialRules
{
    public static bool IsValidUsername(string username) =>
        username.Length is >= 1 and <= 15 && username.All(c => c is > ' ' and <= '~');

    public static bool IsValidPassword(string password) =>
        password.Length is >= 1 and <= 8 && password.All(c => c is >= ' ' and <= '~');
}
