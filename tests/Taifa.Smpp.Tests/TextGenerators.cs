using CsCheck;

namespace Taifa.Smpp.Tests;

internal static class TextGenerators
{
    private const string GsmCharacters = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    private const string GsmExtension = "\f^{}\\[~]|€";

    /// <summary>GSM text, extension characters (two septets each) more frequent than in life.</summary>
    public static readonly Gen<string> Gsm = Gen.Frequency((5, Gen.Char[GsmCharacters]), (1, Gen.Char[GsmExtension]))
        .Array[0, 700].Select(c => new string(c));

    /// <summary>Text that needs UCS-2: letters, Ge'ez script and emoji outside the BMP (surrogate pairs).</summary>
    public static readonly Gen<string> Unicode = Gen.Frequency(
            (4, Gen.Int['a', 'z']), (2, Gen.Int[0x1200, 0x137C]), (1, Gen.Int[0x1F600, 0x1F64F]))
        .Array[1, 300].Select(codePoints => string.Concat(codePoints.Select(char.ConvertFromUtf32)));

    public static readonly Gen<string> Any = Gen.OneOf(Gsm, Unicode, Gen.Char['\0', '\u00FF'].Array[0, 200].Select(c => new string(c)));
}
