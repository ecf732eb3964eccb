using System.Security.Cryptography;
using System.Text;

namespace Taifa.Abstractions.Accounts;

/// <summary>API keys are 64 lower-case hex characters from a CSPRNG; only their SHA-256 digest is ever stored.</summary>
public static class ApiKeys
{
    public static string NewKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static string Digest(string apiKey) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey)));

    /// <summary>Constant-time comparison of two hex digests.</summary>
    public static bool DigestsEqual(string? expected, string? presented) =>
        expected is not null && presented is not null &&
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(presented));
}
