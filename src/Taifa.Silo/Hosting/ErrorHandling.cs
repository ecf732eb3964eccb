using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Taifa.Abstractions;
using Taifa.Silo.Api;

namespace Taifa.Silo.Hosting;

/// <summary>
/// Unexpected failures never show an HTML page or a stack trace: the customer API answers 1005 "DB error"
/// in its own shape (HTTP 200, as every customer answer), everything else a problem-details 503. A request Kestrel
/// found malformed while the handler read it (a body over the limit or too slow) is the client's fault, not ours:
/// 1009 on the customer API, its own 4xx elsewhere. Each failed request is one log line with its reason, written here
/// (the middleware's own line and the request log line stand down, see <see cref="TaifaHost"/>); a cluster or storage
/// failure carries no stack trace (<see cref="Failures"/>).
/// </summary>
public static class ErrorHandling
{
    public static void UseTaifaErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = HandleAsync,
            SuppressDiagnosticsCallback = _ => true,
        });
    }

    /// <summary>True once <see cref="HandleAsync"/> has answered (and logged) the request's failure.</summary>
    public static bool Handled(HttpContext http) => http.Features.Get<IExceptionHandlerFeature>() is not null;

    private static async Task HandleAsync(HttpContext http)
    {
        var exception = http.Features.GetRequiredFeature<IExceptionHandlerFeature>().Error;
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Taifa.Errors");
        var customer = IsCustomerPath(http.Request.Path);
        IResult result;
        if (exception is BadHttpRequestException badRequest)
        {
            logger.LogInformation("Request {Method} {Path} refused: {Reason}", http.Request.Method, http.Request.Path, badRequest.Message);
            result = customer
                ? SmsResponses.Error(TaifaStatus.InvalidJsonBody, ResponseType.Json)
                : TypedResults.Problem(badRequest.Message, statusCode: badRequest.StatusCode, title: "Bad request");
        }
        else
        {
            logger.Log(Failures.Level(exception), Failures.StackWorthy(exception),
                "Request {Method} {Path} failed: {Reason}", http.Request.Method, http.Request.Path, Failures.Reason(exception));
            result = customer
                ? SmsResponses.Error(TaifaStatus.DatabaseError, ResponseType.Json)
                : TypedResults.Problem("The service could not complete the request; try again.",
                    statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable");
        }

        if (customer) http.Response.StatusCode = StatusCodes.Status200OK;
        await result.ExecuteAsync(http);
    }

    private static bool IsCustomerPath(PathString path) =>
        path.StartsWithSegments("/v2/sms", StringComparison.OrdinalIgnoreCase) ||
        path.StartsWithSegments("/api/sms", StringComparison.OrdinalIgnoreCase);
}
