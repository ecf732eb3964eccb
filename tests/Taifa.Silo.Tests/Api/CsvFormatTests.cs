using Taifa.Silo.Api;

namespace Taifa.Silo.Tests.Api;

/// <summary>The downloads' CSV fields: RFC 4180 quoting and the OWASP formula-injection guard, which leaves numbers alone.</summary>
public sealed class CsvFormatTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://evil.example\",\"x\")", "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"")]
    [InlineData("=1+2", "\"'=1+2\"")]
    [InlineData("+254702739804", "\"'+254702739804\"")]
    [InlineData("-2+3", "\"'-2+3\"")]
    [InlineData("@SUM(A1:A9)", "\"'@SUM(A1:A9)\"")]
    [InlineData("\tcmd", "\"'\tcmd\"")]
    [InlineData("\rcmd", "\"'\rcmd\"")]
    [InlineData("-", "\"'-\"")]
    [InlineData("-1.", "\"'-1.\"")]
    [InlineData("-.5", "\"'-.5\"")]
    public void A_text_value_a_spreadsheet_would_run_is_prefixed_with_a_quote(string value, string field) =>
        Assert.Equal(field, CsvFormat.Fields(value));

    [Theory]
    [InlineData("-1.00")]
    [InlineData("-250.50")]
    [InlineData("0.80")]
    [InlineData("119074175538950144")]
    [InlineData("-7")]
    [InlineData("254702739804")]
    [InlineData("2026-12-03 10:30:00")]
    [InlineData("RKTQDM7W6S")]
    [InlineData("admin:5-top-up")]
    public void Numbers_and_other_plain_values_stay_as_they_are(string value) => Assert.Equal(value, CsvFormat.Fields(value));

    [Fact]
    public void Fields_are_joined_by_commas_quoted_when_they_hold_a_separator_and_null_is_empty() =>
        Assert.Equal("1,,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",-1.00", CsvFormat.Fields("1", null, "a,b", "say \"hi\"", "two\nlines", "-1.00"));
}
