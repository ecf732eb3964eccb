using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Taifa.Silo.Intake;

namespace Taifa.Silo.Api;

public enum ResponseType
{
    Json,
    Plain,
}

/// <summary>The body of POST sendsms, as the API document defines it.</summary>
public sealed record SendRequest(
    IReadOnlyList<string> Mobiles,
    string SenderName,
    string Message,
    ResponseType ResponseType,
    string? ServiceId,
    string? DlrUrl,
    DateTimeOffset? SendAt = null,
    int? ValidityMinutes = null);

/// <summary>
/// Parses a sendsms body. The response type is worked out even from a body that fails validation,
/// so that every error answers in the form the caller asked for.
/// </summary>
public static class SendRequestParser
{
    private const int MaxDepth = 16;

    public readonly record struct Result(SendRequest? Request, ResponseType ResponseType);

    public static Result Parse(ReadOnlySequence<byte> body, int maxRecipients, CallbackUrlPolicy callbackUrls)
    {
        var document = RequestBody.ParseJson(body, MaxDepth);
        if (document is null) return new Result(null, ResponseType.Json);
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return new Result(null, ResponseType.Json);

            var responseType = ReadResponseType(root);
            if (!TryGetString(root, "mobile", out var mobile) ||
                !TryGetString(root, "sender_name", out var senderName) ||
                !TryGetString(root, "message", out var message) ||
                !TryGetOptionalScalar(root, "service_id", out var serviceId) ||
                !TryGetOptionalString(root, "dlr_url", out var dlrUrl) ||
                !TryGetOptionalString(root, "send_at", out var sendAtText) ||
                !TryGetOptionalInteger(root, "validity_period", out var validityMinutes))
            {
                return new Result(null, responseType);
            }

            var mobiles = mobile.Split(',', StringSplitOptions.TrimEntries);
            if (message.Length == 0 || senderName.Trim().Length == 0 || mobiles.Length > maxRecipients)
            {
                return new Result(null, responseType);
            }

            if (dlrUrl is not null && !callbackUrls.Accepts(dlrUrl)) return new Result(null, responseType);
            DateTimeOffset? sendAt = null;
            if (sendAtText is not null)
            {
                if (!TryParseSendAt(sendAtText, out var at)) return new Result(null, responseType);
                sendAt = at;
            }

            return new Result(new SendRequest(mobiles, senderName.Trim(), message, responseType, serviceId, dlrUrl, sendAt, validityMinutes), responseType);
        }
    }

    // ISO 8601 with its offset (or Z); a time without one is read as Nairobi's only in the API document's own format.
    private static readonly string[] IsoFormats =
    [
        "yyyy-MM-dd'T'HH:mmzzz", "yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-dd'T'HH:mm'Z'", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
    ];

    /// <summary>send_at: "yyyy-MM-dd HH:mm:ss" in Nairobi time, or ISO 8601 with an offset.</summary>
    public static bool TryParseSendAt(string text, out DateTimeOffset at) =>
        NairobiTime.TryParse(text, out at) ||
        DateTimeOffset.TryParseExact(text, IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at);

    private static ResponseType ReadResponseType(JsonElement root) =>
        root.TryGetProperty("response_type", out var value) && value.ValueKind == JsonValueKind.String &&
        string.Equals(value.GetString(), "plain", StringComparison.OrdinalIgnoreCase)
            ? ResponseType.Plain
            : ResponseType.Json;

    private static bool TryGetString(JsonElement root, string name, out string value)
    {
        value = "";
        if (!root.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.String) return false;
        value = element.GetString()!;
        return true;
    }

    private static bool TryGetOptionalString(JsonElement root, string name, out string? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null) return true;
        if (element.ValueKind != JsonValueKind.String) return false;
        value = element.GetString();
        return true;
    }

    /// <summary>An integer, or (as PHP clients often send numbers) a string of one; null or absent: none.</summary>
    private static bool TryGetOptionalInteger(JsonElement root, string name, out int? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null) return true;
        var ok = element.ValueKind switch
        {
            JsonValueKind.Number => element.TryGetInt32(out var number) && (value = number) is not null,
            JsonValueKind.String => int.TryParse(element.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && (value = parsed) is not null,
            _ => false,
        };
        return ok;
    }

    /// <summary>service_id may be a string or an integer (the PHP example sends 0).</summary>
    private static bool TryGetOptionalScalar(JsonElement root, string name, out string? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var element)) return true;
        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                return true;
            case JsonValueKind.String:
                value = element.GetString();
                return value!.Length <= 64;
            case JsonValueKind.Number when element.TryGetInt64(out var number):
                value = number.ToString(CultureInfo.InvariantCulture);
                return true;
            default:
                return false;
        }
    }
}
