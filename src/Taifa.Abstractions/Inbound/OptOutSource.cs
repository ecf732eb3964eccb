namespace Taifa.Abstractions.Inbound;

/// <summary>How a number came onto an account's opt-out list.</summary>
public enum OptOutSource
{
    /// <summary>The subscriber sent STOP (or one of its synonyms) to one of the account's numbers.</summary>
    Inbound = 1,

    /// <summary>The customer added it through <c>POST /v2/sms/optouts</c>.</summary>
    Api = 2,
}
