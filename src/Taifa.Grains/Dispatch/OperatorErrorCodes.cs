using System.Globalization;

namespace Taifa.Grains.Dispatch;

/// <summary>
/// The error code a message carries once an operator has failed it, written as a delivery receipt's <c>err:</c> field
/// is: three characters. A refused submit_sm is its SMPP v3.4 command_status in three hex digits (<c>00B</c> for
/// ESME_RINVDSTADR); a receipt keeps the operator's own code. Customers see it in status, dlr_url and SMPP receipts,
/// so it is never free text (which may name the SMSC's address, and would not fit a receipt): that goes to the log.
/// </summary>
public static class OperatorErrorCodes
{
    /// <summary>ESME_RUNKNOWNERR: no answer that says what happened (no response in time, the link lost, a local failure).</summary>
    public const string Unknown = "0FF";

    private const int Width = 3;

    /// <summary>A command_status as three hex digits; a value beyond v3.4's range (above 0xFFF) is <see cref="Unknown"/>.</summary>
    public static string FromCommandStatus(uint status) =>
        status <= 0xFFF ? status.ToString("X3", CultureInfo.InvariantCulture) : Unknown;

    /// <summary>
    /// An error code as an operator wrote it (a receipt's err: field, or whatever a link reports), in the form above:
    /// one to three letters or digits as they are; longer digits without their leading zeros, or 0x-hex, when that
    /// fits; anything else <see cref="Unknown"/>. Null or blank: null (no error).
    /// </summary>
    public static string? Normalize(string? code)
    {
        var value = code?.Trim();
        if (string.IsNullOrEmpty(value)) return null;
        if (value.Length <= Width && value.All(char.IsAsciiLetterOrDigit)) return value.ToUpperInvariant();
        if (value.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && uint.TryParse(value.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            return FromCommandStatus(hex);
        }

        var digits = value.TrimStart('0');
        return value.All(char.IsAsciiDigit) && digits.Length <= Width ? digits.PadLeft(Width, '0') : Unknown;
    }
}
