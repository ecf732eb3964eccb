using System.Text.Json;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Portal;
using Taifa.Grains.Security;

namespace Taifa.Silo.Api;

/// <summary>Customer-portal users of an account (docs/portal.md): an e-mail address belongs to at most one account.</summary>
public static partial class AdminApi
{
    private static void MapPortalUsers(RouteGroupBuilder accounts)
    {
        accounts.MapPost("/{accountId:long}/users", AddPortalUser)
            .WithSummary("Add a customer-portal user, or set a new password for one (ending their sessions)");
        accounts.MapDelete("/{accountId:long}/users/{email}", RemovePortalUser).WithSummary("Remove a customer-portal user and end their sessions");
    }

    private static async Task<IResult> AddPortalUser(long accountId, HttpContext http, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ReadObject(http, cancellationToken);
        if (body is not { } root || !root.TryGetProperty("email", out var emailElement) || emailElement.ValueKind != JsonValueKind.String ||
            !PortalUsers.IsValidEmail(emailElement.GetString()!))
        {
            return Invalid($"email is required: an e-mail address of at most {PortalUsers.MaxEmailLength} characters.");
        }

        if (!root.TryGetProperty("password", out var passwordElement) || passwordElement.ValueKind != JsonValueKind.String ||
            !PortalUsers.IsValidPassword(passwordElement.GetString()!))
        {
            return Invalid($"password is required: {PortalUsers.MinPasswordLength} to {PortalUsers.MaxPasswordLength} characters, no control characters.");
        }

        if (await grains.GetGrain<IAccountGrain>(accountId).View() is null) return NotFound(accountId);
        var email = PortalUsers.NormalizeEmail(emailElement.GetString()!);
        var outcome = await grains.PortalUser(email).Register(accountId, SmppPasswordHash.Hash(passwordElement.GetString()!));
        var json = new Dictionary<string, string> { ["account_id"] = AccountIdText(accountId), ["email"] = email };
        return outcome switch
        {
            PortalUserOutcome.Created => TypedResults.Created($"/v2/admin/accounts/{accountId}/users/{Uri.EscapeDataString(email)}", json),
            PortalUserOutcome.PasswordReplaced => TypedResults.Ok(json),
            _ => TypedResults.Problem($"{email} is a portal user of another account.", statusCode: StatusCodes.Status409Conflict, title: "Conflict"),
        };
    }

    private static async Task<IResult> RemovePortalUser(long accountId, string email, IGrainFactory grains) =>
        PortalUsers.IsValidEmail(email) && await grains.PortalUser(email).Remove(accountId)
            ? TypedResults.NoContent()
            : TypedResults.Problem($"Account {accountId} has no portal user {email}.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
}
