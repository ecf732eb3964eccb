using System.Collections.Concurrent;
using Taifa.Abstractions.Dispatch;
using Taifa.Abstractions.Messages;
using Taifa.Grains.Accounts;
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
    private readonly ConcurrentDictionary<string, (int Parts, SubmissionOutcome Then)> _partial = new();
    private readonly ConcurrentDictionary<string, bool> _oneIdPerMessage = new();
    private readonly ConcurrentDictionary<string, byte> _down = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _answerLost = new();
    private long _nextId = 5000;

    /// <summary>Every accepted submit, with the operator whose bind took it, in order.</summary>
    public ConcurrentQueue<(long MessageId, string Operator)> Carried { get; } = new();

    /// <summary>The binds of one operator go down (not bound) until <see cref="Up"/>.</summary>
    public void Down(string operatorName) => _down[operatorName] = 0;

    public void Up(string operatorName) => _down.TryRemove(operatorName, out _);

    /// <summary>Answers for a destination at one operator only, in order, before any <see cref="Script"/> for it.</summary>
    public void ScriptAt(string operatorName, string mobileNumber, params SubmissionOutcome[] outcomes) =>
        _scripts[operatorName + "|" + mobileNumber] = new ConcurrentQueue<SubmissionOutcome>(outcomes);

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
    public Task<bool> SendReceiptOnce(OperatorReceipt receipt, string operatorName = "scripted") =>
        _receiptHandlers.First(h => h.Key.Item1 == operatorName).Value(receipt);

    /// <summary>Every submit to this destination throws instead of answering.</summary>
    public void Throw(string mobileNumber) => _throwing[mobileNumber] = 0;

    /// <summary>The operator accepts the first <paramref name="parts"/> parts of the message to this destination, then answers <paramref name="then"/>.</summary>
    public void AcceptOnly(string mobileNumber, int parts, SubmissionOutcome then) => _partial[mobileNumber] = (parts, then);

    /// <summary>
    /// The operator takes the next message to this destination (its ids are in <see cref="Accepted"/>) but its answer is
    /// lost: the link reports a temporary failure, as when the submit_sm_resp did not come in time or the silo died.
    /// </summary>
    public void LoseAnswer(string mobileNumber) => _answerLost[mobileNumber] = 0;

    /// <summary>The operator answers every part of the message to this destination with the same id.</summary>
    public void OneIdForAllParts(string mobileNumber) => _oneIdPerMessage[mobileNumber] = true;

    public Task<bool> SendReceipt(OperatorReceipt receipt) =>
        Task.WhenAll(_receiptHandlers.Values.Select(h => h(receipt))).ContinueWith(t => t.Result.Any(r => r), TaskScheduler.Default);

    public IOperatorLink Open(string operatorName, int shard, Func<OperatorReceipt, Task<bool>> onReceipt)
    {
        _receiptHandlers[(operatorName, shard)] = onReceipt;
        return new Link(this, operatorName);
    }

    private List<string> NewIds(long messageId, int firstPart, int count)
    {
        var ids = Enumerable.Range(firstPart, count)
            .Select(_ => Interlocked.Increment(ref _nextId).ToString("X", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        foreach (var id in ids) Accepted.Add((messageId, id));
        return ids;
    }

    private sealed class Link(ScriptedOperator owner, string operatorName) : IOperatorLink
    {
        public bool IsBound => !owner._down.ContainsKey(operatorName);

        public Task<OperatorSubmission> SubmitAsync(MessageRecord message, int firstPart, byte concatenationReference, CancellationToken cancellationToken)
        {
            owner.References.Enqueue((message.MessageId, concatenationReference));
            owner.Attempts.AddOrUpdate(message.MessageId, 1, (_, n) => n + 1);
            if (owner._throwing.ContainsKey(message.MobileNumber)) throw new InvalidOperationException("the link failed");
            var outcome = owner._scripts.TryGetValue(operatorName + "|" + message.MobileNumber, out var own) && own.TryDequeue(out var scripted)
                ? scripted
                : owner._scripts.TryGetValue(message.MobileNumber, out var script) && script.TryDequeue(out var next)
                    ? next
                    : SubmissionOutcome.Accepted;
            if (outcome == SubmissionOutcome.Accepted && owner._answerLost.TryRemove(message.MobileNumber, out _))
            {
                owner.NewIds(message.MessageId, firstPart, message.Parts - firstPart);
                return Task.FromResult(new OperatorSubmission(SubmissionOutcome.TemporaryFailure, [], "0FF", "test: no submit_sm_resp in time"));
            }

            if (outcome == SubmissionOutcome.Accepted && owner._partial.TryRemove(message.MobileNumber, out var partial))
            {
                var taken = owner.NewIds(message.MessageId, firstPart, partial.Parts);
                return Task.FromResult(new OperatorSubmission(partial.Then, taken, "0x" + ((int)partial.Then).ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
            }

            if (outcome != SubmissionOutcome.Accepted)
            {
                var error = owner._errorTexts.GetValueOrDefault(message.MobileNumber) ?? "0x" + ((int)outcome).ToString("X2", System.Globalization.CultureInfo.InvariantCulture);
                return Task.FromResult(new OperatorSubmission(outcome, [], error));
            }

            List<string> ids;
            if (owner._fixedIds.TryGetValue(message.MobileNumber, out var fixedId))
            {
                ids = [.. Enumerable.Repeat(fixedId, message.Parts - firstPart)];
                foreach (var id in ids) owner.Accepted.Add((message.MessageId, id));
            }
            else
            {
                ids = owner._oneIdPerMessage.TryRemove(message.MobileNumber, out _)
                    ? [.. Enumerable.Repeat(owner.NewIds(message.MessageId, firstPart, 1)[0], message.Parts - firstPart)]
                    : owner.NewIds(message.MessageId, firstPart, message.Parts - firstPart);
            }

            owner.Carried.Enqueue((message.MessageId, operatorName));            return Task.FromResult(new OperatorSubmission(SubmissionOutcome.Accepted, ids, null));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>Records the notifications; a dlr_url on the host <see cref="HangingHost"/> never answers until <see cref="ReleaseHanging"/>.</summary>
public sealed class RecordingNotifier : ICustomerNotifier
{
    public const string HangingHost = "hanging.example";

    /// <summary>A dlr_url on this host always answers an error (attempts are counted in <see cref="FailedPosts"/>).</summary>
    public const string FailingHost = "failing.example";

    public static readonly RecordingNotifier Instance = new();

    private TaskCompletionSource _hanging = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentBag<MessageRecord> StatusPosts { get; } = [];

    public ConcurrentDictionary<long, int> FailedPosts { get; } = new();

    public async Task<bool> PostStatusAsync(MessageRecord message, CancellationToken cancellationToken)
    {
        if (message.DlrUrl is { } url && new Uri(url).Host == HangingHost) await _hanging.Task;
        if (message.DlrUrl is { } failing && new Uri(failing).Host == FailingHost)
        {
            FailedPosts.AddOrUpdate(message.MessageId, 1, (_, n) => n + 1);
            return false;
        }

        StatusPosts.Add(message);
        return true;
    }

    public void ReleaseHanging() => Interlocked.Exchange(ref _hanging, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public Task<bool> SendSmppReceiptAsync(MessageRecord message, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task<bool> PostLowBalanceAsync(LowBalanceNotice notice, CancellationToken cancellationToken) => Task.FromResult(true);
}
