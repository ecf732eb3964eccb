using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Taifa.Silo.Dispatch;
using Taifa.Silo.Tests.Inbound;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Silo.Tests.Smpp;
using Taifa.Smpp.Pdus;

namespace Taifa.Silo.Tests.Portal;

/// <summary>
/// The portal in a real browser: headless Chromium from Debian's chromium package, driven by puppeteer-core
/// (tests/portal/portal-browser.js; infra/local/interop-deps.sh installs both). Set TAIFA_PORTAL_SCREENSHOTS to a folder
/// to keep the screenshots of the main pages (docs/portal/ holds the committed ones).
/// </summary>
[Collection(SmppCollection.Name)]
public sealed class PortalBrowserTests(PortalGateway gateway) : IClassFixture<PortalGateway>
{
    [Fact]
    public async Task A_customer_logs_in_sends_reads_history_chart_statement_and_inbound_keeps_opt_outs_downloads_csv_rotates_the_key_and_logs_out_in_chromium()
    {
        var user = await gateway.OpenPortalAccountAsync(credit: 500m);
        var (priced, answer) = await gateway.AdminAsync(HttpMethod.Put, $"/v2/admin/accounts/{user.Account.AccountId}/prices",
            new { @default = 1.00m, networks = new Dictionary<string, decimal> { ["1"] = 0.80m, ["2"] = 0.65m } });
        Assert.True(priced == System.Net.HttpStatusCode.OK, $"setting the rate card answered {priced}: {answer}");

        // Two inbound messages from the simulator, as an operator delivers them; the STOP puts its sender on the opt-out list.
        var number = Random.Shared.Next(20_000, 99_999).ToString(CultureInfo.InvariantCulture);
        var (routed, routedBody) = await gateway.AdminAsync(HttpMethod.Post, $"/v2/admin/accounts/{user.Account.AccountId}/inbound-numbers", new { number });
        Assert.True(routed == System.Net.HttpStatusCode.Created, $"routing {number} answered {routed}: {routedBody}");
        var safaricom = gateway.Factory.Services.GetRequiredService<BuiltInOperators>().Simulators["safaricom"];
        Assert.Equal(CommandStatus.Ok, await InboundEndToEndTests.DeliverAsync(safaricom, InboundEndToEndTests.Mo("254711000222", number, "STOP")));
        Assert.Equal(CommandStatus.Ok, await InboundEndToEndTests.DeliverAsync(safaricom, InboundEndToEndTests.Mo("254702739804", number, "Habari, is order 1042 ready?")));
        await Waits.Eventually(async () => (await gateway.Http.GetJsonAsync("/v2/sms/optouts", user.Account.ApiKey))["optouts"]!.AsArray().Count == 1,
            "the STOP sender on the opt-out list");

        var output = await RunAsync(gateway.BaseAddress.ToString().TrimEnd('/'), user.Email, user.Password, user.Account.SenderId,
            PortalGateway.MaxFailuresPerEmail.ToString(CultureInfo.InvariantCulture), number);

        Assert.Contains("portal: ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("not ok", output, StringComparison.Ordinal);
    }

    private static Task<string> RunAsync(params string[] arguments)
    {
        var directory = NodeScripts.Directory(
            "portal",
            folder => Directory.Exists(Path.Combine(folder, "node_modules", "puppeteer-core")) && File.Exists("/usr/bin/chromium"),
            "puppeteer-core or Debian's chromium is not installed");
        var start = new ProcessStartInfo("node") { WorkingDirectory = directory };
        start.ArgumentList.Add("portal-browser.js");
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        if (Environment.GetEnvironmentVariable("TAIFA_PORTAL_SCREENSHOTS") is { Length: > 0 } shots) start.ArgumentList.Add(Path.GetFullPath(shots));
        return NodeScripts.RunAsync(start, TimeSpan.FromSeconds(120), "portal-browser.js");
    }
}
