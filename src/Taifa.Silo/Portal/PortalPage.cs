using System.Text;
using System.Text.Encodings.Web;

namespace Taifa.Silo.Portal;

/// <summary>
/// Server-rendered pages: plain HTML forms, labels and buttons, no script, so they work with a keyboard, a screen
/// reader and any browser. Every value from outside goes through <see cref="Text"/>.
/// </summary>
public static class PortalPage
{
    /// <summary>The navigation, in order: a new page is one more entry here and one more route in <see cref="PortalEndpoints"/>.</summary>
    public static IReadOnlyList<(string Path, string Label)> Navigation { get; } =
    [
        ("/portal/", "Balance"),
        ("/portal/send", "Send a message"),
        ("/portal/history", "History"),
        ("/portal/delivery", "Delivery"),
        ("/portal/statement", "Statement"),
        ("/portal/inbound", "Inbound messages"),
        ("/portal/optouts", "Opt-outs"),
        ("/portal/sender-ids", "Sender IDs"),
        ("/portal/api-key", "API key"),
        ("/portal/smpp", "SMPP credentials"),
    ];

    public static string Text(string? value) => HtmlEncoder.Default.Encode(value ?? "");

    /// <summary>A status's wire name as a label ("delivered" → "Delivered").</summary>
    public static string Capitalised(string word) => char.ToUpperInvariant(word[0]) + word[1..];

    /// <summary>A whole page; <paramref name="caller"/> null for the signed-out pages (log-in).</summary>
    public static IResult Render(HttpContext http, string title, string body, PortalCaller? caller = null, int statusCode = StatusCodes.Status200OK)
    {
        var html = new StringBuilder(4096);
        html.Append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Text(title)).Append(" · Taifa portal</title>\n")
            .Append("<link rel=\"stylesheet\" href=\"/portal/portal.css\">\n</head>\n<body>\n")
            .Append("<a class=\"skip\" href=\"#main\">Skip to content</a>\n<header>\n<p class=\"brand\">Taifa Gateway</p>\n");
        if (caller is not null)
        {
            html.Append("<p class=\"who\">").Append(Text(caller.Account.Name)).Append(" · ").Append(Text(caller.Email)).Append("</p>\n")
                .Append("<form method=\"post\" action=\"/portal/logout\" class=\"logout\">").Append(Token(http))
                .Append("<button type=\"submit\">Log out</button></form>\n</header>\n")
                .Append("<nav aria-label=\"Portal\">\n<ul>\n");
            foreach (var (path, label) in Navigation)
            {
                html.Append("<li><a href=\"").Append(path).Append('"')
                    .Append(IsCurrent(http.Request.Path, path) ? " aria-current=\"page\"" : "")
                    .Append('>').Append(Text(label)).Append("</a></li>\n");
            }

            html.Append("</ul>\n</nav>\n");
        }
        else
        {
            html.Append("</header>\n");
        }

        html.Append("<main id=\"main\">\n<h1>").Append(Text(title)).Append("</h1>\n").Append(body).Append("</main>\n</body>\n</html>\n");

        var headers = http.Response.Headers;
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy =
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        return Results.Content(html.ToString(), "text/html; charset=utf-8", Encoding.UTF8, statusCode);
    }

    /// <summary>A page is current on its own path and on the paths under it (such as the answer to a form posted to /portal/optouts/remove).</summary>
    private static bool IsCurrent(PathString request, string path) =>
        path == "/portal/" ? request.Value is "/portal/" or "/portal" : request.StartsWithSegments(path);

    /// <summary>The hidden anti-forgery field every form carries.</summary>
    public static string Token(HttpContext http) =>
        $"<input type=\"hidden\" name=\"{PortalHosting.AntiforgeryField}\" value=\"{Text(PortalHosting.AntiforgeryToken(http))}\">";

    /// <summary>A message the page leads with: role=alert for a problem (read out at once), role=status otherwise.</summary>
    public static string Notice(string message, bool problem) =>
        $"<p class=\"{(problem ? "notice problem" : "notice")}\" role=\"{(problem ? "alert" : "status")}\">{Text(message)}</p>\n";

    public static IResult Refused(HttpContext http, int statusCode, string title, string message) =>
        Render(http, title, Notice(message, problem: true) + "<p><a href=\"/portal/\">Back to the portal</a></p>\n", statusCode: statusCode);
}
