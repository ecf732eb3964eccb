using Taifa.Abstractions.Messages;

namespace Taifa.Grains.Ledger;

/// <summary>
/// This silo's writes of operator answers, final states, receipts and follow-up progress to the ledger, in batches: every grain of the
/// silo (message records, dispatchers, the receipt router) adds its item to the statement being gathered and waits for
/// the one that covers it. While a statement runs the next one gathers, as the account's group commit does, so a quiet
/// silo writes at once and a busy one covers hundreds of messages per statement (at most <see cref="MaxBatch"/>).
/// </summary>
public sealed class LedgerWriter
{
    public const int MaxBatch = 1000;

    /// <summary>How far back a receipt looks for its message: beyond the longest validity an operator keeps a message for.</summary>
    public static readonly TimeSpan ReceiptWindow = TimeSpan.FromDays(8);

    private readonly StatementBatch<MessageOutcome, bool> _outcomes;
    private readonly StatementBatch<PartReceipt, IReadOnlyList<OperatorPart>> _receipts;
    private readonly StatementBatch<FollowUp, bool> _followUps;

    private readonly IMessageLedger _ledger;

    public LedgerWriter(IMessageLedger ledger, TimeProvider time)
    {
        _ledger = ledger;
        _outcomes = new StatementBatch<MessageOutcome, bool>(
            async outcomes =>
            {
                var changed = (await ledger.RecordOutcomes(outcomes).ConfigureAwait(false)).ToHashSet();
                return outcome => changed.Contains(outcome.MessageId);
            },
            onePerStatement: outcome => outcome.MessageId);
        _receipts = new StatementBatch<PartReceipt, IReadOnlyList<OperatorPart>>(async receipts =>
        {
            var parts = (await ledger.RecordReceipts(receipts, time.GetUtcNow() - ReceiptWindow).ConfigureAwait(false))
                .ToLookup(p => (p.OperatorName, p.OperatorMessageId));
            return receipt => [.. parts[(receipt.OperatorName, receipt.OperatorMessageId)]];
        });
        _followUps = new StatementBatch<FollowUp, bool>(
            async followUps =>
            {
                await ledger.RecordFollowUps(followUps).ConfigureAwait(false);
                return static _ => true;
            },
            onePerStatement: followUp => followUp.MessageId);
    }

    /// <summary>True when the outcome moved the message on; false when it was there already (a repeat, a late answer).</summary>
    public Task<bool> RecordOutcome(MessageOutcome outcome) => _outcomes.Add(outcome);

    /// <summary>The parts the receipt matched (see <see cref="IMessageLedger.RecordReceipts"/>); none: unknown id.</summary>
    public Task<IReadOnlyList<OperatorPart>> RecordReceipt(PartReceipt receipt) => _receipts.Add(receipt);

    /// <summary>What a message still owes after a follow-up round (nothing: its row no longer asks to be looked at).</summary>
    public Task RecordFollowUp(FollowUp followUp) => _followUps.Add(followUp);

    /// <summary>The parts with this operator id, read only (for a receipt that is not final).</summary>
    public Task<IReadOnlyList<OperatorPart>> FindByOperatorIds(string operatorName, IReadOnlyList<string> operatorIds, DateTimeOffset acceptedSince) =>
        _ledger.FindByOperatorIds(operatorName, operatorIds, acceptedSince);

    /// <summary>
    /// Items gathered into one statement at a time. Thread-safe (callers are grains of any activation); the statement
    /// runs on the thread pool, and each caller continues on its own scheduler.
    /// </summary>
    private sealed class StatementBatch<TItem, TResult>(
        Func<IReadOnlyList<TItem>, Task<Func<TItem, TResult>>> write, Func<TItem, long>? onePerStatement = null)
    {
        private readonly Lock _lock = new();
        private List<(TItem Item, TaskCompletionSource<TResult> Done)> _pending = [];
        private bool _writing;

        public Task<TResult> Add(TItem item)
        {
            var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            bool start;
            lock (_lock)
            {
                _pending.Add((item, done));
                start = !_writing;
                _writing = true;
            }

            if (start) _ = Task.Run(WriteLoop);
            return done.Task;
        }

        private async Task WriteLoop()
        {
            while (true)
            {
                List<(TItem Item, TaskCompletionSource<TResult> Done)> batch;
                lock (_lock)
                {
                    if (_pending.Count == 0)
                    {
                        _writing = false;
                        return;
                    }

                    batch = Take();
                }

                try
                {
                    var result = await write([.. batch.Select(p => p.Item)]).ConfigureAwait(false);
                    foreach (var (item, done) in batch) done.TrySetResult(result(item));
                }
                catch (Exception exception)
                {
                    foreach (var (_, done) in batch) done.TrySetException(exception);
                }
            }
        }

        /// <summary>Up to <see cref="MaxBatch"/> items, oldest first; a second item of one key waits for the next statement.</summary>
        private List<(TItem Item, TaskCompletionSource<TResult> Done)> Take()
        {
            var batch = new List<(TItem, TaskCompletionSource<TResult>)>(Math.Min(_pending.Count, MaxBatch));
            var left = new List<(TItem, TaskCompletionSource<TResult>)>();
            var keys = new HashSet<long>();
            foreach (var pending in _pending)
            {
                if (batch.Count < MaxBatch && (onePerStatement is null || keys.Add(onePerStatement(pending.Item)))) batch.Add(pending);
                else left.Add(pending);
            }

            _pending = left;
            return batch;
        }
    }
}
