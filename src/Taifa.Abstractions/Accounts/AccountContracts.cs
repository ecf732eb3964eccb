using System.Net;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Text;

namespace Taifa.Abstractions.Accounts;

public enum AdminOutcome
{
    Ok = 0,
    NotFound = 1,
    Conflict = 2,
    Invalid = 3,
}

/// <summary>What a top-up did: credited now, already credited before (same reference), or no open account.</summary>
public enum TopUpOutcome
{
    Credited = 0,
    Repeated = 1,
    UnknownAccount = 2,
}

/// <summary>A customer's low-balance alert: one POST to <paramref name="Url"/> when the balance falls below <paramref name="Threshold"/>.</summary>
[GenerateSerializer, Immutable, Alias("taifa.low-balance-alert.v1")]
public sealed record LowBalanceAlert(
    [property: Id(0)] decimal Threshold,
    [property: Id(1)] string Url);

[GenerateSerializer, Immutable, Alias("taifa.account-view.v1")]
public sealed record AccountView(
    [property: Id(0)] long AccountId,
    [property: Id(1)] string Name,
    [property: Id(2)] AccountStatus Status,
    [property: Id(3)] decimal CreditBalance,
    [property: Id(4)] decimal PricePerSms,
    [property: Id(5)] IReadOnlyList<string> SenderIds,
    [property: Id(6)] string? SmppUsername,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] IReadOnlyList<string> AllowedAddresses)
{
    /// <summary>The rate card: price per part by network_id; other networks pay <see cref="PricePerSms"/> (its default).</summary>
    [Id(9)] public IReadOnlyDictionary<int, decimal> NetworkPrices { get; init; } = new Dictionary<int, decimal>();
}

[GenerateSerializer, Immutable, Alias("taifa.open-account.v1")]
public sealed record OpenAccount(
    [property: Id(0)] string Name,
    [property: Id(1)] decimal CreditBalance,
    [property: Id(2)] decimal PricePerSms,
    [property: Id(3)] IReadOnlyList<string> SenderIds,
    [property: Id(4)] string ApiKeyDigest);

[GenerateSerializer, Immutable, Alias("taifa.admin-result.v1")]
public sealed record AdminResult(
    [property: Id(0)] AdminOutcome Outcome,
    [property: Id(1)] AccountView? Account = null,
    [property: Id(2)] string? Detail = null);

/// <summary>The outcome of checking a caller's API key against the account, with the balance it sees.</summary>
[GenerateSerializer, Immutable, Alias("taifa.key-check.v1")]
public sealed record KeyCheck(
    [property: Id(0)] TaifaStatus Status,
    [property: Id(1)] decimal CreditBalance);

/// <summary>One destination of a send, already parsed by the caller: MobileNumber is null when the input was not a valid number.</summary>
[GenerateSerializer, Immutable, Alias("taifa.send-recipient.v1")]
public sealed record SendRecipient(
    [property: Id(0)] string? MobileNumber,
    [property: Id(1)] int NetworkId);

[GenerateSerializer, Immutable, Alias("taifa.send-command.v1")]
public sealed record SendCommand
{
    /// <summary>SHA-256 of the caller's API key (hex) for REST; null when the caller authenticated by an SMPP bind.</summary>
    [Id(0)] public string? ApiKeyDigest { get; init; }
    [Id(1)] public required string SenderId { get; init; }
    [Id(2)] public required string Text { get; init; }
    [Id(3)] public required SmsEncoding Encoding { get; init; }
    [Id(4)] public required int Parts { get; init; }
    [Id(5)] public string? ServiceId { get; init; }
    [Id(6)] public required MessageChannel Channel { get; init; }
    [Id(7)] public required IReadOnlyList<SendRecipient> Recipients { get; init; }
    [Id(8)] public bool RegisteredDelivery { get; init; }
    [Id(9)] public string? DlrUrl { get; init; }
    [Id(10)] public SegmentInfo? Segment { get; init; }

    /// <summary>The REST caller's address, checked against the account's allow-list (SMPP sessions were checked at bind).</summary>
    [Id(11)] public IPAddress? Source { get; init; }

    /// <summary>
    /// The message id of each recipient, in order, chosen by the intake before the first attempt: the operation's
    /// identity. A repeat of the same command (<see cref="Retry"/>) finds what an earlier attempt charged by these ids
    /// and answers it again instead of charging twice. Empty: the account chooses the ids.
    /// </summary>
    [Id(12)] public IReadOnlyList<long> MessageIds { get; init; } = [];

    /// <summary>An earlier attempt of this command may have been charged (its answer was lost).</summary>
    [Id(13)] public bool Retry { get; init; }

    /// <summary>Hand the messages to their operators at this time, not at once (checked by <see cref="Messages.SendSchedule"/>).</summary>
    [Id(14)] public DateTimeOffset? SendAt { get; init; }

    /// <summary>When the messages expire if no operator took them; null: <c>Taifa:Dispatch:DefaultValidity</c> after they are due.</summary>
    [Id(15)] public DateTimeOffset? ExpiresAt { get; init; }
}

[GenerateSerializer, Immutable, Alias("taifa.send-outcome.v1")]
public sealed record SendOutcome(
    [property: Id(0)] TaifaStatus Status,
    [property: Id(1)] long MessageId,
    [property: Id(2)] long RecipientId,
    [property: Id(3)] string? MobileNumber,
    [property: Id(4)] int NetworkId,
    [property: Id(5)] decimal Cost,
    [property: Id(6)] decimal CreditBalance);

/// <summary>Either a request-level failure (Status != Success, no outcomes) or one outcome per recipient, in order.</summary>
[GenerateSerializer, Immutable, Alias("taifa.send-result.v1")]
public sealed record SendResult(
    [property: Id(0)] TaifaStatus Status,
    [property: Id(1)] IReadOnlyList<SendOutcome> Outcomes);

/// <summary>The price per part the account pays to one network (valid only with Status Success).</summary>
[GenerateSerializer, Immutable, Alias("taifa.price-quote.v1")]
public sealed record PriceQuote(
    [property: Id(0)] TaifaStatus Status,
    [property: Id(1)] decimal PricePerPart);

[GenerateSerializer, Immutable, Alias("taifa.message-lookup.v1")]
public sealed record MessageLookup(
    [property: Id(0)] TaifaStatus Status,
    [property: Id(1)] MessageRecord? Message);
