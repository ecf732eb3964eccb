using System.Text.Json;
using Serilog;
using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Domain.Money;
using Taifa.Silo.Intake;

namespace Taifa.Silo.Api;

/// <summary>The customer's low-balance alert (v2, h_api_key): one JSON POST to its URL when the balance falls below the threshold.</summary>
public static class AlertsApi
{
    private const int MaxUrlLength = 2048;
    private const decimal MaxThreshold = 10_000_000m;

    public static void MapAlerts(this RouteGroupBuilder v2) =>
        v2.MapPost("/alerts", SetAlert).WithSummary("Set (or with \"url\":\"\" remove) the low-balance alert");

    private static async Task<IResult> SetAlert(
        HttpContext http, ApiKeyAccounts keys, IGrainFactory grains, CallbackUrlPolicy callbackUrls, IDiagnosticContext log, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(http.Request, 4096, cancellationToken);
        var (status, accountId) = await InboundApi.Authorize(http, keys, log);
        if (status != TaifaStatus.Success) return InboundApi.Outcome(log, status);
        if (!TryRead(body, callbackUrls, out var alert)) return InboundApi.Outcome(log, TaifaStatus.InvalidJsonBody);

        var result = await grains.GetGrain<IAccountGrain>(accountId).SetLowBalanceAlert(alert);
        if (result.Outcome != AdminOutcome.Ok) return InboundApi.Outcome(log, TaifaStatus.InvalidApiKey);
        return InboundApi.Success(log, writer =>
        {
            if (alert is null) writer.WriteNull("low_balance_threshold");
            else writer.WriteString("low_balance_threshold", Money.Format(alert.Threshold));
            writer.WriteString("url", alert?.Url ?? "");
        });
    }

    /// <summary>
    /// <c>{"url":""}</c> (threshold ignored): no alert. Otherwise a URL dlr_url would be allowed and a threshold, a
    /// non-negative amount with at most two decimals, as a string ("50.00") or a number.
    /// </summary>
    private static bool TryRead(System.Buffers.ReadOnlySequence<byte>? body, CallbackUrlPolicy callbackUrls, out LowBalanceAlert? alert)
    {
        alert = null;
        if (body is null) return false;
        using var document = RequestBody.ParseJson(body.Value, maxDepth: 8);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } root ||
            !root.TryGetProperty("url", out var urlElement) || urlElement.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        var url = urlElement.GetString()!.Trim();
        if (url.Length == 0) return true;
        if (url.Length > MaxUrlLength || !callbackUrls.Accepts(url) || !root.TryGetProperty("low_balance_threshold", out var thresholdElement)) return false;

        var text = thresholdElement.ValueKind switch
        {
            JsonValueKind.String => thresholdElement.GetString(),
            JsonValueKind.Number => thresholdElement.GetRawText(),
            _ => null,
        };
        if (!Money.TryParse(text, out var threshold) || threshold < 0m || threshold > MaxThreshold) return false;
        alert = new LowBalanceAlert(threshold, url);
        return true;
    }
}
