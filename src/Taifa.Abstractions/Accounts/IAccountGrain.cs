using System.Net;

namespace Taifa.Abstractions.Accounts;

/// <summary>
/// Owns one customer account: name, status, wallet, rate card, sender IDs, SMPP credentials, IP allow-list,
/// and the accepted messages not yet handed to their message records.
/// </summary>
[Alias("taifa.IAccountGrain")]
public interface IAccountGrain : IGrainWithIntegerKey
{
    /// <summary>How long a caller waits for one attempt of <see cref="Send"/>.</summary>
    public const string SendTimeout = "00:02:00";

    [Alias("Open")]
    Task<AdminResult> Open(OpenAccount request);

    [Alias("View")]
    Task<AccountView?> View();

    [Alias("CheckKey")]
    Task<KeyCheck> CheckKey(string apiKeyDigest, IPAddress? source);

    /// <summary>
    /// Checks, charges and accepts. Answered only once the debit is durable; an outcome it cannot establish throws
    /// <see cref="SendUncertainException"/>. The timeout outlives the storage writes a send may wait for (see
    /// <c>OrleansHosting</c>), so a slow database ends in a definite answer rather than a lost one.
    /// </summary>
    [Alias("Send")]
    [ResponseTimeout(SendTimeout)]
    Task<SendResult> Send(SendCommand command);

    [Alias("Credit")]
    Task<AdminResult> Credit(decimal amount);

    /// <summary>Credits a payment (an M-Pesa transaction) once per <paramref name="reference"/>, ever; a repeat changes nothing.</summary>
    [Alias("TopUp")]
    Task<TopUpOutcome> TopUp(string reference, decimal amount);

    /// <summary>Sets (null: removes) the low-balance alert, armed: a balance already below the threshold fires it at once.</summary>
    [Alias("SetLowBalanceAlert")]
    Task<AdminResult> SetLowBalanceAlert(LowBalanceAlert? alert);

    [Alias("AddSenderId")]
    Task<AdminResult> AddSenderId(string senderId);

    [Alias("RemoveSenderId")]
    Task<AdminResult> RemoveSenderId(string senderId);

    [Alias("SetStatus")]
    Task<AdminResult> SetStatus(AccountStatus status);

    [Alias("ReplaceApiKey")]
    Task<AdminResult> ReplaceApiKey(string apiKeyDigest);

    /// <param name="apiKeyDigest">The REST caller's key; null for a caller the silo authenticated otherwise (a portal session).</param>
    [Alias("SetSmppCredentials")]
    Task<TaifaStatus> SetSmppCredentials(string? apiKeyDigest, IPAddress? source, string username, string password);

    /// <summary>
    /// Checks an SMPP bind: AddressNotAllowed (the source is outside the allow-list; the password is not tried),
    /// InvalidSmppCredentials, AccountSuspended or Success.
    /// </summary>
    [Alias("CheckSmppPassword")]
    Task<TaifaStatus> CheckSmppPassword(string username, string password, IPAddress? source);

    /// <summary>Replaces the IP allow-list (canonical CIDR entries; empty clears it) and unbinds the account's SMPP sessions.</summary>
    [Alias("SetAllowedAddresses")]
    Task<AdminResult> SetAllowedAddresses(IReadOnlyList<string> entries);

    /// <summary>Returns a message's cost to the wallet; applied at most once per message id.</summary>
    [Alias("Refund")]
    Task Refund(long messageId, decimal amount);

    /// <summary>
    /// Puts a normalised mobile number on the account's opt-out list (stored, then honoured by every later send;
    /// a number already there keeps its first entry). The caller has authorized the request.
    /// </summary>
    [Alias("AddOptOut")]
    Task AddOptOut(string mobileNumber, Inbound.OptOutSource source);

    /// <summary>Takes a number off the opt-out list; false when it was not on it.</summary>
    [Alias("RemoveOptOut")]
    Task<bool> RemoveOptOut(string mobileNumber);

    /// <summary>
    /// Replaces the rate card: <paramref name="defaultPrice"/> per part for every network not in
    /// <paramref name="networkPrices"/> (empty: one price for all, as without a rate card). Sends accepted afterwards pay it.
    /// </summary>
    [Alias("SetPrices")]
    Task<AdminResult> SetPrices(decimal defaultPrice, IReadOnlyDictionary<int, decimal> networkPrices);

    /// <summary>The price per part a send to <paramref name="networkId"/> would pay now, for the REST caller with this key.</summary>
    [Alias("QuotePrice")]
    Task<PriceQuote> QuotePrice(string apiKeyDigest, IPAddress? source, int networkId);

    /// <param name="apiKeyDigest">The REST caller's key; null for a caller the silo authenticated otherwise (an SMPP session).</param>
    [Alias("FindMessage")]
    Task<MessageLookup> FindMessage(string? apiKeyDigest, IPAddress? source, long messageId);

    /// <summary>
    /// Cancels one of the account's messages that has not begun its way to an operator (see
    /// <see cref="Messages.IMessageGrain.Cancel"/>): Success with the cancelled message, MessageNotCancellable with its
    /// current state, or UnknownMessageId (another account's id answers the same).
    /// </summary>
    /// <param name="apiKeyDigest">As for <see cref="FindMessage"/>.</param>
    [Alias("CancelMessage")]
    Task<MessageLookup> CancelMessage(string? apiKeyDigest, IPAddress? source, long messageId);

    /// <summary>Scheduled messages of this account whose time has come: queued and handed to their operators (at least once).</summary>
    [Alias("ReleaseScheduled")]
    Task ReleaseScheduled(IReadOnlyList<Messages.MessageRecord> due);
}
