using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Taifa.Silo.Database.Portal;
using Taifa.Silo.Hosting;
using Taifa.Silo.Options;

namespace Taifa.Silo.Portal;

/// <summary>
/// The customer portal's services: a cookie session and anti-forgery tokens, both protected by ASP.NET Core data
/// protection. Every silo must read the cookies every other silo wrote, so in PostgreSQL mode the key ring lives in the
/// database; the embedded mode (one silo, nothing survives a restart) keeps its keys in memory.
/// </summary>
public static class PortalHosting
{
    public const string Scheme = "portal";
    public const string SessionCookie = "taifa_portal";
    public const string AntiforgeryCookie = "taifa_portal_csrf";
    public const string AntiforgeryField = "csrf_token";

    public static void AddTaifaPortal(this WebApplicationBuilder builder)
    {
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("Taifa.Gateway.Portal");
        if (builder.Configuration.ProductionConnectionString() is { } connectionString)
        {
            builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(
                new ConfigureOptions<KeyManagementOptions>(options => options.XmlRepository = new PostgresXmlRepository(connectionString)));
        }
        else
        {
            dataProtection.UseEphemeralDataProtectionProvider();
        }

        builder.Services.AddAuthentication().AddCookie(Scheme, options =>
        {
            PortalCookie(options.Cookie, SessionCookie);
            options.SlidingExpiration = false;
        });
        builder.Services.AddOptions<CookieAuthenticationOptions>(Scheme).Configure<IOptions<TaifaOptions>>(
            (options, taifa) => options.ExpireTimeSpan = taifa.Value.Portal.SessionLifetime);

        builder.Services.AddAntiforgery(options =>
        {
            PortalCookie(options.Cookie, AntiforgeryCookie);
            options.FormFieldName = AntiforgeryField;
            options.HeaderName = null;
            // The portal sends its own, stricter frame headers (PortalPage).
            options.SuppressXFrameOptionsHeader = true;
        });
        builder.Services.AddSingleton<PortalLogIns>();
    }

    /// <summary>Both portal cookies: only for /portal, never read by script, Secure when the request came over HTTPS, never sent cross-site.</summary>
    private static void PortalCookie(CookieBuilder cookie, string name)
    {
        cookie.Name = name;
        cookie.Path = "/portal";
        cookie.HttpOnly = true;
        cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        cookie.SameSite = SameSiteMode.Strict;
    }

    /// <summary>Used by the pages: a token bound to the caller's session (or to nobody, on the log-in page).</summary>
    public static string AntiforgeryToken(HttpContext http) =>
        http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http).RequestToken!;
}
