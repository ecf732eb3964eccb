namespace Taifa.Grains.Accounts;

/// <summary>One low-balance alert owed to a customer: the balance it fell to, the threshold, and when it fell.</summary>
[GenerateSerializer, Immutable, Alias("taifa.low-balance-notice.v1")]
public sealed record LowBalanceNotice(
    [property: Id(0)] string Url,
    [property: Id(1)] decimal CreditBalance,
    [property: Id(2)] decimal Threshold,
    [property: Id(3)] DateTimeOffset FiredAt);
