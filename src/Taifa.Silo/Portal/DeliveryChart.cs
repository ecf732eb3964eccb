using System.Globalization;
using System.Text;
using Taifa.Abstractions.Messages;
using Taifa.Silo.Api;

namespace Taifa.Silo.Portal;

/// <summary>
/// The delivery chart: one stacked bar per Nairobi day, a segment per status, drawn on the server as SVG (no script),
/// scaled to the page's width. Screen readers get the chart's title and a one-sentence description, and the same
/// numbers follow as a table; every segment also carries its own title (a tooltip).
/// </summary>
public static class DeliveryChart
{
    private const int Width = 360;
    private const int Height = 220;
    private const int Left = 34;
    private const int Top = 18;
    private const int Bottom = 30;
    private const int PlotHeight = Height - Top - Bottom;

    /// <summary>The order the segments stack in, from the bottom: delivered first, so its share reads at a glance.</summary>
    private static readonly MessageStatus[] Stacking =
    [
        MessageStatus.Delivered, MessageStatus.Submitted, MessageStatus.Queued, MessageStatus.Undelivered,
        MessageStatus.Expired, MessageStatus.Rejected, MessageStatus.Failed, MessageStatus.Cancelled, MessageStatus.Scheduled,
    ];

    public static string Render(IReadOnlyList<DeliveryDay> days)
    {
        var total = days.Sum(d => d.Total);
        var delivered = days.Sum(d => d.Count(MessageStatus.Delivered));
        var scale = NiceMaximum(days.Count == 0 ? 0 : days.Max(d => d.Total));
        var slot = (double)(Width - Left - 4) / Math.Max(days.Count, 1);
        var barWidth = Math.Min(32, slot * 0.7);

        var svg = new StringBuilder(4096);
        svg.Append(CultureInfo.InvariantCulture, $"<svg id=\"delivery-chart\" class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-labelledby=\"delivery-chart-title delivery-chart-desc\" xmlns=\"http://www.w3.org/2000/svg\">\n")
            .Append(CultureInfo.InvariantCulture, $"<title id=\"delivery-chart-title\">Messages per day over the last {days.Count} days, by status</title>\n")
            .Append("<desc id=\"delivery-chart-desc\">").Append(PortalPage.Text(Description(days, total, delivered))).Append("</desc>\n");
        foreach (var tick in new[] { 0, scale / 2, scale })
        {
            var y = Top + PlotHeight - (double)tick / scale * PlotHeight;
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" x2=\"{Width - 2}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\"/>")
                .Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Left - 4}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{tick}</text>\n");
        }

        for (var i = 0; i < days.Count; i++)
        {
            var day = days[i];
            var x = Left + slot * i + (slot - barWidth) / 2;
            var label = DayLabel(day.Day);
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"bar\" data-date=\"{Iso(day.Day)}\" data-total=\"{day.Total}\">");
            var y = (double)(Top + PlotHeight);
            foreach (var status in Stacking)
            {
                var count = day.Count(status);
                if (count == 0) continue;
                var height = (double)count / scale * PlotHeight;
                y -= height;
                var name = MessageStatusJson.WireName(status);
                svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"s-{name}\" data-status=\"{name}\" data-count=\"{count}\" x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{barWidth:0.#}\" height=\"{height:0.#}\">")
                    .Append(CultureInfo.InvariantCulture, $"<title>{label}: {count} {name}</title></rect>");
            }

            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"value\" x=\"{x + barWidth / 2:0.#}\" y=\"{y - 4:0.#}\" text-anchor=\"middle\">{day.Total}</text>")
                .Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{x + barWidth / 2:0.#}\" y=\"{Height - 10}\" text-anchor=\"middle\">{label}</text></g>\n");
        }

        svg.Append("</svg>\n");

        var html = new StringBuilder();
        html.Append("<figure class=\"chart-figure\">\n").Append(svg)
            .Append("<figcaption>Each bar is one day (Nairobi time), split by the messages' status now; the table below has the same numbers.</figcaption>\n")
            .Append("<ul class=\"legend\" aria-label=\"Colours\">");
        foreach (var status in Stacking)
        {
            var name = MessageStatusJson.WireName(status);
            html.Append(CultureInfo.InvariantCulture, $"<li><svg width=\"12\" height=\"12\" aria-hidden=\"true\"><rect class=\"s-{name}\" width=\"12\" height=\"12\"/></svg>{PortalPage.Capitalised(name)}</li>");
        }

        html.Append("</ul>\n</figure>\n")
            .Append("<div class=\"scroll\" role=\"region\" aria-labelledby=\"delivery-table-caption\" tabindex=\"0\">\n")
            .Append("<table id=\"delivery-table\" class=\"columns\">\n<caption id=\"delivery-table-caption\">Messages per day and status</caption>\n<thead><tr><th scope=\"col\">Day</th><th scope=\"col\">Total</th><th scope=\"col\">Delivery rate</th>");
        foreach (var status in Stacking) html.Append("<th scope=\"col\">").Append(PortalPage.Capitalised(MessageStatusJson.WireName(status))).Append("</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var day in days)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr data-date=\"{Iso(day.Day)}\"><th scope=\"row\" data-label=\"Day\">{Iso(day.Day)}</th><td data-label=\"Total\" data-status=\"total\">{day.Total}</td>")
                .Append("<td data-label=\"Delivery rate\">").Append(Rate(day.Count(MessageStatus.Delivered), day.Total)).Append("</td>");
            foreach (var status in Stacking)
            {
                var name = MessageStatusJson.WireName(status);
                html.Append(CultureInfo.InvariantCulture, $"<td data-label=\"{PortalPage.Capitalised(name)}\" data-status=\"{name}\">{day.Count(status)}</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n</div>\n")
            .Append("<p>A message counts on the day it was accepted. The same numbers, for up to 31 days, are in <code>GET /v2/sms/delivery-summary</code>.</p>\n");
        return html.ToString();
    }

    private static string Description(IReadOnlyList<DeliveryDay> days, long total, long delivered)
    {
        if (total == 0) return $"No messages in the last {days.Count} days.";
        var busiest = days.OrderByDescending(d => d.Total).First();
        return $"{total} messages in the last {days.Count} days, {delivered} delivered ({Rate(delivered, total)}). " +
               $"The busiest day was {DayLabel(busiest.Day)} with {busiest.Total}.";
    }

    private static string Rate(long delivered, long total) =>
        total == 0 ? "none sent" : ((double)delivered / total).ToString("0%", CultureInfo.InvariantCulture);

    /// <summary>The smallest of 1, 2, 5 × 10ⁿ (and even for the half-way line) at or above the tallest bar.</summary>
    private static int NiceMaximum(long tallest)
    {
        for (var magnitude = 1L; ; magnitude *= 10)
        {
            foreach (var step in new[] { 2L, 4L, 10L })
            {
                if (step * magnitude >= tallest) return (int)Math.Min(step * magnitude, int.MaxValue);
            }
        }
    }

    private static string DayLabel(DateOnly day) => day.ToString("ddd d", CultureInfo.InvariantCulture);

    private static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

}
