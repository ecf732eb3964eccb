using System.Collections.Concurrent;
using Orleans.Runtime;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace Taifa.Silo.Tests.Database;

// A tiny grain that touches every ADO.NET provider: state in storage "x", a reminder, and a stream
// whose events an implicit subscriber receives. The silos run in the test process, so the grains
// report back through ProbeSignals instead of the test polling.

[Alias("Taifa.Silo.Tests.Database.ProbeState")]
[GenerateSerializer, Immutable]
public sealed record ProbeState([property: Id(0)] string Value);

[Alias("Taifa.Silo.Tests.Database.IProbeGrain")]
public interface IProbeGrain : IGrainWithGuidKey
{
    [Alias("Remember")]
    Task RememberAsync(string value);

    [Alias("Recall")]
    Task<string?> RecallAsync();

    [Alias("StartReminder")]
    Task StartReminderAsync();

    [Alias("HasReminder")]
    Task<bool> HasReminderAsync();

    [Alias("Publish")]
    Task PublishAsync(string text);
}

[Alias("Taifa.Silo.Tests.Database.IProbeSubscriberGrain")]
public interface IProbeSubscriberGrain : IGrainWithGuidKey;

internal static class ProbeNames
{
    public const string Storage = "x";
    public const string StreamProvider = "adonet";
    public const string StreamNamespace = "probe";
    public const string Reminder = "probe-reminder";
}

public sealed class ProbeGrain(
    [PersistentState("probe", ProbeNames.Storage)] IPersistentState<ProbeState> state)
    : Grain, IProbeGrain, IRemindable
{
    public Task RememberAsync(string value)
    {
        state.State = new ProbeState(value);
        return state.WriteStateAsync();
    }

    public Task<string?> RecallAsync() => Task.FromResult(state.RecordExists ? state.State.Value : null);

    // The first tick comes after one second; the period only has to satisfy the one-minute minimum.
    public Task StartReminderAsync() =>
        this.RegisterOrUpdateReminder(ProbeNames.Reminder, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

    public async Task<bool> HasReminderAsync() => await this.GetReminder(ProbeNames.Reminder) is not null;

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        ProbeSignals.Reminder(this.GetPrimaryKey()).TrySetResult(reminderName);
        return Task.CompletedTask;
    }

    public Task PublishAsync(string text) =>
        this.GetStreamProvider(ProbeNames.StreamProvider)
            .GetStream<string>(StreamId.Create(ProbeNames.StreamNamespace, this.GetPrimaryKey()))
            .OnNextAsync(text);
}

[ImplicitStreamSubscription(ProbeNames.StreamNamespace)]
public sealed class ProbeSubscriberGrain : Grain, IProbeSubscriberGrain, IStreamSubscriptionObserver, IAsyncObserver<string>
{
    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        handleFactory.Create<string>().ResumeAsync(this);

    public Task OnNextAsync(string item, StreamSequenceToken? token = null)
    {
        ProbeSignals.StreamEvent(this.GetPrimaryKey()).TrySetResult(item);
        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}

internal static class ProbeSignals
{
    private static readonly ConcurrentDictionary<(string Kind, Guid Key), TaskCompletionSource<string>> Signals = new();

    public static TaskCompletionSource<string> Reminder(Guid key) => Get("reminder", key);

    public static TaskCompletionSource<string> StreamEvent(Guid key) => Get("stream", key);

    public static async Task<string> WaitAsync(TaskCompletionSource<string> signal, TimeSpan timeout, string what)
    {
        try
        {
            return await signal.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Waited {timeout.TotalSeconds:0}s for {what}, but it never happened.");
        }
    }

    private static TaskCompletionSource<string> Get(string kind, Guid key) =>
        Signals.GetOrAdd((kind, key), _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
}
