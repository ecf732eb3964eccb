using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Messages;

namespace Taifa.Grains.Accounts;

[GenerateSerializer, Alias("taifa.account-state.v1")]
public sealed class AccountState
{
    [Id(0)] public bool IsOpen { get; set; }
    [Id(1)] public string Name { get; set; } = "";
    [Id(2)] public AccountStatus Status { get; set; }
    /// <summary>The balance the wallet opens with (stored before the ledger: the balance); after that the ledger's wallet holds it.</summary>
    [Id(3)] public decimal Balance { get; set; }
    [Id(4)] public decimal PricePerSms { get; set; }
    [Id(5)] public List<string> SenderIds { get; set; } = [];
    [Id(6)] public string? ApiKeyDigest { get; set; }
    [Id(7)] public string? SmppUsername { get; set; }
    [Id(8)] public string? SmppPasswordHash { get; set; }
    [Id(9)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Stored before the ledger kept messages: accepted messages whose own record was not yet written. Read once, into
    /// the ledger, when such an account is activated (<c>AccountGrain.Upgrade</c>); in memory, the messages committed
    /// but not yet handed off. Never written with anything in it any more.
    /// </summary>
    [Id(10)] public List<MessageRecord> Outbox { get; set; } = [];

    /// <summary>Stored before the ledger kept money: message ids refunded recently. Moved into the ledger on upgrade.</summary>
    [Id(11)] public Dictionary<long, DateTimeOffset> Refunds { get; set; } = [];

    /// <summary>The IP allow-list in canonical CIDR form; empty: every address.</summary>
    [Id(12)] public List<string> AllowedAddresses { get; set; } = [];

    /// <summary>The customer's low-balance alert, if any (POST /v2/sms/alerts).</summary>
    [Id(13)] public LowBalanceAlert? LowBalanceAlert { get; set; }

    /// <summary>The balance is below the alert's threshold and the alert has fired; it re-arms once the balance is above it.</summary>
    [Id(14)] public bool LowBalanceFired { get; set; }

    /// <summary>The alert POST still owed to the customer (kept until it is answered 2xx or given up).</summary>
    [Id(15)] public LowBalanceNotice? PendingLowBalance { get; set; }
    /// <summary>The rate card's prices per part by network_id; a network not in it (or every one, when empty) pays <see cref="PricePerSms"/>.</summary>
    [Id(16)] public Dictionary<int, decimal> NetworkPrices { get; set; } = [];

    /// <summary>What one part to a number on this network costs, fixed into a message's cost when it is accepted.</summary>
    public decimal PriceFor(int networkId) => NetworkPrices.TryGetValue(networkId, out var price) ? price : PricePerSms;

    /// <summary>A copy that later mutations of the live state cannot reach while a write serialises it.</summary>
    public AccountState Snapshot() => new()
    {
        IsOpen = IsOpen,
        Name = Name,
        Status = Status,
        Balance = Balance,
        PricePerSms = PricePerSms,
        SenderIds = [.. SenderIds],
        ApiKeyDigest = ApiKeyDigest,
        SmppUsername = SmppUsername,
        SmppPasswordHash = SmppPasswordHash,
        CreatedAt = CreatedAt,
        AllowedAddresses = [.. AllowedAddresses],
        LowBalanceAlert = LowBalanceAlert,
        LowBalanceFired = LowBalanceFired,
        PendingLowBalance = PendingLowBalance,
        NetworkPrices = new(NetworkPrices),
    };

    public AccountView ToView(long accountId) =>
        new(accountId, Name, Status, Balance, PricePerSms, [.. SenderIds], SmppUsername, CreatedAt, [.. AllowedAddresses])
        {
            NetworkPrices = new Dictionary<int, decimal>(NetworkPrices),
        };
}
