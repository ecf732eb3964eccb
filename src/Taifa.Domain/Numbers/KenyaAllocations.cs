using System.Text.RegularExpressions;

namespace Taifa.Domain.Numbers;

/// <summary>
/// Kenya's mobile numbering plan: the one place its data lives.
/// Sources, both from libphonenumber (Apache 2.0) as generated into giggsey/libphonenumber-for-php-lite
/// (src/carrier/data/en/254.php at 285d3ba1759590e9c32e70dd83fc18e4a4d4137e and
/// src/data/PhoneNumberMetadata_KE.php at 040824fa79993f19f3a5880d253e53989091c2ce):
/// carrier prefixes from google/libphonenumber resources/carrier/en/254.txt, and the KE mobile
/// nationalNumberPattern from resources/PhoneNumberMetadata.xml.
/// </summary>
internal static partial class KenyaAllocations
{
    // Ids are part of the API (network_id) and persisted: append new operators, never renumber.
    public static readonly MobileNetwork Safaricom = new(1, "Safaricom");
    public static readonly MobileNetwork Airtel = new(2, "Airtel");
    public static readonly MobileNetwork Telkom = new(3, "Telkom");
    public static readonly MobileNetwork Equitel = new(4, "Equitel (Finserve)");
    public static readonly MobileNetwork JamiiTelecom = new(5, "Jamii Telecom (JTL)");
    public static readonly MobileNetwork HomelandMedia = new(6, "Homeland Media");
    public static readonly MobileNetwork MobilePay = new(7, "Mobile Pay");
    public static readonly MobileNetwork SemaMobile = new(8, "Sema Mobile");
    public static readonly MobileNetwork Infura = new(9, "Infura");
    public static readonly MobileNetwork NrgMedia = new(10, "NRG Media");

    public static readonly MobileNetwork[] Networks =
        [Safaricom, Airtel, Telkom, Equitel, JamiiTelecom, HomelandMedia, MobilePay, SemaMobile, Infura, NrgMedia];

    /// <summary>254.txt line for line; the longest matching prefix wins.</summary>
    public static readonly (string Prefix, MobileNetwork Network)[] CarrierPrefixes =
    [
        ("25410", Airtel),
        ("25411", Safaricom),
        ("254120", Telkom),
        ("254121", Infura),
        ("254124", Equitel),
        ("25413", NrgMedia),
        ("25470", Safaricom),
        ("25471", Safaricom),
        ("25472", Safaricom),
        ("25473", Airtel),
        ("25474", Safaricom),
        ("254744", HomelandMedia),
        ("254747", JamiiTelecom),
        ("25475", Airtel),
        ("254757", Safaricom),
        ("254758", Safaricom),
        ("254759", Safaricom),
        ("254760", MobilePay),
        ("254761", Airtel),
        ("254762", Airtel),
        ("254763", Equitel),
        ("254764", Equitel),
        ("254765", Equitel),
        ("254766", Equitel),
        ("254767", SemaMobile),
        ("254768", Safaricom),
        ("254769", Safaricom),
        ("25477", Telkom),
        ("25478", Airtel),
        ("25479", Safaricom),
    ];

    /// <summary>
    /// The KE mobile pattern, verbatim after the country code: (?:1(?:0[0-8]|1[0-5]|2[014]|30)|7\d\d)\d{6}.
    /// Carrier prefixes are wider than this (25410 covers 0109, which is not a mobile range), so both must match.
    /// </summary>
    [GeneratedRegex(@"^254(?:1(?:0[0-8]|1[0-5]|2[014]|30)|7[0-9]{2})[0-9]{6}\z", RegexOptions.CultureInvariant)]
    public static partial Regex MobileRange();
}
