using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Serilog;
using Taifa.Abstractions.Accounts;
using Taifa.Domain.Money;
using Taifa.Silo.Options;

namespace Taifa.Silo.Api;

/// <summary>
/// M-Pesa C2B callbacks in the shape of Safaricom's Daraja API (docs/api.md#m-pesa-c2b-top-ups): the validation URL says whether a
/// paybill account number (<c>BillRefNumber</c>, our account id) can be paid, the confirmation URL tops the wallet up,
/// once per <c>TransID</c> (the account grain applies a top-up with that reference at most once, ever).
/// </summary>
public static partial class MpesaC2BApi
{
    /// <summary>The largest amount one top-up may carry (Daraja's own limit per transaction is far below it).</summary>
    public const decimal MaxAmount = 10_000_000m;

    private const int MaxBodyBytes = 8 * 1024;

    public static void MapPaymentsApi(this IEndpointRouteBuilder app)
    {
        // Daraja refuses to register callback URLs that contain "M-Pesa" or "Safaricom" in any spelling: the same
        // endpoints are also under a path without the word, the one an operator registers (docs/api.md).
        foreach (var prefix in new[] { "/v2/payments/mpesa/c2b", "/v2/payments/c2b" })
        {
            var c2b = app.MapGroup(prefix).WithTags("Payments (M-Pesa C2B)").WithGroupName(CustomerApi.OpenApiDocument);
            c2b.MapPost("/validation", Validation).WithSummary("Daraja C2B validation: can this account number be paid?");
            c2b.MapPost("/confirmation", Confirmation).WithSummary("Daraja C2B confirmation: credit the wallet once per TransID");
        }
    }

    private static async Task<IResult> Validation(HttpContext http, IOptions<TaifaOptions> options, IGrainFactory grains, IDiagnosticContext log, CancellationToken cancellationToken)
    {
        if (Guard(http, options.Value.Payments.Mpesa) is { } refused) return refused;
        var payment = await ReadPayment(http, cancellationToken);
        if (payment.Rejection is { } rejection) return Answer(log, rejection);
        return Answer(log, await grains.GetGrain<IAccountGrain>(payment.AccountId).View() is null ? DarajaResult.InvalidAccount : DarajaResult.Accepted);
    }

    private static async Task<IResult> Confirmation(
        HttpContext http, IOptions<TaifaOptions> options, IGrainFactory grains, IDiagnosticContext log, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (Guard(http, options.Value.Payments.Mpesa) is { } refused) return refused;
        var payment = await ReadPayment(http, cancellationToken);
        var logger = loggers.CreateLogger(typeof(MpesaC2BApi));

        // A confirmation is M-Pesa telling us the money has moved: one we cannot credit is for staff to reconcile.
        if (payment.Rejection is { } rejection)
        {
            LogNotCredited(logger, payment.TransId, rejection);
            return Answer(log, rejection);
        }

        log.Set("AccountId", payment.AccountId);
        var outcome = await grains.GetGrain<IAccountGrain>(payment.AccountId).TopUp(payment.TransId, payment.Amount);
        if (outcome == TopUpOutcome.UnknownAccount)
        {
            LogNotCredited(logger, payment.TransId, DarajaResult.InvalidAccount);
            return Answer(log, DarajaResult.InvalidAccount);
        }

        LogTopUp(logger, payment.AccountId, payment.TransId, payment.Amount, outcome);
        return Answer(log, DarajaResult.Accepted);
    }

    /// <summary>404 while not configured, 403 from outside the allow-list, 401 without the right token; null: let it in.</summary>
    private static IResult? Guard(HttpContext http, MpesaOptions mpesa)
    {
        if (string.IsNullOrEmpty(mpesa.CallbackToken)) return TypedResults.NotFound();
        if (!AddressAllowList.TryParse(mpesa.AllowedAddresses, out var allowed, out _) || !allowed.Allows(http.Connection.RemoteIpAddress)) return TypedResults.StatusCode(StatusCodes.Status403Forbidden);

        var given = Encoding.UTF8.GetBytes(http.Request.Query["token"].ToString());
        var expected = Encoding.UTF8.GetBytes(mpesa.CallbackToken);
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(given), SHA256.HashData(expected))
            ? null
            : TypedResults.Unauthorized();
    }

    private readonly record struct Payment(long AccountId, string TransId, decimal Amount, DarajaResult? Rejection);

    /// <summary>The Daraja body's account, transaction id and amount, or the rejection a malformed body gets.</summary>
    private static async Task<Payment> ReadPayment(HttpContext http, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(http.Request, MaxBodyBytes, cancellationToken);
        using var document = body is { } bytes ? RequestBody.ParseJson(bytes, maxDepth: 4) : null;
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } root) return Rejected(DarajaResult.OtherError);

        var transIdText = root.TryGetProperty("TransID", out var transId) && transId.ValueKind == JsonValueKind.String ? transId.GetString()! : "";
        if (!root.TryGetProperty("BillRefNumber", out var billRef) || billRef.ValueKind != JsonValueKind.String ||
            !long.TryParse(billRef.GetString()!.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var accountId) || accountId <= 0)
        {
            return Rejected(DarajaResult.InvalidAccount, transIdText);
        }

        // Daraja's validation and confirmation bodies both carry TransID and TransAmount: both are required.
        if (!IsTransId(transIdText)) return Rejected(DarajaResult.OtherError);

        if (!root.TryGetProperty("TransAmount", out var amountElement) || !TryReadAmount(amountElement, out var amount))
        {
            return Rejected(DarajaResult.InvalidAmount, transIdText);
        }

        return new Payment(accountId, transIdText, amount, null);
    }

    // The TransID goes only into the log line, once it is known to be letters and digits.
    private static Payment Rejected(DarajaResult result, string transId = "") => new(0, IsTransId(transId) ? transId : "", 0m, result);

    // Daraja sends the amount as a string ("100.00"); a number is taken too. Positive, at most two decimals.
    private static bool TryReadAmount(JsonElement element, out decimal amount)
    {
        amount = 0m;
        var text = element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.GetRawText(),
            _ => null,
        };
        return Money.TryParse(text, out amount) && amount > 0m && amount <= MaxAmount;
    }

    // M-Pesa receipt numbers are ten upper-case letters and digits (e.g. RKTQDM7W6S); room is left for other lengths.
    private static bool IsTransId(string value) => value.Length is >= 1 and <= 32 && value.All(char.IsAsciiLetterOrDigit);

    private enum DarajaResult
    {
        Accepted,
        InvalidAccount,
        InvalidAmount,
        OtherError,
    }

    /// <summary>Daraja's answer: HTTP 200 always; ResultCode the number 0 to accept, a C2B000xx code to reject.</summary>
    private static IResult Answer(IDiagnosticContext log, DarajaResult result)
    {
        var (code, description) = result switch
        {
            DarajaResult.Accepted => ("0", "Accepted"),
            DarajaResult.InvalidAccount => ("C2B00012", "Invalid Account Number"),
            DarajaResult.InvalidAmount => ("C2B00013", "Invalid Amount"),
            _ => ("C2B00016", "Other Error"),
        };
        log.Set("Outcome", code);
        return SmsResponses.Json(writer =>
        {
            writer.WriteStartObject();
            if (result == DarajaResult.Accepted) writer.WriteNumber("ResultCode", 0);
            else writer.WriteString("ResultCode", code);
            writer.WriteString("ResultDesc", description);
            writer.WriteEndObject();
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId}: M-Pesa top-up {TransId} of {Amount}: {Outcome}")]
    private static partial void LogTopUp(Microsoft.Extensions.Logging.ILogger logger, long accountId, string transId, decimal amount, TopUpOutcome outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "M-Pesa confirmation {TransId} not credited ({Rejection}): the payment is to be reconciled by hand")]
    private static partial void LogNotCredited(Microsoft.Extensions.Logging.ILogger logger, string transId, DarajaResult rejection);
}
