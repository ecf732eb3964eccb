using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Taifa.Silo.Hosting;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Hosting;

/// <summary>
/// Orleans' failure detection is tunable from configuration (<c>Orleans:Membership:*</c>), so a deployment can trade
/// detection speed against false suspicions (docs/reliability.md); unset, the gateway's defaults (faster than Orleans') apply.
/// </summary>
public sealed class MembershipOptionsTests
{
    [Fact]
    public async Task Orleans_Membership_settings_reach_the_silo_s_failure_detector()
    {
        var settings = new Dictionary<string, string>
        {
            ["Orleans:Membership:ProbeTimeout"] = "00:00:02",
            ["Orleans:Membership:NumMissedProbesLimit"] = "2",
        };
        await using var gateway = new GatewayFactory(settings: settings);
        using var client = gateway.CreateClient();

        var options = gateway.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(2), options.ProbeTimeout);
        Assert.Equal(2, options.NumMissedProbesLimit);
    }

    [Fact]
    public async Task Without_settings_the_failure_detector_uses_the_gateway_s_defaults_not_Orleans_slower_ones()
    {
        await using var gateway = new GatewayFactory();
        using var client = gateway.CreateClient();

        var options = gateway.Services.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
        var ours = new ClusterMembershipOptions();
        OrleansHosting.FailureDetection(ours);

        Assert.True(ours.ProbeTimeout < new ClusterMembershipOptions().ProbeTimeout);
        Assert.Equal(ours.ProbeTimeout, options.ProbeTimeout);
        Assert.Equal(ours.NumMissedProbesLimit, options.NumMissedProbesLimit);
        Assert.Equal(ours.EnableIndirectProbes, options.EnableIndirectProbes);
        Assert.Equal(ours.IAmAliveTablePublishTimeout, options.IAmAliveTablePublishTimeout);
        Assert.Equal(ours.NumMissedTableIAmAliveLimit, options.NumMissedTableIAmAliveLimit);
    }
}
