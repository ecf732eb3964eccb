using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Dispatch;
using Taifa.Abstractions.Messages;
using Taifa.Abstractions.Smpp;
using Taifa.Domain.Ids;
using Taifa.Domain.Money;
using Taifa.Grains.Dispatch;
using Taifa.Grains.Ledger;
using Taifa.Grains.Inbound;
using Taifa.Grains.Messages;
using Taifa.Grains.Persistence;
using Taifa.Grains.Security;
using Taifa.Grains.Telemetry;

namespace Taifa.Grains.Accounts;

/// <summary>
/// The wallet and identity of one customer. Reentrant on purpose: concurrent sends are charged against
/// the live balance synchronously (no await between check and debit) and then share one durable write
/// (<see cref="GroupCommit"/>), so no caller is answered before the write that covers its debit.
/// </summary>
[Reentrant]
public sealed partial class AccountGrain : Grain, IAccountGrain, IRemindable
{
    private const string OutboxReminder = "outbox-sweep";
    private const int HandoffConcurrency = 256;
    private const int HandOffRoundSize = 512;
    private static readonly TimeSpan HandoffRetry = TimeSpan.FromSeconds(2);

    private readonly IPersistentState<AccountState> _storage;
    private readonly IMessageLedger _ledger;
    private readonly MessageIdGenerator _ids;
    private readonly OperatorRoutes _routes;
    private readonly TimeProvider _time;
    private readonly WriteFailures _writeFailures;
    private readonly ILogger<AccountGrain> _logger;
    private readonly ICustomerNotifier _notifier;
    private readonly DispatchOptions _dispatch;
    private readonly GroupCommit _commit;
    private readonly HashSet<long> _handingOff = [];

    // Accepted into the outbox, but the write covering them has not completed: not to be handed off yet.
    private readonly HashSet<long> _awaitingCommit = [];
    private Task<bool>? _readBack;
    private readonly SmppPasswordVerifier _smppPasswords = new();

    // Sender IDs an AddSenderId has claimed but not yet written: not released by a RemoveSenderId meanwhile.
    private readonly HashSet<string> _addingSenderIds = [];
    private List<MessageRecord> _handOffQueue = [];
    private bool _handOffRunning;
    private Task _handOff = Task.CompletedTask;
    private bool _deactivating;
    private AccountState _live = new();
    private AddressAllowList _allowList = AddressAllowList.Everyone;

    // The wallet's committed version (0: no wallet yet); what the next ledger commit carries; whether identity changed.
    private long _walletVersion;
    private decimal _openingBalance;
    private List<LedgerMessage> _unwrittenMessages = [];
    private List<WalletCredit> _unwrittenCredits = [];

    // Top-ups asked for in this activation and not yet answered: whether their commit applied them.
    private readonly Dictionary<string, bool> _topUpsInFlight = new(StringComparer.Ordinal);
    private Dictionary<long, decimal> _unwrittenRefunds = [];
    private bool _stateDirty;
    private AccountOptOuts? _optOuts;

    public AccountGrain(
        [PersistentState("account", StorageNames.Accounts)] IPersistentState<AccountState> storage,
        IMessageLedger ledger,
        MessageIdGenerator ids,
        OperatorRoutes routes,
        TimeProvider time,
        WriteFailures writeFailures,
        ICustomerNotifier notifier,
        IOptions<DispatchOptions> dispatch,
        ILogger<AccountGrain> logger)
    {
        _notifier = notifier;
        _dispatch = dispatch.Value;
        _writeFailures = writeFailures;
        _storage = storage;
        _ledger = ledger;
        _ids = ids;
        _routes = routes;
        _time = time;
        _logger = logger;
        _commit = new GroupCommit(Write);
    }

    private long AccountId => this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _live = _storage.State.Snapshot();
        _allowList = AddressAllowList.FromStored(_live.AllowedAddresses);
        this.RegisterGrainTimer(SweepOutbox, new GrainTimerCreationOptions(HandoffRetry, HandoffRetry) { Interleave = true });
        if (!_live.IsOpen) return;

        var wallet = await _ledger.ReadWallet(AccountId, cancellationToken);
        if (wallet is null || _storage.State.Outbox.Count > 0 || _storage.State.Refunds.Count > 0) wallet = await Upgrade(wallet, cancellationToken);
        _live.Balance = wallet.Balance;
        _walletVersion = wallet.Version;

        var unsent = await _ledger.ReadNotHandedOff(AccountId, int.MaxValue, cancellationToken);
        _live.Outbox.AddRange(unsent.Select(m => m.Record));
        if (_live.Outbox.Count > 0) HandOff([.. _live.Outbox]);

        // The ledger may hold a change whose alert state was not written before the last activation ended.
        if (CheckLowBalance()) await CommitState();
        PostLowBalanceSoon();
    }

    /// <summary>
    /// An account stored before the ledger kept its money (or opened while the ledger was unreachable): its balance,
    /// its outbox and the refunds it remembers go into the ledger in one commit, then the state is written without them.
    /// The ledger first: a failure between the two finds the wallet there next time, and the outbox's messages in it.
    /// </summary>
    private async Task<Wallet> Upgrade(Wallet? wallet, CancellationToken cancellationToken)
    {
        var legacy = _storage.State;
        if (wallet is null)
        {
            var outbox = legacy.Outbox.Select(r => new LedgerMessage(r, _routes.StreamKeyFor(r.NetworkId, r.MessageId))).ToList();
            var commit = new WalletCommit(AccountId, Guid.NewGuid(), 0, _time.GetUtcNow(), outbox, [], [])
            {
                OpeningBalance = legacy.Balance + outbox.Sum(m => m.Record.Cost),
                RefundedBefore = [.. legacy.Refunds.Keys],
            };
            wallet = (await _ledger.Commit(commit, cancellationToken)).Wallet;
        }

        _storage.State = _live.Snapshot();
        await _storage.WriteStateAsync(cancellationToken);
        return wallet;
    }

    /// <summary>
    /// A hand-off still running when the activation goes (at shutdown, all of them at once) would go on using the
    /// activation's services after they are disposed: no new round starts, and the one in progress gets a sweep period
    /// to finish. Whatever is not handed off stays in the outbox, for the next activation.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deactivating = true;
        await _handOff.WaitAsync(HandoffRetry, cancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    /// <summary>
    /// Claims the sender IDs and the key, then writes the account. Whatever was claimed is released again when a
    /// later claim is refused or fails, or the write fails and storage shows no open account: an account that was
    /// never opened holds no name (before, such names stayed claimed for good, and retrying the open under a new
    /// account id answered 409 forever).
    /// </summary>
    public async Task<AdminResult> Open(OpenAccount request)
    {
        if (_live.IsOpen) return new AdminResult(AdminOutcome.Conflict, Detail: "account already exists");

        var senderIds = request.SenderIds.Select(AccountIndex.NormalizeSenderId).Distinct().ToList();
        var claimed = new List<NameClaim>();
        try
        {
            foreach (var senderId in senderIds)
            {
                var index = GrainFactory.SenderId(senderId);
                if (!await index.Claim(AccountId))
                {
                    await ReleaseClaims(claimed);
                    return new AdminResult(AdminOutcome.Conflict, Detail: $"sender ID {senderId} is registered to another account");
                }

                claimed.Add(new NameClaim(index, "sender ID " + senderId, saved => saved.IsOpen));
            }

            var key = GrainFactory.ApiKey(request.ApiKeyDigest);
            if (!await key.Claim(AccountId))
            {
                await ReleaseClaims(claimed);
                return new AdminResult(AdminOutcome.Conflict, Detail: "API key collision");
            }

            claimed.Add(new NameClaim(key, "API key", saved => saved.IsOpen));
        }
        catch
        {
            await ReleaseClaims(claimed);
            throw;
        }

        _live.IsOpen = true;
        _live.Name = request.Name;
        _live.Status = AccountStatus.Active;
        _live.Balance = Money.Round(request.CreditBalance);
        _live.PricePerSms = Money.Round(request.PricePerSms);
        _live.SenderIds = senderIds;
        _live.ApiKeyDigest = request.ApiKeyDigest;
        _live.CreatedAt = _time.GetUtcNow();
        _openingBalance = _live.Balance;
        try
        {
            await CommitState();
        }
        catch
        {
            await ReleaseUnlessSaved(claimed);
            throw;
        }

        await this.RegisterOrUpdateReminder(OutboxReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        LogOpened(AccountId, request.Name);
        return new AdminResult(AdminOutcome.Ok, _live.ToView(AccountId));
    }

    public Task<AccountView?> View() => Task.FromResult(_live.IsOpen ? _live.ToView(AccountId) : null);

    public Task<KeyCheck> CheckKey(string apiKeyDigest, IPAddress? source) =>
        Task.FromResult(new KeyCheck(Authorize(apiKeyDigest, source), _live.Balance));

    public async Task<SendResult> Send(SendCommand command)
    {
        if (_commit.Failed)
        {
            // This activation is being discarded after a failed write; what an earlier attempt charged is known only to storage.
            if (command.Retry) throw new SendUncertainException($"account {AccountId} is reloading after a failed write");
            return new SendResult(TaifaStatus.DatabaseError, []);
        }

        var authorization = command.ApiKeyDigest is null ? AuthorizeBoundSession() : Authorize(command.ApiKeyDigest, command.Source);
        if (authorization != TaifaStatus.Success) return new SendResult(authorization, []);

        var messageIds = command.MessageIds.Count == command.Recipients.Count ? command.MessageIds : null;
        var charged = command.Retry && messageIds is not null ? await FindCharged(messageIds) : null;
        if (!await OptOuts.Ready()) return new SendResult(TaifaStatus.DatabaseError, []);

        // From here to the commit nothing awaits: the balance checked is the balance debited.
        var senderId = AccountIndex.NormalizeSenderId(command.SenderId);
        var senderRegistered = _live.SenderIds.Contains(senderId);
        var now = _time.GetUtcNow();
        var outcomes = new SendOutcome[command.Recipients.Count];
        var accepted = new List<MessageRecord>();

        // What this answer depends on being durable: new records, and earlier ones whose write is still in flight.
        var covered = new List<long>();

        for (var i = 0; i < outcomes.Length; i++)
        {
            if (charged?[i] is { } earlier)
            {
                outcomes[i] = Accepted(earlier.Record);
                if (earlier.AwaitingCommit) covered.Add(earlier.Record.MessageId);
                continue;
            }

            var recipient = command.Recipients[i];
            var cost = Money.Cost(_live.PriceFor(recipient.NetworkId), command.Parts);
            TaifaStatus status;
            if (!senderRegistered) status = TaifaStatus.InvalidSenderId;
            else if (recipient.MobileNumber is null) status = TaifaStatus.InvalidMobileNumber;
            else if (OptOuts.Contains(recipient.MobileNumber)) status = TaifaStatus.RecipientOptedOut;
            else if (_live.Balance < cost) status = TaifaStatus.InsufficientCredit;
            else status = TaifaStatus.Success;

            if (status != TaifaStatus.Success)
            {
                TaifaMetrics.Rejected(status, command.Channel);
                outcomes[i] = new SendOutcome(status, 0, 0, recipient.MobileNumber, recipient.NetworkId, 0m, _live.Balance);
                continue;
            }

            _live.Balance -= cost;
            var record = new MessageRecord
            {
                MessageId = messageIds?[i] ?? _ids.Next(),
                RecipientId = _ids.Next(),
                AccountId = AccountId,
                MobileNumber = recipient.MobileNumber!,
                NetworkId = recipient.NetworkId,
                SenderId = senderId,
                Text = command.Text,
                Encoding = command.Encoding,
                Parts = command.Parts,
                Cost = cost,
                ServiceId = command.ServiceId,
                Channel = command.Channel,
                AcceptedAt = now,
                UpdatedAt = now,
                RegisteredDelivery = command.RegisteredDelivery,
                DlrUrl = command.DlrUrl,
                Segment = command.Segment,
                BalanceAfter = _live.Balance,
                Status = command.SendAt is null ? MessageStatus.Queued : MessageStatus.Scheduled,
                SendAt = command.SendAt,
                ExpiresAt = command.ExpiresAt ?? (command.SendAt ?? now) + _dispatch.DefaultValidity,
            };

            // A scheduled message waits in the ledger alone: LedgerSweepsGrain gives it back at its time.
            if (command.SendAt is null) _live.Outbox.Add(record);
            _unwrittenMessages.Add(new LedgerMessage(record, _routes.StreamKeyFor(record.NetworkId, record.MessageId)));
            _awaitingCommit.Add(record.MessageId);
            accepted.Add(record);
            covered.Add(record.MessageId);
            outcomes[i] = Accepted(record);
        }

        if (covered.Count == 0) return new SendResult(TaifaStatus.Success, outcomes);

        try
        {
            await _commit.Commit();
        }
        catch (Exception exception)
        {
            LogWriteFailed(exception, AccountId);
            return await AfterFailedWrite(exception, accepted, covered, outcomes);
        }

        foreach (var record in accepted) _awaitingCommit.Remove(record.MessageId);
        Durable(accepted);
        return new SendResult(TaifaStatus.Success, outcomes);
    }

    private AccountOptOuts OptOuts => _optOuts ??= new AccountOptOuts(AccountId, ServiceProvider.GetRequiredService<IInboundStore>(), _time);

    public Task AddOptOut(string mobileNumber, Abstractions.Inbound.OptOutSource source) => OptOuts.Add(mobileNumber, source);

    public Task<bool> RemoveOptOut(string mobileNumber) => OptOuts.Remove(mobileNumber);

    /// <summary>Accepted messages whose debit storage holds: counted, and on their way to their records and operators.</summary>
    private void Durable(List<MessageRecord> accepted)
    {
        foreach (var record in accepted) TaifaMetrics.Accepted(record.Channel, record.Parts, record.Cost);
        HandOff(accepted.FindAll(r => r.Status != MessageStatus.Scheduled));
    }

    /// <summary>
    /// Scheduled messages whose time has come (from <see cref="LedgerSweepsGrain"/>): queued and handed off like any
    /// other. At least once: one already in the outbox or handed off is skipped, and the message grain keeps the first
    /// record it was given, so a cancelled one stays cancelled.
    /// </summary>
    public Task ReleaseScheduled(IReadOnlyList<MessageRecord> due)
    {
        var now = _time.GetUtcNow();
        var inOutbox = _live.Outbox.Select(o => o.MessageId).ToHashSet();
        var released = due
            .Where(r => r.AccountId == AccountId && r.Status == MessageStatus.Scheduled && !_handingOff.Contains(r.MessageId)
                && !inOutbox.Contains(r.MessageId))
            .Select(r => r with { Status = MessageStatus.Queued, UpdatedAt = now })
            .ToList();
        if (released.Count == 0) return Task.CompletedTask;
        _live.Outbox.AddRange(released);
        HandOff(released);
        return Task.CompletedTask;
    }

    private static SendOutcome Accepted(MessageRecord record) =>
        new(TaifaStatus.Success, record.MessageId, record.RecipientId, record.MobileNumber, record.NetworkId, record.Cost, record.BalanceAfter);

    /// <summary>
    /// For a repeated send: each recipient an earlier attempt charged, found in the outbox (its write possibly still in
    /// flight) or in the ledger, or (accepted before the ledger kept messages) in its message record. Null entries were
    /// not charged.
    /// </summary>
    private async Task<(MessageRecord Record, bool AwaitingCommit)?[]> FindCharged(IReadOnlyList<long> messageIds)
    {
        var found = new (MessageRecord Record, bool AwaitingCommit)?[messageIds.Count];
        var outbox = _live.Outbox.ToDictionary(r => r.MessageId);
        var missing = new List<int>();
        for (var i = 0; i < messageIds.Count; i++)
        {
            if (outbox.TryGetValue(messageIds[i], out var pending)) found[i] = (pending, _awaitingCommit.Contains(pending.MessageId));
            else missing.Add(i);
        }

        if (missing.Count == 0) return found;
        var stored = (await _ledger.FindMessages([.. missing.Select(i => messageIds[i])])).ToDictionary(r => r.MessageId);
        foreach (var index in missing)
        {
            var record = stored.GetValueOrDefault(messageIds[index]) ?? await GrainFactory.GetGrain<IMessageGrain>(messageIds[index]).Get();
            if (record is not null && record.AccountId == AccountId) found[index] = (record, false);
        }

        return found;
    }

    /// <summary>
    /// A write storage refused charged nothing. Any other failed write may still have committed (a connection lost after
    /// COMMIT was sent), so the answer comes from what storage holds: a send it holds is accepted (the next activation hands it off), one it does not hold answers 1005.
    /// When storage cannot be read either, or holds only part of what this answer covers, nobody knows yet: the caller
    /// repeats the command, and the next activation answers from storage.
    /// </summary>
    private async Task<SendResult> AfterFailedWrite(Exception failure, List<MessageRecord> accepted, List<long> covered, SendOutcome[] outcomes)
    {
        if (_writeFailures.ProvablyNotWritten(failure) && covered.Count == accepted.Count) return new SendResult(TaifaStatus.DatabaseError, []);

        var stored = await ReadBackMessages(covered);
        if (stored is null) throw new SendUncertainException($"account {AccountId}: a write failed and storage could not be read back");
        var held = covered.Count(stored.Contains);
        if (held == 0) return new SendResult(TaifaStatus.DatabaseError, []);
        if (held < covered.Count) throw new SendUncertainException($"account {AccountId}: storage holds part of a repeated send");
        LogCommittedDespiteFailure(AccountId, held);

        // Safe to hand off now rather than when the account is next called (at least once: the next activation
        // hands off its stored outbox too).
        Durable(accepted);
        return new SendResult(TaifaStatus.Success, outcomes);
    }

    /// <summary>Which of these messages the ledger holds, after a failed commit; null when it cannot be read either.</summary>
    private async Task<HashSet<long>?> ReadBackMessages(List<long> messageIds)
    {
        try
        {
            return [.. (await _ledger.FindMessages(messageIds)).Where(r => r.AccountId == AccountId).Select(r => r.MessageId)];
        }
        catch (Exception exception)
        {
            LogReadBackFailed(exception, AccountId);
            return null;
        }
    }

    /// <summary>Reads the account's identity state back after a failed write; false when it cannot be read.</summary>
    private async Task<bool> ReadBack()
    {
        try
        {
            await _storage.ReadStateAsync();
            return true;
        }
        catch (Exception exception)
        {
            LogReadBackFailed(exception, AccountId);
            return false;
        }
    }

    public async Task<AdminResult> Credit(decimal amount)
    {
        if (!_live.IsOpen) return new AdminResult(AdminOutcome.NotFound);
        _unwrittenCredits.Add(new WalletCredit(LedgerEntryKind.Credit, Money.Round(amount), "admin:" + Guid.NewGuid().ToString("N")));
        await _commit.Commit();
        return new AdminResult(AdminOutcome.Ok, _live.ToView(AccountId));
    }

    /// <summary>
    /// Once per reference, ever: the ledger holds one top-up entry per account and reference, and the balance rises only
    /// by what a commit reports it applied. A repeat, concurrent or after a restart, answers once the commit covering it is durable.
    /// </summary>
    public async Task<TopUpOutcome> TopUp(string reference, decimal amount)
    {
        if (!_live.IsOpen) return TopUpOutcome.UnknownAccount;
        var first = _topUpsInFlight.TryAdd(reference, false);
        if (first) _unwrittenCredits.Add(new WalletCredit(LedgerEntryKind.TopUp, Money.Round(amount), reference));
        try
        {
            await _commit.Commit();
            return first && _topUpsInFlight[reference] ? TopUpOutcome.Credited : TopUpOutcome.Repeated;
        }
        finally
        {
            if (first) _topUpsInFlight.Remove(reference);
        }
    }

    public async Task<AdminResult> AddSenderId(string senderId)
    {
        if (!_live.IsOpen) return new AdminResult(AdminOutcome.NotFound);
        var normalized = AccountIndex.NormalizeSenderId(senderId);
        var index = GrainFactory.SenderId(normalized);
        var heldBefore = _live.SenderIds.Contains(normalized);
        var guarded = _addingSenderIds.Add(normalized);
        try
        {
            if (!await index.Claim(AccountId))
            {
                return new AdminResult(AdminOutcome.Conflict, Detail: $"sender ID {normalized} is registered to another account");
            }

            return await ReleaseUnlessDone(heldBefore ? [] : [new NameClaim(index, "sender ID " + normalized, saved => saved.SenderIds.Contains(normalized))], () => Change(() =>
            {
                if (!_live.SenderIds.Contains(normalized)) _live.SenderIds.Add(normalized);
                return null;
            }));
        }
        finally
        {
            if (guarded) _addingSenderIds.Remove(normalized);
        }
    }

    /// <summary>
    /// Writes the account first, then releases the index entry: the account never lists a sender ID it does not hold.
    /// When the release failed after the write, the name is still held for this account alone; removing it again
    /// (answered 404, as the account no longer lists it) finishes the release.
    /// </summary>

    public async Task<AdminResult> RemoveSenderId(string senderId)
    {
        var normalized = AccountIndex.NormalizeSenderId(senderId);
        if (!_live.IsOpen) return new AdminResult(AdminOutcome.NotFound);
        if (!_live.SenderIds.Contains(normalized))
        {
            if (!_addingSenderIds.Contains(normalized)) await GrainFactory.SenderId(normalized).Release(AccountId);
            return new AdminResult(AdminOutcome.NotFound);
        }

        var result = await Change(() =>
        {
            _live.SenderIds.Remove(normalized);
            return null;
        });
        if (result.Outcome == AdminOutcome.Ok) await GrainFactory.SenderId(normalized).Release(AccountId);
        return result;
    }

    public async Task<AdminResult> SetStatus(AccountStatus status)
    {
        var result = await Change(() =>
        {
            _live.Status = status;
            return null;
        });
        if (result.Outcome == AdminOutcome.Ok && status == AccountStatus.Suspended) await UnbindSmppSessions("account suspended");
        return result;
    }

    public async Task<AdminResult> ReplaceApiKey(string apiKeyDigest)
    {
        if (!_live.IsOpen) return new AdminResult(AdminOutcome.NotFound);
        var key = GrainFactory.ApiKey(apiKeyDigest);
        if (!await key.Claim(AccountId)) return new AdminResult(AdminOutcome.Conflict, Detail: "API key collision");
        var previous = _live.ApiKeyDigest;
        // The same key again (the demo account at every start) is already this account's: releasing "the previous"
        // one would release it.
        var replaced = previous != apiKeyDigest;
        var result = await ReleaseUnlessDone(replaced ? [new NameClaim(key, "API key", saved => saved.ApiKeyDigest == apiKeyDigest)] : [], () => Change(() =>
        {
            _live.ApiKeyDigest = apiKeyDigest;
            return null;
        }));
        if (result.Outcome == AdminOutcome.Ok && replaced && previous is not null) await ReleaseClaims([new NameClaim(GrainFactory.ApiKey(previous), "previous API key")]);
        return result;
    }

    public async Task<TaifaStatus> SetSmppCredentials(string? apiKeyDigest, IPAddress? source, string username, string password)
    {
        var authorization = apiKeyDigest is null ? AuthorizeBoundSession() : Authorize(apiKeyDigest, source);
        if (authorization != TaifaStatus.Success) return authorization;
        var index = GrainFactory.SmppUsername(username);
        if (!await index.Claim(AccountId)) return TaifaStatus.SmppUsernameTaken;

        var previous = _live.SmppUsername;
        var previousHash = _live.SmppPasswordHash;
        _live.SmppUsername = username;
        _live.SmppPasswordHash = SmppPasswordHash.Hash(password);
        try
        {
            await CommitState();
        }
        catch (Exception exception)
        {
            LogWriteFailed(exception, AccountId);
            _live.SmppUsername = previous;
            _live.SmppPasswordHash = previousHash;
            if (previous != username) await ReleaseUnlessSaved([new NameClaim(index, "SMPP username", saved => saved.SmppUsername == username)]);
            return TaifaStatus.DatabaseError;
        }

        if (previous is not null && previous != username) await ReleaseClaims([new NameClaim(GrainFactory.SmppUsername(previous), "previous SMPP username")]);
        await UnbindSmppSessions("SMPP credentials changed");
        return TaifaStatus.Success;
    }

    /// <summary>Runs an admin change that needed the given names claimed, and releases them unless it was made.</summary>
    private async Task<AdminResult> ReleaseUnlessDone(List<NameClaim> claimed, Func<Task<AdminResult>> change)
    {
        AdminResult result;
        try
        {
            result = await change();
        }
        catch
        {
            await ReleaseUnlessSaved(claimed);
            throw;
        }

        if (result.Outcome != AdminOutcome.Ok) await ReleaseClaims(claimed);
        return result;
    }

    /// <summary>
    /// Gives back names this account claimed but does not (or no longer) list. A release that fails leaves the name
    /// claimable by nobody, never by two accounts; it is logged so an operator can release it.
    /// </summary>
    private async Task ReleaseClaims(List<NameClaim> claimed)
    {
        foreach (var claim in claimed)
        {
            try
            {
                await claim.Index.Release(AccountId);
            }
            catch (Exception exception)
            {
                LogReleaseFailed(exception, AccountId, claim.What);
            }
        }
    }

    /// <summary>
    /// After a failed write. It may still have reached storage (an answer lost after the commit), so a name is given
    /// back only once storage shows the change it was claimed for is not there (the read-back a failed send uses too;
    /// after it the persistent state holds what storage holds). Reading is safe: after a failed write this activation
    /// writes no more (the group commit's failure is final) and is being discarded. Were the failure not final, the
    /// next write would save the live change after all, and the claims must stay.
    /// </summary>
    private async Task ReleaseUnlessSaved(List<NameClaim> claimed)
    {
        if (claimed.Count == 0 || !_commit.Failed) return;
        _readBack ??= ReadBack();
        if (!await _readBack)
        {
            foreach (var claim in claimed) LogReleaseFailed(null, AccountId, claim.What);
            return;
        }

        await ReleaseClaims(claimed.Where(claim => claim.IsSavedIn?.Invoke(_storage.State) != true).ToList());
    }

    /// <summary>A name claimed in the index for a change to this account, and how a saved state shows the change was saved.</summary>
    private readonly record struct NameClaim(IAccountIndexGrain Index, string What, Func<AccountState, bool>? IsSavedIn = null);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: releasing its claim on {What} failed; no account can claim it until it is released")]
    private partial void LogReleaseFailed(Exception? exception, long accountId, string what);

    public Task<TaifaStatus> CheckSmppPassword(string username, string password, IPAddress? source)
    {
        if (!_live.IsOpen || _live.SmppUsername != username) return Task.FromResult(TaifaStatus.InvalidSmppCredentials);
        if (!_allowList.Allows(source)) return Task.FromResult(RefuseAddress(source, "SMPP bind"));
        if (!_smppPasswords.Verify(password, _live.SmppPasswordHash)) return Task.FromResult(TaifaStatus.InvalidSmppCredentials);
        return Task.FromResult(_live.Status == AccountStatus.Suspended ? TaifaStatus.AccountSuspended : TaifaStatus.Success);
    }

    public async Task<AdminResult> SetAllowedAddresses(IReadOnlyList<string> entries)
    {
        if (!AddressAllowList.TryParse(entries, out var allowList, out var problem)) return new AdminResult(AdminOutcome.Invalid, Detail: problem);
        var result = await Change(() =>
        {
            _live.AllowedAddresses = [.. allowList.Entries];
            _allowList = allowList;
            return null;
        });
        if (result.Outcome == AdminOutcome.Ok && allowList.IsRestricted) await UnbindSmppSessions("IP allow-list changed");
        return result;
    }

    public Task<AdminResult> SetPrices(decimal defaultPrice, IReadOnlyDictionary<int, decimal> networkPrices) => Change(() =>
    {
        _live.PricePerSms = Money.Round(defaultPrice);
        _live.NetworkPrices = networkPrices.ToDictionary(p => p.Key, p => Money.Round(p.Value));
        return null;
    });

    public Task<PriceQuote> QuotePrice(string apiKeyDigest, IPAddress? source, int networkId)
    {
        var authorization = Authorize(apiKeyDigest, source);
        return Task.FromResult(new PriceQuote(authorization, authorization == TaifaStatus.Success ? _live.PriceFor(networkId) : 0m));
    }

    public async Task<MessageLookup> FindMessage(string? apiKeyDigest, IPAddress? source, long messageId)
    {
        var authorization = apiKeyDigest is null ? AuthorizeBoundSession() : Authorize(apiKeyDigest, source);
        if (authorization != TaifaStatus.Success) return new MessageLookup(authorization, null);

        var pending = _live.Outbox.Find(m => m.MessageId == messageId);
        if (pending is not null) return new MessageLookup(TaifaStatus.Success, pending);

        return await OwnMessage(messageId) is { } record
            ? new MessageLookup(TaifaStatus.Success, record)
            : new MessageLookup(TaifaStatus.UnknownMessageId, null);
    }

    public async Task<MessageLookup> CancelMessage(string? apiKeyDigest, IPAddress? source, long messageId)
    {
        var authorization = apiKeyDigest is null ? AuthorizeBoundSession() : Authorize(apiKeyDigest, source);
        if (authorization != TaifaStatus.Success) return new MessageLookup(authorization, null);
        if (_awaitingCommit.Contains(messageId)) return new MessageLookup(TaifaStatus.UnknownMessageId, null);

        var message = GrainFactory.GetGrain<IMessageGrain>(messageId);

        // Still in the outbox, or scheduled (only the ledger has it): its record is made now (the hand-off's own
        // Record is then a no-op), so the dispatcher that later takes it finds it settled.
        var scheduled = false;
        if (_live.Outbox.Find(m => m.MessageId == messageId) is { } pending) await message.Record(pending);
        else if (await OwnMessage(messageId) is not { } own) return new MessageLookup(TaifaStatus.UnknownMessageId, null);
        else if (own.Status == MessageStatus.Scheduled)
        {
            scheduled = true;
            await message.Record(own);
        }

        var outcome = await message.Cancel();
        var record = await message.Get();

        // The ledger's row stops waiting for its time, so it is not given back; if this write is lost, the hand-off
        // finds the message cancelled and drops it.
        if (outcome == CancelOutcome.Cancelled && scheduled) await _ledger.CancelScheduled([messageId], record?.DoneAt ?? _time.GetUtcNow());
        return outcome switch
        {
            CancelOutcome.Cancelled => new MessageLookup(TaifaStatus.Success, record),
            CancelOutcome.TooLate => new MessageLookup(TaifaStatus.MessageNotCancellable, record),
            _ => new MessageLookup(TaifaStatus.UnknownMessageId, null),
        };
    }

    /// <summary>
    /// The message as its ledger row holds it, read by primary key (the row is written before the message's record, so
    /// it is never behind it). A row still queued may be one from before the ledger kept statuses, and a message accepted
    /// before the ledger kept messages has no row: for those the record answers.
    /// </summary>
    private async Task<MessageRecord?> OwnMessage(long messageId)
    {
        var record = (await _ledger.FindMessages([messageId])).SingleOrDefault();
        if (record is null or { Status: MessageStatus.Queued })
        {
            record = await GrainFactory.GetGrain<IMessageGrain>(messageId).Get() ?? record;
        }

        return record is not null && record.AccountId == AccountId ? record : null;
    }

    /// <summary>
    /// Credits a message's refund once ever: the ledger holds one refund entry per message, and the balance rises only
    /// by what a commit reports it applied. Also for a repeat, answers only once the commit covering it is durable.
    /// </summary>
    public async Task Refund(long messageId, decimal amount)
    {
        if (!_live.IsOpen) return;
        _unwrittenRefunds.TryAdd(messageId, Money.Round(amount));
        await _commit.Commit();
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => SweepOutbox(CancellationToken.None);

    private TaifaStatus Authorize(string apiKeyDigest, IPAddress? source)
    {
        if (!_live.IsOpen || !ApiKeys.DigestsEqual(_live.ApiKeyDigest, apiKeyDigest)) return TaifaStatus.InvalidApiKey;
        if (!_allowList.Allows(source)) return RefuseAddress(source, "REST call");
        return _live.Status == AccountStatus.Suspended ? TaifaStatus.AccountSuspended : TaifaStatus.Success;
    }

    private TaifaStatus RefuseAddress(IPAddress? source, string what)
    {
        LogAddressRefused(AccountId, what, source?.ToString() ?? "unknown");
        return TaifaStatus.AddressNotAllowed;
    }

    private TaifaStatus AuthorizeBoundSession()
    {
        if (!_live.IsOpen) return TaifaStatus.InvalidApiKey;
        return _live.Status == AccountStatus.Suspended ? TaifaStatus.AccountSuspended : TaifaStatus.Success;
    }

    /// <summary>Live SMPP sessions authenticated with the old credentials or status must not outlive the change.</summary>
    private async Task UnbindSmppSessions(string reason)
    {
        try
        {
            await GrainFactory.GetGrain<ISmppBindRegistryGrain>(AccountId).UnbindAll(reason);
        }
        catch (Exception exception)
        {
            LogUnbindFailed(exception, AccountId);
        }
    }

    /// <summary>Applies an admin change to the live state and makes it durable.</summary>
    private async Task<AdminResult> Change(Func<string?> mutate)
    {
        if (!_live.IsOpen) return new AdminResult(AdminOutcome.NotFound);
        var problem = mutate();
        if (problem is not null) return new AdminResult(AdminOutcome.Invalid, Detail: problem);
        await CommitState();
        return new AdminResult(AdminOutcome.Ok, _live.ToView(AccountId));
    }

    /// <summary>An identity change (not money): the next write saves the account's state too.</summary>
    private Task CommitState()
    {
        _stateDirty = true;
        return _commit.Commit();
    }

    /// <summary>
    /// One round of the group commit: the account's identity state if it changed, then, in one ledger transaction,
    /// every message, credit and refund since the last round (and the wallet itself, the first time).
    /// </summary>
    private async Task Write()
    {
        try
        {
            if (_stateDirty)
            {
                _stateDirty = false;
                _storage.State = _live.Snapshot();
                await _storage.WriteStateAsync();
                PostLowBalanceSoon();
            }

            if (_live.IsOpen && (_walletVersion == 0 || _unwrittenMessages.Count + _unwrittenCredits.Count + _unwrittenRefunds.Count > 0))
            {
                await WriteLedger();

                // The balance the ledger now holds fired or re-armed the alert: the next round writes that.
                if (CheckLowBalance())
                {
                    _stateDirty = true;
                    _commit.Commit().Ignore();
                }
            }
        }
        catch
        {
            // The live state now holds changes storage may never have seen: reload from storage on next call.
            DeactivateOnIdle();
            throw;
        }
    }

    private async Task WriteLedger()
    {
        var commit = new WalletCommit(AccountId, Guid.NewGuid(), _walletVersion, _time.GetUtcNow(), _unwrittenMessages, _unwrittenCredits,
            [.. _unwrittenRefunds.Select(r => new RefundDue(r.Key, r.Value))])
        {
            OpeningBalance = _walletVersion == 0 ? _openingBalance : 0m,
        };
        _unwrittenMessages = [];
        _unwrittenCredits = [];
        _unwrittenRefunds = [];
        var outcome = await _ledger.Commit(commit);
        _walletVersion = outcome.Wallet.Version;
        foreach (var credit in outcome.AppliedCredits)
        {
            _live.Balance = Money.Round(_live.Balance + credit.Amount);
            if (credit.Kind == LedgerEntryKind.TopUp && _topUpsInFlight.ContainsKey(credit.Reference)) _topUpsInFlight[credit.Reference] = true;
        }

        foreach (var refund in commit.Refunds.Where(r => outcome.AppliedRefunds.Contains(r.MessageId)))
        {
            _live.Balance = Money.Round(_live.Balance + refund.Amount);
            LogRefunded(AccountId, refund.MessageId, refund.Amount);
            TaifaMetrics.Refunded(refund.Amount);
        }
    }

    /// <summary>
    /// Queues accepted messages for their records and their operator's dispatch stream. One hand-off runs at a time
    /// and takes everything queued meanwhile, so under load each round covers many sends: one batched records write
    /// and one stream event per operator shard, instead of one of each per message. At least once: the message
    /// grain ignores a repeated record and the dispatcher skips a message already settled.
    /// </summary>
    private void HandOff(List<MessageRecord> records)
    {
        foreach (var record in records)
        {
            if (_handingOff.Add(record.MessageId)) _handOffQueue.Add(record);
        }

        if (_handOffQueue.Count > 0 && !_handOffRunning && !_deactivating) _handOff = HandOffLoop();
    }

    private async Task HandOffLoop()
    {
        _handOffRunning = true;
        try
        {
            while (_handOffQueue.Count > 0 && !_deactivating)
            {
                var round = _handOffQueue.Count <= HandOffRoundSize ? _handOffQueue : _handOffQueue.GetRange(0, HandOffRoundSize);
                _handOffQueue = round == _handOffQueue ? [] : _handOffQueue.GetRange(HandOffRoundSize, _handOffQueue.Count - HandOffRoundSize);
                if (!await HandOffRound(round))
                {
                    // Whatever is still queued waits for the sweep too (the outbox still holds it).
                    foreach (var record in _handOffQueue) _handingOff.Remove(record.MessageId);
                    _handOffQueue = [];
                }
            }
        }
        finally
        {
            _handOffRunning = false;
        }
    }

    private async Task<bool> HandOffRound(List<MessageRecord> records)
    {
        try
        {
            // Bounded, so a large round cannot take every database connection at once.
            foreach (var chunk in records.Chunk(HandoffConcurrency))
            {
                await Task.WhenAll(chunk.Select(r => GrainFactory.GetGrain<IMessageGrain>(r.MessageId).Record(r)));
            }

            var shards = records.GroupBy(r => _routes.StreamKeyFor(r.NetworkId, r.MessageId)).ToList();

            // With no operator at all the gateway has nowhere to send: those messages stay in the outbox, queued, and
            // go out once an operator is configured (the host warns at start-up).
            var waiting = _routes.Operators.Any() ? null : shards.Find(s => s.Key is null);
            await Task.WhenAll(shards.Where(s => s != waiting).Select(Publish));
            var done = records.Select(r => r.MessageId).Except(waiting?.Select(r => r.MessageId) ?? []).ToHashSet();
            await _ledger.MarkHandedOff([.. done]);
            _live.Outbox.RemoveAll(r => done.Contains(r.MessageId));
            return true;
        }
        catch (Exception exception)
        {
            // Record writes and stream publishes fail only with the cluster or its storage: the reason is enough, every 2 s.
            LogHandoffFailed(AccountId, records.Count, exception.GetType().Name, exception.Message.Split('\n', 2)[0].TrimEnd());
            return false;
        }
        finally
        {
            foreach (var record in records) _handingOff.Remove(record.MessageId);
        }
    }

    private Task Publish(IGrouping<string?, MessageRecord> shard)
    {
        if (shard.Key is null)
        {
            return Task.WhenAll(shard.Select(r => GrainFactory.GetGrain<IMessageGrain>(r.MessageId).Abandon(MessageStatus.Failed, "no route")));
        }

        return this.GetStreamProvider(DispatchStreams.Provider)
            .GetStream<DispatchBatch>(StreamId.Create(DispatchStreams.Namespace, shard.Key))
            .OnNextAsync(new DispatchBatch([.. shard]));
    }

    private Task SweepOutbox(CancellationToken cancellationToken)
    {
        if (!_commit.Failed && _live.Outbox.Count > 0) HandOff([.. _live.Outbox.Where(r => !_awaitingCommit.Contains(r.MessageId))]);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId} opened for {AccountName}")]
    private partial void LogOpened(long accountId, string accountName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId}: refunded {Amount} for message {MessageId}")]
    private partial void LogRefunded(long accountId, long messageId, decimal amount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: {Attempt} from {RemoteAddress} refused, outside its IP allow-list")]
    private partial void LogAddressRefused(long accountId, string attempt, string remoteAddress);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: could not unbind its live SMPP sessions")]
    private partial void LogUnbindFailed(Exception exception, long accountId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Account {AccountId}: durable write failed; the activation will be discarded and reloaded")]
    private partial void LogWriteFailed(Exception exception, long accountId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: the failed write had committed {Count} accepted messages after all; answered as accepted")]
    private partial void LogCommittedDespiteFailure(long accountId, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Account {AccountId}: reading storage back after a failed write failed too; the caller repeats the send")]
    private partial void LogReadBackFailed(Exception exception, long accountId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: handing {Count} accepted messages to their records failed ({Error}: {Reason}); will retry")]
    private partial void LogHandoffFailed(long accountId, int count, string error, string reason);
}
