using Orleans.Dashboard;
using Microsoft.Extensions.Options;
using Taifa.Silo.Api;
using Taifa.Silo.Options;

namespace Taifa.Silo.Hosting;

/// <summary>The Orleans Dashboard for operations staff, behind the admin token (Bearer, or Basic with the token as password).</summary>
public static class Dashboard
{
    public static void MapTaifaDashboard(this WebApplication app)
    {
        var dashboard = app.Services.GetRequiredService<IOptions<TaifaOptions>>().Value.Dashboard;
        if (!dashboard.Enabled) return;
        var path = dashboard.Path is { Length: > 1 } configured ? configured : "/dashboard";
        app.MapOrleansDashboard(path).AddEndpointFilter(async (context, next) =>
        {
            var token = context.HttpContext.RequestServices.GetRequiredService<AdminToken>();
            if (token.Authorizes(context.HttpContext.Request, allowBasic: true)) return await next(context);
            context.HttpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"Taifa operations\", charset=\"UTF-8\"";
            return TypedResults.Unauthorized();
        });
    }
}
