using System.Collections.Concurrent;
using System.Diagnostics;
using Taifa.Cluster.Tests.Infrastructure;

namespace Taifa.FaultInjection;

public enum Channel
{
    Rest,
    Smpp,
}

/// <summary>An account of the run, with the money the harness put into it.</summary>
public sealed class CustomerAccount(int index, Account account, decimal price, decimal opening)
{
    private decimal _credits;

    public int Index { get; } = index;

    public Account Account { get; } = account;

    public decimal Price { get; } = price;

    public decimal Opening { get; } = opening;

    public string SmppUser => $"fault{Index}";

    public string SmppPassword => $"pw{Index}x";

    /// <summary>Admin credits that were answered 2xx.</summary>
    public decimal Credits => _credits;

    public void AddCredit(decimal amount) => _credits += amount;
}

/// <summary>A send the gateway answered with success (1000 / ESME_ROK): it owes us this message.</summary>
public sealed record AcceptedMessage(int Phase, Channel Channel, CustomerAccount Account, string MessageId, string Text, decimal Cost, TimeSpan At, string Silo);

/// <summary>A send whose answer never came (connection cut, timeout): it may or may not have been accepted.</summary>
public sealed record AmbiguousSend(int Phase, Channel Channel, CustomerAccount Account, string Text, decimal Cost, TimeSpan At, string Silo, string What);

/// <summary>One answer, success or not, for the timeline (outage windows and recovery times), with the text it was for.</summary>
public sealed record Answer(int Phase, Channel Channel, CustomerAccount Account, TimeSpan At, string Silo, string Outcome, string? Text = null)
{
    public bool Success => Outcome is "1000" or "ESME_ROK";
}

/// <summary>Everything sent and answered during the run, against one clock.</summary>
public sealed class Ledger
{
    private readonly ConcurrentQueue<AcceptedMessage> _accepted = new();
    private readonly ConcurrentQueue<AmbiguousSend> _ambiguous = new();
    private readonly ConcurrentQueue<Answer> _answers = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyList<AcceptedMessage> Accepted => [.. _accepted];

    public IReadOnlyList<AmbiguousSend> Ambiguous => [.. _ambiguous];

    public IReadOnlyList<Answer> Answers => [.. _answers];

    public void RecordAccepted(AcceptedMessage message)
    {
        _accepted.Enqueue(message);
        _answers.Enqueue(new Answer(message.Phase, message.Channel, message.Account, message.At, message.Silo, message.Channel == Channel.Rest ? "1000" : "ESME_ROK", message.Text));
    }

    public void RecordRefused(Answer answer) => _answers.Enqueue(answer);

    public void RecordAmbiguous(AmbiguousSend send)
    {
        _ambiguous.Enqueue(send);
        _answers.Enqueue(new Answer(send.Phase, send.Channel, send.Account, send.At, send.Silo, $"no answer ({send.What})", send.Text));
    }
}
