using Taifa.Abstractions.Accounts;
using Taifa.Domain.Numbers;

namespace Taifa.Silo.Intake;

/// <summary>Normalises destination numbers and finds their network; shared by REST and SMPP intake.</summary>
public sealed class RecipientParser(NumberingPlan plan)
{
    public SendRecipient Parse(string input)
    {
        if (!MobileNumber.TryNormalize(input, out var normalized)) return new SendRecipient(null, 0);
        var network = plan.Lookup(normalized);
        return network is null ? new SendRecipient(null, 0) : new SendRecipient(normalized, network.Id);
    }
}
