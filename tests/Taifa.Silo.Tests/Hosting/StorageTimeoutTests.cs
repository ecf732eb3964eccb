using Microsoft.Extensions.Configuration;
using Npgsql;
using Taifa.Silo.Hosting;

namespace Taifa.Silo.Tests.Hosting;

/// <summary>A send's grain call must outlive the storage calls it may wait for, or a write that commits is answered "unknown".</summary>
public sealed class StorageTimeoutTests
{
    private static NpgsqlConnectionStringBuilder Production(string connectionString) =>
        new(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Taifa"] = connectionString })
            .Build().ProductionConnectionString());

    [Fact]
    public void Unnamed_timeouts_get_defaults_that_fit_inside_a_send()
    {
        var builder = Production("Host=db;Username=u;Password=p;Database=d");
        Assert.Equal(OrleansHosting.DefaultConnectTimeoutSeconds, builder.Timeout);
        Assert.Equal(OrleansHosting.DefaultCommandTimeoutSeconds, builder.CommandTimeout);
    }

    [Theory]
    [InlineData("Host=db;Timeout=3;Command Timeout=7", 3, 7)]
    [InlineData("Host=db;timeout=2;CommandTimeout=4", 2, 4)]
    public void Named_timeouts_are_kept(string connectionString, int connect, int command)
    {
        var builder = Production(connectionString);
        Assert.Equal(connect, builder.Timeout);
        Assert.Equal(command, builder.CommandTimeout);
    }

    [Theory]
    [InlineData("Host=db;Command Timeout=30")]
    [InlineData("Host=db;Timeout=30;CommandTimeout=15")]
    public void Timeouts_that_outlast_a_send_are_refused_at_start(string connectionString)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => Production(connectionString));
        Assert.Contains("must fit inside a send's grain call", refused.Message, StringComparison.Ordinal);
    }
}
