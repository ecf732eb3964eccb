using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Taifa.Abstractions.Accounts;
using Taifa.Domain.Ids;
using Taifa.Domain.Money;
using Taifa.Domain.Numbers;

namespace Taifa.Silo.Api;

/// <summary>
/// Operations staff's API: conventional REST with real HTTP status codes, behind "Authorization: Bearer &lt;admin token&gt;".
/// Money is accepted as a JSON number or a decimal string and answered as a string with two decimals.
/// </summary>
public static partial class AdminApi
{
    public const string OpenApiDocument = "admin";

    /// <summary>A rate card's ceiling per part: far above any operator's tariff, low enough to catch a misplaced decimal point.</summary>
    public const decimal MaxPricePerPart = 1000m;

    public static void MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/v2/admin").WithTags("Admin").WithGroupName(OpenApiDocument)
            .AddEndpointFilter<AdminTokenFilter>().ProducesProblem(StatusCodes.Status401Unauthorized);
        var accounts = admin.MapGroup("/accounts");
        accounts.MapPost("", OpenAccount).WithSummary("Open an account; the API key is shown once")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        var account = accounts.MapGroup("/{accountId:long}").ProducesProblem(StatusCodes.Status404NotFound);
        account.MapGet("", GetAccount).WithSummary("An account, without secrets");
        account.MapPost("/credit", Credit).WithSummary("Add credit to the wallet").ProducesProblem(StatusCodes.Status400BadRequest);
        account.MapPost("/sender-ids", AddSenderId).WithSummary("Register a sender ID")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        account.MapDelete("/sender-ids/{senderId}", RemoveSenderId).WithSummary("Remove a sender ID");
        account.MapPost("/suspend", Suspend).WithSummary("Suspend: sends answer 1011, SMPP binds are refused");
        account.MapPost("/resume", Resume).WithSummary("Resume a suspended account");
        account.MapPost("/api-key", RotateApiKey).WithSummary("Issue a new API key; the old one stops working at once");
        account.MapPut("/prices", SetPrices)
            .WithSummary("Replace the rate card: a default price per part and prices per network_id, paid by sends accepted from now on")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        account.MapPut("/allowed-addresses", SetAllowedAddresses)
            .WithSummary("Replace the IP allow-list (CIDR blocks) for REST calls and SMPP binds; live SMPP sessions are unbound")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        account.MapDelete("/allowed-addresses", ClearAllowedAddresses).WithSummary("Clear the IP allow-list: every address may call again");
        MapPortalUsers(account);
    }

    private static async Task<Results<Created<AccountResponse>, ProblemHttpResult>> OpenAccount(
        AdminBody<OpenAccountRequest> body, IGrainFactory grains, MessageIdGenerator ids)
    {
        if ((await body.ReadAsync()).Request is not { } request) return Invalid("The body must be a JSON object.");
        if (body.Fault("name") is not null || request.Name?.Trim() is not { Length: > 0 and <= 200 } name)
        {
            return Invalid("name is required: a string of 1 to 200 characters.");
        }

        if (!IsAmount(request.CreditBalance, 0m, out var credit) || credit < 0) return Invalid("credit_balance must be a non-negative amount with at most two decimals.");
        if (!IsAmount(request.PricePerSms, 1.00m, out var price) || price < 0) return Invalid("price_per_sms must be a non-negative amount with at most two decimals.");
        if (body.Fault("sender_ids") == "") return Invalid("sender_ids must be an array of strings.");
        var senderIds = request.SenderIds ?? [];
        if (body.Fault("sender_ids") is not null || senderIds.Any(sender => sender is null || !IsValidSenderId(sender)))
        {
            return Invalid("Each sender ID is 1-11 letters, digits or spaces, or a number of up to 15 digits.");
        }

        var accountId = ids.Next();
        var apiKey = ApiKeys.NewKey();
        var result = await grains.GetGrain<IAccountGrain>(accountId)
            .Open(new OpenAccount(name, credit, price, [.. senderIds.Select(sender => sender!)], ApiKeys.Digest(apiKey)));
        if (result.Outcome != AdminOutcome.Ok) return Problem(result);
        return TypedResults.Created($"/v2/admin/accounts/{accountId}", AccountResponse.From(result.Account!, apiKey));
    }

    private static async Task<Results<Ok<AccountResponse>, ProblemHttpResult>> GetAccount(long accountId, IGrainFactory grains)
    {
        var view = await grains.GetGrain<IAccountGrain>(accountId).View();
        return view is null ? NotFound(accountId) : TypedResults.Ok(AccountResponse.From(view));
    }

    private static async Task<Results<Ok<AccountResponse>, ProblemHttpResult>> Credit(long accountId, AdminBody<CreditRequest> body, IGrainFactory grains)
    {
        if ((await body.ReadAsync()).Request is not { } request || body.Fault("amount") is not null || !IsAmount(request.Amount, 0m, out var amount) || amount <= 0)
        {
            return Invalid("amount is required: a positive amount with at most two decimals.");
        }

        return Answer(await grains.GetGrain<IAccountGrain>(accountId).Credit(amount), accountId);
    }

    private static async Task<Results<Created<AccountResponse>, ProblemHttpResult>> AddSenderId(
        long accountId, AdminBody<SenderIdRequest> body, IGrainFactory grains)
    {
        if ((await body.ReadAsync()).Request is not { SenderId: { } senderId } || !IsValidSenderId(senderId))
        {
            return Invalid("sender_id is required: 1-11 letters, digits or spaces, or a number of up to 15 digits.");
        }

        var result = await grains.GetGrain<IAccountGrain>(accountId).AddSenderId(senderId);
        return result.Outcome == AdminOutcome.Ok
            ? TypedResults.Created($"/v2/admin/accounts/{accountId}", AccountResponse.From(result.Account!))
            : Problem(result, accountId);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveSenderId(long accountId, string senderId, IGrainFactory grains) =>
        Done(await grains.GetGrain<IAccountGrain>(accountId).RemoveSenderId(senderId), accountId);

    private static async Task<Results<NoContent, ProblemHttpResult>> Suspend(long accountId, IGrainFactory grains) =>
        Done(await grains.GetGrain<IAccountGrain>(accountId).SetStatus(AccountStatus.Suspended), accountId);

    private static async Task<Results<NoContent, ProblemHttpResult>> Resume(long accountId, IGrainFactory grains) =>
        Done(await grains.GetGrain<IAccountGrain>(accountId).SetStatus(AccountStatus.Active), accountId);

    private static async Task<Results<Ok<ApiKeyResponse>, ProblemHttpResult>> RotateApiKey(long accountId, IGrainFactory grains)
    {
        var apiKey = ApiKeys.NewKey();
        var result = await grains.GetGrain<IAccountGrain>(accountId).ReplaceApiKey(ApiKeys.Digest(apiKey));
        return result.Outcome == AdminOutcome.Ok ? TypedResults.Ok(new ApiKeyResponse(AccountIdText(accountId), apiKey)) : Problem(result, accountId);
    }

    private static async Task<Results<Ok<AccountResponse>, ProblemHttpResult>> SetPrices(
        long accountId, AdminBody<RateCardRequest> body, IGrainFactory grains, NumberingPlan plan)
    {
        if ((await body.ReadAsync()).Request is not { } request || request.Default is not { IsValid: true, Value: >= 0 and <= MaxPricePerPart } defaultPrice)
        {
            return Invalid($"default is required: a price per part from 0 to {Money.Format(MaxPricePerPart)} with at most two decimals.");
        }

        if (body.Fault("networks") is not null) return Invalid("networks must be an object of network_id to price per part.");
        var networkPrices = new Dictionary<int, decimal>();
        foreach (var (network, price) in request.Networks?.Entries ?? [])
        {
            if (!int.TryParse(network, NumberStyles.None, CultureInfo.InvariantCulture, out var networkId) || plan.Networks.All(n => n.Id != networkId))
            {
                return Invalid($"networks: {network} is no network_id (known: {string.Join(", ", plan.Networks.Select(n => n.Id))}).");
            }

            if (price is not { IsValid: true, Value: >= 0 and <= MaxPricePerPart } || !networkPrices.TryAdd(networkId, price.Value))
            {
                return Invalid($"networks: the price of network {networkId} must be given once, from 0 to {Money.Format(MaxPricePerPart)} with at most two decimals.");
            }
        }

        return Answer(await grains.GetGrain<IAccountGrain>(accountId).SetPrices(defaultPrice.Value, networkPrices), accountId);
    }

    private static async Task<Results<Ok<AccountResponse>, ProblemHttpResult>> SetAllowedAddresses(
        long accountId, AdminBody<AllowedAddressesRequest> body, IGrainFactory grains)
    {
        if ((await body.ReadAsync()).Request is not { AllowedAddresses: { } entries } || body.Fault("allowed_addresses") is not null ||
            entries.Any(entry => entry is null))
        {
            return Invalid("allowed_addresses is required: an array of IPv4 or IPv6 addresses or CIDR blocks (an empty array clears the list).");
        }

        return Answer(await grains.GetGrain<IAccountGrain>(accountId).SetAllowedAddresses([.. entries.Select(entry => entry!)]), accountId);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ClearAllowedAddresses(long accountId, IGrainFactory grains) =>
        Done(await grains.GetGrain<IAccountGrain>(accountId).SetAllowedAddresses([]), accountId);

    private static Results<Ok<AccountResponse>, ProblemHttpResult> Answer(AdminResult result, long accountId) =>
        result.Outcome == AdminOutcome.Ok ? TypedResults.Ok(AccountResponse.From(result.Account!)) : Problem(result, accountId);

    private static Results<NoContent, ProblemHttpResult> Done(AdminResult result, long accountId) =>
        result.Outcome == AdminOutcome.Ok ? TypedResults.NoContent() : Problem(result, accountId);

    internal static string AccountIdText(long accountId) => accountId.ToString(CultureInfo.InvariantCulture);

    /// <summary>An optional amount: absent or null is <paramref name="fallback"/>.</summary>
    private static bool IsAmount(AdminAmount? given, decimal fallback, out decimal amount)
    {
        amount = given?.Value ?? fallback;
        return given is null or { IsValid: true };
    }

    public static bool IsValidSenderId(string senderId) => AlphanumericSender().IsMatch(senderId) || NumericSender().IsMatch(senderId);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9 ._-]{0,10}$")]
    private static partial Regex AlphanumericSender();

    [GeneratedRegex("^\\+?[0-9]{1,15}$")]
    private static partial Regex NumericSender();

    internal static ProblemHttpResult Invalid(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");

    internal static ProblemHttpResult NotFound(long accountId) =>
        TypedResults.Problem($"No account {accountId}.", statusCode: StatusCodes.Status404NotFound, title: "Account not found");

    private static ProblemHttpResult Problem(AdminResult result, long accountId = 0) => result.Outcome switch
    {
        AdminOutcome.NotFound => accountId != 0 ? NotFound(accountId)
            : TypedResults.Problem(result.Detail, statusCode: StatusCodes.Status404NotFound, title: "Not found"),
        AdminOutcome.Conflict => TypedResults.Problem(result.Detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict"),
        _ => Invalid(result.Detail ?? "Invalid request."),
    };

    /// <summary>Requires the admin bearer token, compared in constant time.</summary>
    internal sealed class AdminTokenFilter(AdminToken token) : IEndpointFilter
    {
        public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            if (token.Authorizes(context.HttpContext.Request, allowBasic: false)) return next(context);
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return ValueTask.FromResult<object?>(TypedResults.Problem("A valid admin bearer token is required.",
                statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized"));
        }
    }
}

/// <summary>The admin token, kept only as its SHA-256 digest once configured.</summary>
public sealed class AdminToken(string token)
{
    private readonly byte[] _digest = SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public bool Matches(string presented) =>
        CryptographicOperations.FixedTimeEquals(_digest, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));

    /// <summary>
    /// "Authorization: Bearer &lt;token&gt;"; with <paramref name="allowBasic"/> also HTTP Basic with the token as the
    /// password, which a browser can prompt for (the operations dashboard).
    /// </summary>
    public bool Authorizes(HttpRequest request, bool allowBasic)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return Matches(header["Bearer ".Length..].Trim());
        if (!allowBasic || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return false;
        try
        {
            var credentials = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = credentials.IndexOf(':', StringComparison.Ordinal);
            return colon >= 0 && Matches(credentials[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
