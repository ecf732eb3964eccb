using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Messages;

namespace Taifa.Grains.Accounts;

[GenerateSerializer, Alias("taifa.account-state.v1")]
public sealed class AccountState
{
    [Id(0)] public bool IsOpen { get; set; }
    [Id(1)] public string Name { get; set; } = "";
    [Id(2)] public AccountStatus Status { get; set; }
    [Id(3)] public decimal Balance { get; set; }
    [Id(4)] public decimal PricePerSms { get; set; }
    [Id(5)] public List<string> SenderIds { get; set; } = [];
    [Id(6)] public string? ApiKeyDigest { get; set; }
    [Id(7)] public string? SmppUsername { get; set; }
    [Id(8)] public string? SmppPasswordHash { get; set; }
    [Id(9)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Accepted messages whose debit is durable but whose own record is not yet written.
    /// Written in the same state write as the debit, so acceptance and charge are one atomic step.
    /// </summary>
    [Id(10)] public List<MessageRecord> Outbox { get; set; } = [];

    /// <summary>Message ids refunded recently, with when: makes a repeated refund request a no-op.</summary>
    [Id(11)] public Dictionary<long, DateTimeOffset> Refunds { get; set; } = [];

    /// <summary>The IP allow-list in canonical CIDR form; empty: every address.</summary>
    [Id(12)] public List<string> AllowedAddresses { get; set; } = [];

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
        Outbox = [.. Outbox],
        Refunds = new Dictionary<long, DateTimeOffset>(Refunds),
        AllowedAddresses = [.. AllowedAddresses],
    };

    public AccountView ToView(long accountId) =>
        new(accountId, Name, Status, Balance, PricePerSms, [.. SenderIds], SmppUsername, CreatedAt, [.. AllowedAddresses]);
}
