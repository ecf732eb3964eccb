using BenchmarkDotNet.Attributes;
using Taifa.Domain.Text;

namespace Taifa.Benchmarks;

/// <summary>Encoding choice, part counting and encoding of the three message kinds the load tool sends.</summary>
[MemoryDiagnoser]
public class TextBenchmarks
{
    private readonly byte[] _septets = new byte[1024];

    [Params("gsm-short", "gsm-long", "ucs2")]
    public string Kind { get; set; } = "gsm-short";

    private string _text = string.Empty;

    [GlobalSetup]
    public void Setup() => _text = Kind switch
    {
        "gsm-short" => "Your order 4471 is on its way. Reply STOP to opt out.",
        "gsm-long" => string.Concat(Enumerable.Repeat("Dear customer, your statement for {May} is ready: KES 1,250.00 due by the 5th. ", 5)),
        _ => "Habari! Malipo yako ya KES 500 yamepokelewa 🎉 Asante kwa kutumia huduma yetu.",
    };

    /// <summary>What a REST or SMPP send does to price a message: alphabet, length and parts.</summary>
    [Benchmark]
    public int Analyze() => SmsSegmenter.Analyze(_text).Parts;

    [Benchmark]
    public int Gsm7SeptetCount() => Gsm7.GetSeptetCount(_text);

    /// <summary>GSM text into septets (a caller's buffer), or UCS-2 into a new array for text outside the alphabet.</summary>
    [Benchmark]
    public int Encode() => Gsm7.IsEncodable(_text) ? Gsm7.Encode(_text, _septets) : Ucs2.Encode(_text).Length;
}
