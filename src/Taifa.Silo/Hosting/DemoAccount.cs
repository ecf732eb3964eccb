using Microsoft.Extensions.Options;
using Taifa.Abstractions.Accounts;
using Taifa.Silo.Options;

namespace Taifa.Silo.Hosting;

/// <summary>
/// The embedded default's demo account (sender MYSENDER, 500.00 credit at 1.00), so the API document's
/// curl examples work at once. Its API key is logged on purpose: it is a throwaway key on a throwaway store.
/// </summary>
/// <remarks>On unless Taifa:Demo:Enabled says otherwise in the embedded mode, off unless it says so with PostgreSQL.</remarks>
public sealed class DemoAccount(IGrainFactory grains, IOptions<TaifaOptions> options, StorageMode storage, ILogger<DemoAccount> logger) : IHostedService
{
    public const long AccountId = 1;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var demo = options.Value.Demo;
        if (!(demo.Enabled ?? !storage.IsPostgres)) return;
        var apiKey = demo.ApiKey ?? ApiKeys.NewKey();
        var account = grains.GetGrain<IAccountGrain>(AccountId);
        if (await account.View() is null)
        {
            var opened = await account.Open(new OpenAccount("Demo account", demo.CreditBalance, demo.PricePerSms, [demo.SenderId], ApiKeys.Digest(apiKey)));
            if (opened.Outcome != AdminOutcome.Ok) throw new InvalidOperationException($"Could not open the demo account: {opened.Detail}");
        }
        else
        {
            await account.ReplaceApiKey(ApiKeys.Digest(apiKey));
        }

        logger.LogWarning(
            "Demo account {AccountId} ready: sender ID {SenderId}, credit {Credit}. Its API key is {DemoApiKey} " +
            "(demo only; real accounts' keys are never logged)", AccountId, demo.SenderId, demo.CreditBalance, apiKey);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
