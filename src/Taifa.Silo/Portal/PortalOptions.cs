using System.ComponentModel.DataAnnotations;

namespace Taifa.Silo.Options;

/// <summary>The customer portal under /portal/ (docs/portal.md).</summary>
public sealed class PortalOptions
{
    /// <summary>How long a portal session lasts after log-in, however busy; then the user logs in again.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Failed portal log-ins under one e-mail address within Taifa:Security:FailureWindow that lock the address
    /// out for Taifa:Security:LockoutDuration, cluster-wide, whatever the source.</summary>
    [Range(1, 1_000_000)]
    public int MaxFailuresPerEmail { get; set; } = 5;
}
