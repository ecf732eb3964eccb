using System.Text;

namespace Taifa.Silo.Api;

/// <summary>
/// The CSV of the downloads (messages.csv, statement.csv): RFC 4180 fields, and the OWASP guard against formula
/// injection, since customers open these files in spreadsheets and some values come from outside (a service_id, an
/// operator's error code, a credit's reference). A value that would start with <c>=</c>, <c>+</c>, <c>-</c>,
/// <c>@</c>, a tab or a carriage return is prefixed with <c>'</c>, so the spreadsheet shows it as text rather than
/// running it; a plain number (a signed amount such as <c>-1.00</c>, an id) stays as it is, a number.
/// </summary>
public static class CsvFormat
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>UTF-8 without a byte-order mark, as the downloads are written.</summary>
    public static Encoding Encoding => Utf8;

    /// <summary>One record's fields joined by commas, without its line end (the caller's); null is an empty field.</summary>
    public static string Fields(params IReadOnlyList<string?> values)
    {
        var line = new StringBuilder();
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0) line.Append(',');
            AppendField(line, values[i]);
        }

        return line.ToString();
    }

    private static void AppendField(StringBuilder line, string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        var guarded = value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' && !IsPlainNumber(value);
        if (!guarded && value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            line.Append(value);
            return;
        }

        line.Append('"');
        if (guarded) line.Append('\'');
        line.Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }

    /// <summary>An optional minus, digits, and optionally a point and digits: what a spreadsheet reads as a number, never a formula.</summary>
    private static bool IsPlainNumber(string value)
    {
        var digits = value.AsSpan(value[0] == '-' ? 1 : 0);
        var point = digits.IndexOf('.');
        var whole = point < 0 ? digits : digits[..point];
        var fraction = point < 0 ? "0" : digits[(point + 1)..];
        return whole.Length > 0 && fraction.Length > 0 && !whole.ContainsAnyExceptInRange('0', '9') && !fraction.ContainsAnyExceptInRange('0', '9');
    }
}
