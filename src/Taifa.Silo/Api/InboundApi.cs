using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Serilog;
using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Inbound;
using Taifa.Grains.Inbound;
using Taifa.Silo.Inbound;
using Taifa.Silo.Intake;

namespace Taifa.Silo.Api;

/// <summary>
/// Two-way messaging: the customer's inbound webhook, inbound messages and opt-out list (v2, h_api_key, HTTP 200 with
/// status_code like the rest of the customer API), and the admin routes that give accounts their inbound numbers.
/// </summary>
public static class InboundApi
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public static void MapInboundApi(this IEndpointRouteBuilder app)
    {
        var v2 = app.MapGroup("/v2/sms").WithTags("Inbound and opt-outs (v2)").WithGroupName(CustomerApi.OpenApiDocument);
        v2.MapPost("/inbound-webhook", SetWebhook).WithSummary("Set (or with \"\" remove) the URL each inbound message is POSTed to");
        v2.MapGet("/inbound", ListInbound).WithSummary("Your inbound messages, newest first, keyset-paginated");
        v2.MapGet("/optouts", ListOptOuts).WithSummary("Your opt-out list");
        v2.MapPost("/optouts", AddOptOut).WithSummary("Put a number on your opt-out list: sends to it answer 1017");
        v2.MapDelete("/optouts/{mobile}", RemoveOptOut).WithSummary("Take a number off your opt-out list");

        var numbers = app.MapGroup("/v2/admin/accounts/{accountId:long}/inbound-numbers").WithTags("Admin").WithGroupName(AdminApi.OpenApiDocument)
            .AddEndpointFilter<AdminApi.AdminTokenFilter>().ProducesProblem(StatusCodes.Status401Unauthorized);
        numbers.MapPost("", AddNumber).WithSummary("Route a number (with an optional keyword) to the account; 409 if another account holds it")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        numbers.MapDelete("/{number}", RemoveNumber).WithSummary("Stop routing a number (?keyword=K: only that keyword) to the account")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> SetWebhook(
        HttpContext http, ApiKeyAccounts keys, IInboundStore store, CallbackUrlPolicy callbackUrls, IDiagnosticContext log, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(http.Request, 4096, cancellationToken);
        var (status, accountId) = await Authorize(http, keys, log);
        if (status != TaifaStatus.Success) return Outcome(log, status);
        var url = ReadString(body, "url");
        if (url is null || !IsAcceptableWebhook(url, callbackUrls)) return Outcome(log, TaifaStatus.InvalidJsonBody);
        await store.SetWebhook(accountId, url.Length == 0 ? null : url);
        return Success(log, writer => writer.WriteString("url", url));
    }

    private static async Task<IResult> ListInbound(HttpContext http, ApiKeyAccounts keys, IInboundStore store, IDiagnosticContext log)
    {
        var (status, accountId) = await Authorize(http, keys, log);
        if (status != TaifaStatus.Success) return Outcome(log, status);
        if (!TryParsePage(http.Request.Query, out var limit, out var cursor)) return Outcome(log, TaifaStatus.InvalidJsonBody);
        var messages = await store.List(accountId, limit, cursor);
        return Success(log, writer =>
        {
            writer.WriteStartArray("messages");
            foreach (var message in messages) InboundJson.Write(writer, message);
            writer.WriteEndArray();
            if (NextCursor(messages, limit) is { } next) writer.WriteString("next_cursor", next);
            else writer.WriteNull("next_cursor");
        });
    }

    /// <summary>An inbound webhook as <c>POST /v2/sms/inbound-webhook</c> takes it: "" (remove) or an acceptable callback URL.</summary>
    internal static bool IsAcceptableWebhook(string url, CallbackUrlPolicy callbackUrls) =>
        url.Length == 0 || (url.Length <= 2048 && callbackUrls.Accepts(url));

    /// <summary><c>limit</c> (1 to <see cref="MaxPageSize"/>, <see cref="DefaultPageSize"/> if absent) and <c>cursor</c> (an inbound id) of an inbound page.</summary>
    internal static bool TryParsePage(IQueryCollection query, out int limit, out long? cursor)
    {
        limit = DefaultPageSize;
        cursor = null;
        if (query["limit"] is { Count: > 0 } limitText &&
            (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxPageSize))
        {
            return false;
        }

        if (query["cursor"] is { Count: > 0 } cursorText && cursorText.ToString().Length > 0)
        {
            if (!long.TryParse(cursorText, NumberStyles.None, CultureInfo.InvariantCulture, out var before)) return false;
            cursor = before;
        }

        return true;
    }

    /// <summary>The cursor of the page after a full one; null after the last.</summary>
    internal static string? NextCursor(IReadOnlyList<InboundMessage> page, int limit) =>
        page.Count == limit ? page[^1].InboundId.ToString(CultureInfo.InvariantCulture) : null;

    internal static string SourceName(OptOutSource source) => source == OptOutSource.Inbound ? "inbound" : "api";

    private static async Task<IResult> ListOptOuts(HttpContext http, ApiKeyAccounts keys, IInboundStore store, IDiagnosticContext log)
    {
        var (status, accountId) = await Authorize(http, keys, log);
        if (status != TaifaStatus.Success) return Outcome(log, status);
        var entries = await store.OptOuts(accountId);
        return Success(log, writer =>
        {
            writer.WriteStartArray("optouts");
            foreach (var entry in entries)
            {
                writer.WriteStartObject();
                writer.WriteString("mobile", entry.MobileNumber);
                writer.WriteString("source", SourceName(entry.Source));
                writer.WriteString("created_at", NairobiTime.Format(entry.CreatedAt));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    private static async Task<IResult> AddOptOut(
        HttpContext http, ApiKeyAccounts keys, RecipientParser recipients, IGrainFactory grains, IDiagnosticContext log, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(http.Request, 4096, cancellationToken);
        var (status, accountId) = await Authorize(http, keys, log);
        if (status != TaifaStatus.Success) return Outcome(log, status);
        if (ReadString(body, "mobile") is not { } input) return Outcome(log, TaifaStatus.InvalidJsonBody);
        if (recipients.Parse(input).MobileNumber is not { } mobile) return Outcome(log, TaifaStatus.InvalidMobileNumber);
        await grains.GetGrain<IAccountGrain>(accountId).AddOptOut(mobile, OptOutSource.Api);
        return Success(log, writer => writer.WriteString("mobile", mobile));
    }

    private static async Task<IResult> RemoveOptOut(
        string mobile, HttpContext http, ApiKeyAccounts keys, RecipientParser recipients, IGrainFactory grains, IDiagnosticContext log)
    {
        var (status, accountId) = await Authorize(http, keys, log);
        if (status != TaifaStatus.Success) return Outcome(log, status);
        if (recipients.Parse(mobile).MobileNumber is not { } normalized) return Outcome(log, TaifaStatus.InvalidMobileNumber);
        var removed = await grains.GetGrain<IAccountGrain>(accountId).RemoveOptOut(normalized);
        return Success(log, writer =>
        {
            writer.WriteString("mobile", normalized);
            writer.WriteBoolean("removed", removed);
        });
    }

    private static async Task<Results<Created<InboundNumberResponse>, Ok<InboundNumberResponse>, ProblemHttpResult>> AddNumber(
        long accountId, AdminBody<InboundNumberRequest> body, IGrainFactory grains, IInboundStore store, TimeProvider time)
    {
        if ((await body.ReadAsync()).Request is not { Number: { } given } request || given.Trim() is not { } number || !InboundRouting.IsValidNumber(number))
        {
            return AdminApi.Invalid("number is required: a short code or long number of 3 to 15 digits.");
        }

        // A keyword of the wrong JSON kind is refused like an empty one.
        var keyword = body.Fault("keyword") is not null ? "" : request.Keyword is { } text ? InboundRouting.NormalizeKeyword(text) : null;
        if (keyword is not null && !InboundRouting.IsValidKeyword(keyword))
        {
            return AdminApi.Invalid($"keyword, when given, is 1 to {InboundRouting.MaxKeywordLength} letters or digits (matched in any case).");
        }

        if (await grains.GetGrain<IAccountGrain>(accountId).View() is null) return AdminApi.NotFound(accountId);
        var claim = await store.AddNumber(new InboundNumber(accountId, number, keyword), time.GetUtcNow());
        if (claim == InboundNumberClaim.Conflict)
        {
            return TypedResults.Problem($"{number}{(keyword is null ? "" : " " + keyword)} is routed to another account.",
                statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        var routed = new InboundNumberResponse(AdminApi.AccountIdText(accountId), number, keyword);
        return claim == InboundNumberClaim.Added ? TypedResults.Created($"/v2/admin/accounts/{accountId}/inbound-numbers/{number}", routed) : TypedResults.Ok(routed);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveNumber(long accountId, string number, HttpContext http, IInboundStore store)
    {
        var keyword = InboundRouting.NormalizeKeyword(http.Request.Query["keyword"]);
        return await store.RemoveNumber(new InboundNumber(accountId, number, keyword))
            ? TypedResults.NoContent()
            : TypedResults.Problem($"Account {accountId} holds no {number}{(keyword is null ? "" : " " + keyword)}.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
    }

    internal static async Task<(TaifaStatus Status, long AccountId)> Authorize(HttpContext http, ApiKeyAccounts keys, IDiagnosticContext log)
    {
        var caller = await keys.Resolve(http);
        if (caller is null) return (TaifaStatus.InvalidApiKey, 0);
        log.Set("AccountId", caller.Value.AccountId);
        return ((await keys.Authorize(caller.Value)).Status, caller.Value.AccountId);
    }

    private static string? ReadString(System.Buffers.ReadOnlySequence<byte>? body, string name)
    {
        if (body is null) return null;
        using var document = RequestBody.ParseJson(body.Value, maxDepth: 8);
        return document?.RootElement is { ValueKind: JsonValueKind.Object } root && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!.Trim()
            : null;
    }

    internal static IResult Success(IDiagnosticContext log, Action<Utf8JsonWriter> fields)
    {
        log.Set("Outcome", TaifaStatus.Success.Code());
        return SmsResponses.Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("status_code", TaifaStatus.Success.Code());
            writer.WriteString("status_desc", TaifaStatus.Success.Description());
            fields(writer);
            writer.WriteEndObject();
        });
    }

    internal static IResult Outcome(IDiagnosticContext log, TaifaStatus status)
    {
        log.Set("Outcome", status.Code());
        return SmsResponses.Error(status, ResponseType.Json);
    }

}
