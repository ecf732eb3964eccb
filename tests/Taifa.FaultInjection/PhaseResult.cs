namespace Taifa.FaultInjection;

/// <summary>What one fault phase sent, what came of it, and which invariants it broke.</summary>
public sealed class PhaseResult(string fault, string load)
{
    public string Fault { get; } = fault;

    public string Load { get; } = load;

    public int Sends { get; set; }

    public int Accepted { get; set; }

    public int Ambiguous { get; set; }

    /// <summary>Ambiguous sends the operator saw: the gateway had accepted (and charged) them.</summary>
    public int AmbiguousCharged { get; set; }

    /// <summary>Sends answered with a refusal that reached the operator all the same (a violation whenever above 0).</summary>
    public int RefusedButSent { get; set; }

    public int Lost { get; set; }

    public int Duplicated { get; set; }

    public int MostCopies { get; set; }

    public int ReceiptsMissing { get; set; }

    public int Refunded { get; set; }

    /// <summary>Accepted messages that expired waiting for an operator (checked by the faults that send with a validity).</summary>
    public int Expired { get; set; }

    /// <summary>Sum over the wallets of how far each was from what the customers were owed (0.00 whenever the money is right).</summary>
    public decimal WalletError { get; set; }

    public string Refusals { get; set; } = "";

    public string Recovery { get; set; } = "";

    public string Notes { get; set; } = "";

    public List<string> Violations { get; } = [];

    public bool Passed => Violations.Count == 0;
}
