namespace Taifa.LoadTest;

public enum MessageMix
{
    /// <summary>One-part GSM 03.38 text.</summary>
    Gsm,

    /// <summary>Three-part concatenated GSM text.</summary>
    Long,

    /// <summary>One-part UCS-2 text (characters outside the GSM alphabet).</summary>
    Ucs2,

    /// <summary>70% gsm, 20% long, 10% ucs2.</summary>
    Mix,
}
