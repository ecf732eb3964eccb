using System.ComponentModel.DataAnnotations;

namespace Taifa.Grains.Ledger;

/// <summary><c>Taifa:Ledger</c>: how long the message ledger keeps messages.</summary>
public sealed class LedgerOptions
{
    public const string Section = "Taifa:Ledger";

    /// <summary>Days of messages kept; older acceptance days are dropped whole. Wallet entries are kept for good.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 90;
}
