using Microsoft.Extensions.DependencyInjection;

namespace Taifa.Silo.Tests.Infrastructure;

/// <summary>
/// One gateway per test class, embedded (<see cref="EmbeddedModeGateway"/>) or on its own PostgreSQL database
/// (<see cref="PostgresModeGateway"/>), for test classes that run the same tests in both modes; each test opens its own accounts.
/// </summary>
public abstract class ModeGateway : IAsyncLifetime
{
    public GatewayFactory Gateway { get; private set; } = null!;

    protected abstract string? ConnectionString { get; }

    public virtual Task InitializeAsync()
    {
        Gateway = new GatewayFactory(ConnectionString);
        _ = Gateway.Server;
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync() => await Gateway.DisposeAsync();

    /// <summary>The account again from what was stored: a fresh activation (embedded) or a restarted gateway (PostgreSQL).</summary>
    public abstract Task ReloadAsync(TestAccount account);

    protected async Task RestartAsync()
    {
        await Gateway.DisposeAsync();
        Gateway = new GatewayFactory(ConnectionString);
        _ = Gateway.Server;
    }
}

public sealed class EmbeddedModeGateway : ModeGateway
{
    protected override string? ConnectionString => null;

    public override async Task ReloadAsync(TestAccount account)
    {
        var grains = Gateway.Services.GetRequiredService<IGrainFactory>();
        var management = grains.GetGrain<IManagementGrain>(0);
        var reference = (GrainReference)grains.GetGrain<Taifa.Abstractions.Accounts.IAccountGrain>(account.AccountId);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await management.GetGrainActivationCount(reference) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"account {account.AccountId} is still active, waiting for its deactivation");
            await management.ForceActivationCollection(TimeSpan.Zero);
            await Task.Delay(100);
        }
    }
}

public sealed class PostgresModeGateway : ModeGateway
{
    private TestDatabase _database = null!;

    protected override string? ConnectionString => _database.ConnectionString;

    public override async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DisposeAsync();
    }

    public override Task ReloadAsync(TestAccount account) => RestartAsync();
}
