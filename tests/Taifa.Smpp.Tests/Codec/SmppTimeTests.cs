using Taifa.Smpp.Pdus;

namespace Taifa.Smpp.Tests.Codec;

/// <summary>The time format of SMPP v3.4 §7.1.1, both forms, and what it refuses.</summary>
public sealed class SmppTimeTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("261203153000112+", "2026-12-03T15:30:00.1+03:00")] // Nairobi: 12 quarter hours ahead of UTC
    [InlineData("261203123000000+", "2026-12-03T12:30:00+00:00")]
    [InlineData("260101000000504-", "2026-01-01T00:00:00.5-01:00")]
    [InlineData("240229235959948+", "2024-02-29T23:59:59.9+12:00")]
    public void Reads_absolute_times_with_their_offset(string text, string expected)
    {
        Assert.True(SmppTime.TryParse(text, Now, out var at));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), at);
    }

    [Theory]
    [InlineData("000000010000000R", 60)]
    [InlineData("000001000000000R", 24 * 60)]
    [InlineData("000000000030000R", 0.5)]
    public void Reads_relative_times_from_now(string text, double minutes)
    {
        Assert.True(SmppTime.TryParse(text, Now, out var at));
        Assert.Equal(Now.AddMinutes(minutes), at);
    }

    [Fact]
    public void Empty_means_none() => Assert.True(SmppTime.TryParse("", Now, out var at) && at is null);

    [Theory]
    [InlineData("26120312300000+")] // 15 characters
    [InlineData("2612031230000000+")]
    [InlineData("261303123000000+")] // month 13
    [InlineData("250229123000000+")] // not a leap year
    [InlineData("261203243000000+")]
    [InlineData("261203123000049+")] // more than 12 hours of offset
    [InlineData("261203123000000X")]
    [InlineData("26120312300a000+")]
    [InlineData("000000010000100R")] // relative with tenths
    public void Refuses_malformed_times(string text) => Assert.False(SmppTime.TryParse(text, Now, out _));

    [Fact]
    public void Formats_in_utc_to_the_tenth_and_reads_back()
    {
        var at = new DateTimeOffset(2026, 12, 3, 13, 4, 5, 678, TimeSpan.FromHours(3));
        var text = SmppTime.Format(at);
        Assert.Equal("261203100405600+", text);
        Assert.True(SmppTime.TryParse(text, Now, out var back));
        Assert.Equal(at.AddMilliseconds(-78), back);
    }
}
