using Orleans.Concurrency;
using Taifa.Abstractions.Messages;

namespace Taifa.Abstractions.Smpp;

public enum SmppBindType
{
    Transmitter = 0,
    Receiver = 1,
    Transceiver = 2,
}

/// <summary>One live SMPP session of an account, as the registry knows it: where it is bound and what it may receive.</summary>
[GenerateSerializer, Immutable, Alias("taifa.smpp-binding.v1")]
public sealed record SmppBinding(
    [property: Id(0)] Guid SessionId,
    [property: Id(1)] SmppBindType BindType,
    [property: Id(2)] string Silo,
    [property: Id(3)] ISmppSessionHost Host);

/// <summary>
/// A delivery receipt for a message an SMPP customer submitted, to be sent to one of its receiving sessions; or, with
/// <see cref="MobileOriginated"/>, an inbound message (MessageId is its inbound id, from MobileNumber to the account's
/// number in SenderId, received at DoneAt), which travels the same outbox and windows as a plain deliver_sm.
/// </summary>
[GenerateSerializer, Immutable, Alias("taifa.smpp-receipt.v1")]
public sealed record SmppReceipt(
    [property: Id(0)] long MessageId,
    [property: Id(1)] string MobileNumber,
    [property: Id(2)] string SenderId,
    [property: Id(3)] MessageStatus Status,
    [property: Id(4)] DateTimeOffset SubmittedAt,
    [property: Id(5)] DateTimeOffset DoneAt,
    [property: Id(6)] string? ErrorCode,
    [property: Id(7)] string Text,
    [property: Id(8)] bool MobileOriginated = false);

/// <summary>
/// The live SMPP sessions of one account across the cluster (key: account id). In memory only: every silo renews its
/// sessions periodically (<see cref="Renew"/>), so a registry that was lost with its silo is rebuilt within one renewal
/// period, and the entries of a silo that died expire after a few missed renewals.
/// </summary>
[Alias("taifa.ISmppBindRegistryGrain")]
public interface ISmppBindRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Takes a bind slot; false when the account already holds <paramref name="maxBinds"/> live sessions.</summary>
    [Alias("TryBind")]
    Task<bool> TryBind(SmppBinding binding, int maxBinds);

    /// <summary>Frees the slot of a session that unbound or disconnected.</summary>
    [Alias("Unbound")]
    Task Unbound(Guid sessionId);

    /// <summary>Confirms that these sessions of one silo are still alive (re-adding them if the registry lost them).</summary>
    [Alias("Renew")]
    Task Renew(IReadOnlyList<SmppBinding> bindings);

    /// <summary>Unbinds every live session of the account on every silo: its SMPP credentials changed or it was suspended.</summary>
    [Alias("UnbindAll")]
    Task UnbindAll(string reason);

    /// <summary>
    /// The account's receiver and transceiver sessions, wherever they are bound, in round-robin order (each call starts
    /// one further on). The registry only chooses: delivery goes through the sessions' own windows.
    /// </summary>
    [Alias("Receivers")]
    Task<IReadOnlyList<SmppBinding>> Receivers();

    [Alias("Bindings")]
    Task<IReadOnlyList<SmppBinding>> Bindings();
}

/// <summary>The SMPP listener of one silo, called by the registries (a grain observer).</summary>
[Alias("taifa.ISmppSessionHost")]
public interface ISmppSessionHost : IGrainObserver
{
    /// <summary>Sends unbind to each of the account's sessions on this silo and closes them.</summary>
    [Alias("UnbindAccount"), OneWay]
    Task UnbindAccount(long accountId, string reason);

    /// <summary>
    /// Queues as many of the receipts as deliver_sm as the session's window has room for, in order, without waiting for
    /// the customer's answers (the session reports each to the account's <see cref="ISmppReceiptOutboxGrain"/>).
    /// </summary>
    [Alias("DeliverReceipts")]
    Task<ReceiptHandoff> DeliverReceipts(Guid sessionId, IReadOnlyList<SmppReceipt> receipts);
}

/// <summary>What a session took of a batch of receipts: <see cref="Taken"/> of them, the first ones; a session that is
/// gone or cannot receive takes none (<see cref="Receiving"/> false). A full window is Receiving with fewer taken.</summary>
[GenerateSerializer, Immutable, Alias("taifa.receipt-handoff.v1")]
public sealed record ReceiptHandoff([property: Id(0)] bool Receiving, [property: Id(1)] int Taken);

/// <summary>How often a silo renews its sessions in the registries, and when an unrenewed entry counts as dead.</summary>
public static class SmppBindLease
{
    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(100);
}
