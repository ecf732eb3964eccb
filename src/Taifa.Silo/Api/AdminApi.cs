using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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
            .AddEndpointFilter<AdminTokenFilter>();
        var accounts = admin.MapGroup("/accounts");
        accounts.MapPost("", OpenAccount).WithSummary("Open an account; the API key is shown once");
        accounts.MapGet("/{accountId:long}", GetAccount).WithSummary("An account, without secrets");
        accounts.MapPost("/{accountId:long}/credit", Credit).WithSummary("Add credit to the wallet");
        accounts.MapPost("/{accountId:long}/sender-ids", AddSenderId).WithSummary("Register a sender ID");
        accounts.MapDelete("/{accountId:long}/sender-ids/{senderId}", RemoveSenderId).WithSummary("Remove a sender ID");
        accounts.MapPost("/{accountId:long}/suspend", (long accountId, IGrainFactory grains) => SetStatus(grains, accountId, AccountStatus.Suspended))
            .WithSummary("Suspend: sends answer 1011, SMPP binds are refused");
        accounts.MapPost("/{accountId:long}/resume", (long accountId, IGrainFactory grains) => SetStatus(grains, accountId, AccountStatus.Active))
            .WithSummary("Resume a suspended account");
        accounts.MapPost("/{accountId:long}/api-key", RotateApiKey).WithSummary("Issue a new API key; the old one stops working at once");
        accounts.MapPut("/{accountId:long}/prices", SetPrices)
            .WithSummary("Replace the rate card: a default price per part and prices per network_id, paid by sends accepted from now on");
        accounts.MapPut("/{accountId:long}/allowed-addresses", SetAllowedAddresses)
            .WithSummary("Replace the IP allow-list (CIDR blocks) for REST calls and SMPP binds; live SMPP sessions are unbound");
        accounts.MapDelete("/{accountId:long}/allowed-addresses", async (long accountId, IGrainFactory grains) =>
            {
                var result = await grains.GetGrain<IAccountGrain>(accountId).SetAllowedAddresses([]);
                return result.Outcome == AdminOutcome.Ok ? TypedResults.NoContent() : (IResult)Problem(result, accountId);
            })
            .WithSummary("Clear the IP allow-list: every address may call again");
        MapPortalUsers(accounts);
    }

    private static async Task<IResult> OpenAccount(HttpContext http, IGrainFactory grains, MessageIdGenerator ids, CancellationToken cancellationToken)
    {
        var body = await ReadObject(http, cancellationToken);
        if (body is not { } root) return Invalid("The body must be a JSON object.");
        if (!root.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String ||
            nameElement.GetString()!.Trim() is not { Length: > 0 and <= 200 } name)
        {
            return Invalid("name is required: a string of 1 to 200 characters.");
        }

        if (!TryReadMoney(root, "credit_balance", 0m, out var credit) || credit < 0) return Invalid("credit_balance must be a non-negative amount with at most two decimals.");
        if (!TryReadMoney(root, "price_per_sms", 1.00m, out var price) || price < 0) return Invalid("price_per_sms must be a non-negative amount with at most two decimals.");

        var senderIds = new List<string>();
        if (root.TryGetProperty("sender_ids", out var senders) && senders.ValueKind != JsonValueKind.Null)
        {
            if (senders.ValueKind != JsonValueKind.Array) return Invalid("sender_ids must be an array of strings.");
            foreach (var sender in senders.EnumerateArray())
            {
                if (sender.ValueKind != JsonValueKind.String || !IsValidSenderId(sender.GetString()!))
                {
                    return Invalid("Each sender ID is 1-11 letters, digits or spaces, or a number of up to 15 digits.");
                }

                senderIds.Add(sender.GetString()!);
            }
        }

        var accountId = ids.Next();
        var apiKey = ApiKeys.NewKey();
        var result = await grains.GetGrain<IAccountGrain>(accountId)
            .Open(new OpenAccount(name, credit, price, senderIds, ApiKeys.Digest(apiKey)));
        if (result.Outcome != AdminOutcome.Ok) return Problem(result);
        return TypedResults.Created($"/v2/admin/accounts/{accountId}", AccountJson(result.Account!, apiKey));
    }

    private static async Task<IResult> GetAccount(long accountId, IGrainFactory grains)
    {
        var view = await grains.GetGrain<IAccountGrain>(accountId).View();
        return view is null ? NotFound(accountId) : TypedResults.Ok(AccountJson(view));
    }

    private static async Task<IResult> Credit(long accountId, HttpContext http, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ReadObject(http, cancellationToken);
        if (body is not { } root || !root.TryGetProperty("amount", out _) || !TryReadMoney(root, "amount", 0m, out var amount) || amount <= 0)
        {
            return Invalid("amount is required: a positive amount with at most two decimals.");
        }

        var result = await grains.GetGrain<IAccountGrain>(accountId).Credit(amount);
        return result.Outcome == AdminOutcome.Ok ? TypedResults.Ok(AccountJson(result.Account!)) : Problem(result, accountId);
    }

    private static async Task<IResult> AddSenderId(long accountId, HttpContext http, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ReadObject(http, cancellationToken);
        if (body is not { } root || !root.TryGetProperty("sender_id", out var sender) || sender.ValueKind != JsonValueKind.String ||
            !IsValidSenderId(sender.GetString()!))
        {
            return Invalid("sender_id is required: 1-11 letters, digits or spaces, or a number of up to 15 digits.");
        }

        var result = await grains.GetGrain<IAccountGrain>(accountId).AddSenderId(sender.GetString()!);
        return result.Outcome == AdminOutcome.Ok
            ? TypedResults.Created($"/v2/admin/accounts/{accountId}", AccountJson(result.Account!))
            : Problem(result, accountId);
    }

    private static async Task<IResult> RemoveSenderId(long accountId, string senderId, IGrainFactory grains)
    {
        var result = await grains.GetGrain<IAccountGrain>(accountId).RemoveSenderId(senderId);
        return result.Outcome == AdminOutcome.Ok ? TypedResults.NoContent() : Problem(result, accountId);
    }

    private static async Task<IResult> SetStatus(IGrainFactory grains, long accountId, AccountStatus status)
    {
        var result = await grains.GetGrain<IAccountGrain>(accountId).SetStatus(status);
        return result.Outcome == AdminOutcome.Ok ? TypedResults.NoContent() : Problem(result, accountId);
    }

    private static async Task<IResult> RotateApiKey(long accountId, IGrainFactory grains)
    {
        var apiKey = ApiKeys.NewKey();
        var result = await grains.GetGrain<IAccountGrain>(accountId).ReplaceApiKey(ApiKeys.Digest(apiKey));
        return result.Outcome == AdminOutcome.Ok
            ? TypedResults.Ok(new Dictionary<string, string> { ["account_id"] = AccountIdText(accountId), ["api_key"] = apiKey })
            : Problem(result, accountId);
    }

    private static async Task<IResult> SetPrices(long accountId, HttpContext http, IGrainFactory grains, NumberingPlan plan, CancellationToken cancellationToken)
    {
        var body = await ReadObject(http, cancellationToken);
        if (body is not { } root || !root.TryGetProperty("default", out var defaultElement) || !TryReadMoney(defaultElement, out var defaultPrice) ||
            defaultPrice is < 0 or > MaxPricePerPart)
        {
            return Invalid($"default is required: a price per part from 0 to {Money.Format(MaxPricePerPart)} with at most two decimals.");
        }

        var networkPrices = new Dictionary<int, decimal>();
        if (root.TryGetProperty("networks", out var networks) && networks.ValueKind != JsonValueKind.Null)
        {
            if (networks.ValueKind != JsonValueKind.Object) return Invalid("networks must be an object of network_id to price per part.");
            foreach (var network in networks.EnumerateObject())
            {
                if (!int.TryParse(network.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var networkId) || plan.Networks.All(n => n.Id != networkId))
                {
                    return Invalid($"networks: {network.Name} is no network_id (known: {string.Join(", ", plan.Networks.Select(n => n.Id))}).");
                }

                if (!TryReadMoney(network.Value, out var price) || price is < 0 or > MaxPricePerPart || !networkPrices.TryAdd(networkId, price))
                {
                    return Invalid($"networks: the price of network {networkId} must be given once, from 0 to {Money.Format(MaxPricePerPart)} with at most two decimals.");
                }
            }
        }

        var result = await grains.GetGrain<IAccountGrain>(accountId).SetPrices(defaultPrice, networkPrices);
        return result.Outcome == AdminOutcome.Ok ? TypedResults.Ok(AccountJson(result.Account!)) : Problem(result, accountId);
    }

    private static async Task<IResult> SetAllowedAddresses(long accountId, HttpContext http, IGrainFactory grains, CancellationToken cancellationToken)
    {
        const string expected = "allowed_addresses is required: an array of IPv4 or IPv6 addresses or CIDR blocks (an empty array clears the list).";
        var body = await ReadObject(http, cancellationToken);
        if (body is not { } root || !root.TryGetProperty("allowed_addresses", out var entries) || entries.ValueKind != JsonValueKind.Array ||
            entries.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            return Invalid(expected);
        }

        var result = await grains.GetGrain<IAccountGrain>(accountId).SetAllowedAddresses([.. entries.EnumerateArray().Select(e => e.GetString()!)]);
        return result.Outcome == AdminOutcome.Ok ? TypedResults.Ok(AccountJson(result.Account!)) : Problem(result, accountId);
    }

    private static Dictionary<string, object?> AccountJson(AccountView view, string? apiKey = null)
    {
        var json = new Dictionary<string, object?> { ["account_id"] = AccountIdText(view.AccountId) };
        if (apiKey is not null) json["api_key"] = apiKey;
        json["name"] = view.Name;
        json["status"] = view.Status == AccountStatus.Active ? "active" : "suspended";
        json["credit_balance"] = Money.Format(view.CreditBalance);
        json["price_per_sms"] = Money.Format(view.PricePerSms);
        json["prices"] = new Dictionary<string, object>
        {
            ["default"] = Money.Format(view.PricePerSms),
            ["networks"] = view.NetworkPrices.OrderBy(p => p.Key).ToDictionary(p => p.Key.ToString(CultureInfo.InvariantCulture), p => Money.Format(p.Value)),
        };
        json["sender_ids"] = view.SenderIds;
        json["smpp_username"] = view.SmppUsername;
        json["allowed_addresses"] = view.AllowedAddresses;
        json["created_at"] = view.CreatedAt.ToString("O", CultureInfo.InvariantCulture);
        return json;
    }

    private static string AccountIdText(long accountId) => accountId.ToString(CultureInfo.InvariantCulture);

    internal static async Task<JsonElement?> ReadObject(HttpContext http, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(http.Request, 64 * 1024, cancellationToken);
        if (body is null) return null;
        using var document = RequestBody.ParseJson(body.Value, maxDepth: 8);
        return document?.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
    }

    private static bool TryReadMoney(JsonElement root, string name, decimal fallback, out decimal amount)
    {
        amount = fallback;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null) return true;
        return TryReadMoney(element, out amount);
    }

    private static bool TryReadMoney(JsonElement element, out decimal amount)
    {
        amount = 0m;
        return element.ValueKind switch
        {
            JsonValueKind.Number => element.TryGetDecimal(out amount) && decimal.Round(amount, 2) == amount && amount <= 1_000_000_000m,
            JsonValueKind.String => Money.TryParse(element.GetString(), out amount) && amount <= 1_000_000_000m,
            _ => false,
        };
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
