namespace Taifa.Domain.Text;

/// <param name="Encoding">GSM 7-bit when every character has a 03.38 code, else UCS-2.</param>
/// <param name="Length">Septets for GSM 7-bit (extension characters count two); UTF-16 code units for UCS-2.</param>
/// <param name="Parts">SMS parts the text needs; 0 for empty text.</param>
public readonly record struct SmsSegmentation(SmsEncoding Encoding, int Length, int Parts);
