using Microsoft.AspNetCore.Diagnostics;
using Taifa.Abstractions;
using Taifa.Silo.Api;

namespace Taifa.Silo.Hosting;

/// <summary>
/// Unexpected failures never show an HTML page or a stack trace: the customer API answers 1005 "DB error"
/// in its own shape (HTTP 200, as every customer answer), everything else a problem-details 503. A request Kestrel
/// found malformed while the handler read it (a body over the limit or too slow) is the client's fault, not ours:
/// 1009 on the customer API, its own 4xx elsewhere.
/// </summary>
public static class ErrorHandling
{
    public static void UseTaifaErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler(errors => errors.Run(async http =>
        {
            var exception = http.Features.Get<IExceptionHandlerFeature>()?.Error;
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
                logger.LogError(exception, "Request {Method} {Path} failed", http.Request.Method, http.Request.Path);
                result = customer
                    ? SmsResponses.Error(TaifaStatus.DatabaseError, ResponseType.Json)
                    : TypedResults.Problem("The service could not complete the request; try again.",
                        statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable");
            }

            if (customer) http.Response.StatusCode = StatusCodes.Status200OK;
            await result.ExecuteAsync(http);
        }));
    }

    private static bool IsCustomerPath(PathString path) =>
        path.StartsWithSegments("/v2/sms", StringComparison.OrdinalIgnoreCase) ||
        path.StartsWithSegments("/api/sms", StringComparison.OrdinalIgnoreCase);
}
