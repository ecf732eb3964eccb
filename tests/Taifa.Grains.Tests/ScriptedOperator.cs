using System.Collections.Concurrent;
using Taifa.Abstractions.Dispatch;
using Taifa.Abstractions.Messages;
using Taifa.Grains.Dispatch;
using Taifa.Grains.Messages;

namespace Taifa.Grains.Tests;

/// <summary>
/// An operator whose answers the test scripts per destination number, standing in for the SMPP bind so the
/// dispatcher's decisions (retry, throttle, reject, refund) can be driven exactly; the real bind and SMSC
/// simulator are covered end to end in the host's tests.
/// </summary>
public sealed class ScriptedOperator : IOperatorLinks
{
    public static readonly ScriptedOperator Instance = new();

    private readonly ConcurrentDictionary<string, ConcurrentQueue<SubmissionOutcome>> _scripts = new();
    private readonly ConcurrentDictionary<(string, int), Func<OperatorReceipt, Task<bool>>> _receiptHandlers = new();
    private readonly ConcurrentDictionary<string, string> _errorTexts = new();
    private readonly ConcurrentDictionary<string, byte> _throwing = new();
    private readonly ConcurrentDictionary<string, string> _fixedIds = new();
    private long _nextId = 5000;

    public ConcurrentBag<(long MessageId, string OperatorId)> Accepted { get; } = [];

    public ConcurrentDictionary<long, int> Attempts { get; } = new();

    /// <summary>The concatenation reference of every attempt, in order.</summary>
    public ConcurrentQueue<(long MessageId, byte Reference)> References { get; } = new();

    /// <summary>Answers for a destination, in order; once used up, the operator accepts.</summary>
    public void Script(string mobileNumber, params SubmissionOutcome[] outcomes) =>
        _scripts[mobileNumber] = new ConcurrentQueue<SubmissionOutcome>(outcomes);

    /// <summary>The link reports <paramref name="errorCode"/> as it is for every failure to this destination, as a careless link would.</summary>
    public void ReportError(string mobileNumber, string errorCode) => _errorTexts[mobileNumber] = errorCode;

    /// <summary>The operator answers every submit to this destination with the id <paramref name="operatorId"/>, as one that recycles its ids does.</summary>
    public void AnswerWithId(string mobileNumber, string operatorId) => _fixedIds[mobileNumber] = operatorId;

    /// <summary>A receipt arriving on one bind, as a real one does (<see cref="SendReceipt"/> offers it to every bind).</summary>
    public Task<bool> SendReceiptOnce(OperatorReceipt receipt) => _receiptHandlers.Values.First()(receipt);

    /// <summary>Every submit to this destination throws instead of answering.</summary>
    public void Throw(string mobileNumber) => _throwing[mobileNumber] = 0;

    public Task<bool> SendReceipt(OperatorReceipt receipt) =>
        Task.WhenAll(_receiptHandlers.Values.Select(h => h(receipt))).ContinueWith(t => t.Result.Any(r => r), TaskScheduler.Default);

    public IOperatorLink Open(string operatorName, int shard, Func<OperatorReceipt, Task<bool>> onReceipt)
    {
        _receiptHandlers[(operatorName, shard)] = onReceipt;
        return new Link(this);
    }

    private sealed class Link(ScriptedOperator owner) : IOperatorLink
    {
        public bool IsBound => true;

        public Task<OperatorSubmission> SubmitAsync(MessageRecord message, int firstPart, byte concatenationReference, CancellationToken cancellationToken)
        {
            owner.References.Enqueue((message.MessageId, concatenationReference));
            owner.Attempts.AddOrUpdate(message.MessageId, 1, (_, n) => n + 1);
            if (owner._throwing.ContainsKey(message.MobileNumber)) throw new InvalidOperationException("the link failed");
            var outcome = owner._scripts.TryGetValue(message.MobileNumber, out var script) && script.TryDequeue(out var next)
                ? next
                : SubmissionOutcome.Accepted;
            if (outcome != SubmissionOutcome.Accepted)
            {
                var error = owner._errorTexts.GetValueOrDefault(message.MobileNumber) ?? "0x" + ((int)outcome).ToString("X2", System.Globalization.CultureInfo.InvariantCulture);
                return Task.FromResult(new OperatorSubmission(outcome, [], error));
            }


            var ids = Enumerable.Range(firstPart, message.Parts - firstPart)
                .Select(_ => owner._fixedIds.GetValueOrDefault(message.MobileNumber) ?? Interlocked.Increment(ref owner._nextId).ToString("X", System.Globalization.CultureInfo.InvariantCulture)).ToList();
            foreach (var id in ids) owner.Accepted.Add((message.MessageId, id));
            return Task.FromResult(new OperatorSubmission(SubmissionOutcome.Accepted, ids, null));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

public sealed class RecordingNotifier : ICustomerNotifier
{
    public static readonly RecordingNotifier Instance = new();

    public ConcurrentBag<MessageRecord> StatusPosts { get; } = [];

    public Task<bool> PostStatusAsync(MessageRecord message, CancellationToken cancellationToken)
    {
        StatusPosts.Add(message);
        return Task.FromResult(true);
    }

    public Task<bool> SendSmppReceiptAsync(MessageRecord message, CancellationToken cancellationToken) => Task.FromResult(true);
}
