using System.Security.Cryptography.X509Certificates;

namespace Taifa.Silo.Hosting;

/// <summary>Loads the server certificate of HTTPS and SMPP over TLS: PKCS#12 (with its password) or PEM (with its key file).</summary>
public static class TlsCertificates
{
    public static X509Certificate2 Load(string path, string? password, string? keyPath)
    {
        if (!File.Exists(path)) throw new InvalidOperationException($"TLS certificate file {path} does not exist.");
        if (keyPath is { Length: > 0 })
        {
            return password is { Length: > 0 }
                ? X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath)
                : X509Certificate2.CreateFromPemFile(path, keyPath);
        }

        return X509CertificateLoader.LoadPkcs12FromFile(path, password);
    }
}
