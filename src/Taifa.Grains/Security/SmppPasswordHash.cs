using System.Security.Cryptography;
using System.Text;

namespace Taifa.Grains.Security;

/// <summary>Salted PBKDF2-SHA256 hashes for SMPP passwords, stored as "pbkdf2-sha256$iterations$salt$hash".</summary>
public static class SmppPasswordHash
{
    // SMPP passwords are at most 8 characters, so the work factor matters; binds are rare compared with submits.
    private const int Iterations = 60_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', "pbkdf2-sha256", Iterations.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    public static bool Verify(string password, string? stored)
    {
        if (stored is null) return false;
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != "pbkdf2-sha256" ||
            !int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var iterations))
        {
            return false;
        }

        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}

/// <summary>
/// Remembers the last password that passed the slow check against one stored hash, as a keyed digest (HMAC with a
/// random per-activation key, never stored), so a customer's reconnects and the bind's second check cost a
/// microsecond instead of a PBKDF2 run. Any other password, or a changed hash, takes the full check.
/// </summary>
public sealed class SmppPasswordVerifier
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private string? _verifiedHash;
    private byte[]? _verifiedDigest;

    public bool Verify(string password, string? stored)
    {
        var digest = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(password));
        if (stored is not null && string.Equals(stored, _verifiedHash, StringComparison.Ordinal) && CryptographicOperations.FixedTimeEquals(digest, _verifiedDigest))
        {
            return true;
        }

        if (!SmppPasswordHash.Verify(password, stored)) return false;
        (_verifiedHash, _verifiedDigest) = (stored, digest);
        return true;
    }
}
