using Orleans.Dashboard;
using Taifa.Silo.Api;

namespace Taifa.Silo.Hosting;

/// <summary>The Orleans Dashboard for operations staff, behind the admin token (Bearer, or Basic with the token as password).</summary>
public static class Dashboard
{
    public static bool Enabled(IConfiguration configuration) => configuration.GetValue("Taifa:Dashboard:Enabled", true);

    public static void MapTaifaDashboard(this WebApplication app)
    {
        if (!Enabled(app.Configuration)) return;
        var path = app.Configuration["Taifa:Dashboard:Path"] is { Length: > 1 } configured ? configured : "/dashboard";
        app.MapOrleansDashboard(path).AddEndpointFilter(async (context, next) =>
        {
            var token = context.HttpContext.RequestServices.GetRequiredService<AdminToken>();
            if (token.Authorizes(context.HttpContext.Request, allowBasic: true)) return await next(context);
            context.HttpContext.Response.Headers.WWWAuthenticate = "Basic realm=\"Taifa operations\", charset=\"UTF-8\"";
            return TypedResults.Unauthorized();
        });
    }
}
