using Microsoft.AspNetCore.Http.HttpResults;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Portal;
using Taifa.Grains.Security;

namespace Taifa.Silo.Api;

/// <summary>Customer-portal users of an account (docs/portal.md): an e-mail address belongs to at most one account.</summary>
public static partial class AdminApi
{
    private static void MapPortalUsers(RouteGroupBuilder account)
    {
        account.MapPost("/users", AddPortalUser)
            .WithSummary("Add a customer-portal user, or set a new password for one (ending their sessions)")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        account.MapDelete("/users/{email}", RemovePortalUser).WithSummary("Remove a customer-portal user and end their sessions");
    }

    private static async Task<Results<Created<PortalUserResponse>, Ok<PortalUserResponse>, ProblemHttpResult>> AddPortalUser(
        long accountId, AdminBody<PortalUserRequest> body, IGrainFactory grains)
    {
        var request = (await body.ReadAsync()).Request;
        if (request is not { Email: { } email } || !PortalUsers.IsValidEmail(email))
        {
            return Invalid($"email is required: an e-mail address of at most {PortalUsers.MaxEmailLength} characters.");
        }

        if (request is not { Password: { } password } || !PortalUsers.IsValidPassword(password))
        {
            return Invalid($"password is required: {PortalUsers.MinPasswordLength} to {PortalUsers.MaxPasswordLength} characters, no control characters.");
        }

        if (await grains.GetGrain<IAccountGrain>(accountId).View() is null) return NotFound(accountId);
        var user = new PortalUserResponse(AccountIdText(accountId), PortalUsers.NormalizeEmail(email));
        return await grains.PortalUser(user.Email).Register(accountId, SmppPasswordHash.Hash(password)) switch
        {
            PortalUserOutcome.Created => TypedResults.Created($"/v2/admin/accounts/{accountId}/users/{Uri.EscapeDataString(user.Email)}", user),
            PortalUserOutcome.PasswordReplaced => TypedResults.Ok(user),
            _ => TypedResults.Problem($"{user.Email} is a portal user of another account.", statusCode: StatusCodes.Status409Conflict, title: "Conflict"),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemovePortalUser(long accountId, string email, IGrainFactory grains) =>
        PortalUsers.IsValidEmail(email) && await grains.PortalUser(email).Remove(accountId)
            ? TypedResults.NoContent()
            : TypedResults.Problem($"Account {accountId} has no portal user {email}.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
}
