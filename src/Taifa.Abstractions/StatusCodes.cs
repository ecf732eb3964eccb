namespace Taifa.Abstractions;

/// <summary>
/// The customer-facing status codes of the public API document (status_code / VAS reason),
/// plus the few Taifa added for outcomes the document does not name.
/// </summary>
public enum TaifaStatus
{
    Success = 1000,
    InvalidSenderId = 1001,
    InvalidMobileNumber = 1003,
    InsufficientCredit = 1004,
    DatabaseError = 1005,
    InvalidApiKey = 1006,
    InvalidJsonBody = 1009,
    AccountSuspended = 1011,

    // Taifa additions, above the document's range so they never collide with a legacy code.
    SmppUsernameTaken = 1012,
    InvalidSmppCredentials = 1013,
    UnknownMessageId = 1014,
    IdempotencyKeyReused = 1015,
    AddressNotAllowed = 1016,
    RecipientOptedOut = 1017,
    InvalidParameters = 1019,
}

public static class TaifaStatusText
{
    public static string Code(this TaifaStatus status) => ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Description(this TaifaStatus status) => status switch
    {
        TaifaStatus.Success => "Success",
        TaifaStatus.InvalidSenderId => "Invalid sender ID",
        TaifaStatus.InvalidMobileNumber => "Invalid mobile number",
        TaifaStatus.InsufficientCredit => "Insufficient credit",
        TaifaStatus.DatabaseError => "DB error",
        TaifaStatus.InvalidApiKey => "Invalid API key",
        TaifaStatus.InvalidJsonBody => "Invalid JSON body",
        TaifaStatus.AccountSuspended => "Account suspended",
        TaifaStatus.SmppUsernameTaken => "SMPP username already taken",
        TaifaStatus.InvalidSmppCredentials => "Invalid SMPP credentials",
        TaifaStatus.UnknownMessageId => "Unknown message ID",
        TaifaStatus.IdempotencyKeyReused => "Idempotency key reused with a different request",
        TaifaStatus.AddressNotAllowed => "Address not allowed",
        TaifaStatus.RecipientOptedOut => "Recipient opted out",
        TaifaStatus.InvalidParameters => "Invalid parameters",
        _ => status.ToString(),
    };
}
