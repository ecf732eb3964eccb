namespace Taifa.Domain.Text;

/// <summary>Values are SMPP data_coding.</summary>
public enum SmsEncoding
{
    Gsm7 = 0,
    Ucs2 = 8,
}
