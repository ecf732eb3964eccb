using Microsoft.Extensions.Options;
using Taifa.Grains.Dispatch;

namespace Taifa.Silo.Options;

/// <summary>
/// Taifa:Dispatch and every Taifa:Operators:&lt;name&gt;, checked on start (their classes live with the grains, which
/// carry no validation attributes): each failure names its key.
/// </summary>
public sealed class DispatchOptionsValidation : IValidateOptions<DispatchOptions>
{
    public const string DispatchSection = "Taifa:Dispatch";
    public const string OperatorsSection = "Taifa:Operators";
    public const string RoutesSection = "Taifa:Routes";

    public ValidateOptionsResult Validate(string? name, DispatchOptions options)
    {
        var failures = new List<string>();
        void Check(bool valid, string key, string expected)
        {
            if (!valid) failures.Add($"{key} must be {expected}.");
        }

        Check(options.MaxAttempts is >= 1 and <= 1000, $"{DispatchSection}:MaxAttempts", "from 1 to 1000");
        Check(options.RetryBaseDelay > TimeSpan.Zero, $"{DispatchSection}:RetryBaseDelay", "positive");
        Check(options.RetryMaxDelay >= options.RetryBaseDelay, $"{DispatchSection}:RetryMaxDelay", "at least RetryBaseDelay");
        Check(options.SmppReceiptRetention > TimeSpan.Zero, $"{DispatchSection}:SmppReceiptRetention", "positive");
        Check(options.DlrRetention > TimeSpan.Zero, $"{DispatchSection}:DlrRetention", "positive");
        Check(options.DefaultRoute is null || options.Operators.ContainsKey(options.DefaultRoute), $"{DispatchSection}:DefaultRoute",
            $"the name of a configured operator ({string.Join(", ", options.Operators.Keys)})");

        var failover = options.Failover;
        Check(failover.BindDownAfter > TimeSpan.Zero, $"{DispatchSection}:Failover:BindDownAfter", "positive");
        Check(failover.ErrorRate is > 0 and <= 1, $"{DispatchSection}:Failover:ErrorRate", "above 0 and at most 1");
        Check(failover.ErrorWindow > TimeSpan.Zero, $"{DispatchSection}:Failover:ErrorWindow", "positive");
        Check(failover.MinSubmits >= 1, $"{DispatchSection}:Failover:MinSubmits", "at least 1");
        Check(failover.RecoverAfter >= TimeSpan.Zero, $"{DispatchSection}:Failover:RecoverAfter", "zero or more");
        foreach (var (network, routes) in options.Routes)
        {
            var key = $"{RoutesSection}:{network}";
            Check(int.TryParse(network, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _), key, "under a network id (a number)");
            Check(routes.Length > 0, key, "one or more operator names");
            Check(routes.All(options.Operators.ContainsKey), key, $"names of configured operators ({string.Join(", ", options.Operators.Keys)})");
            Check(routes.Distinct(StringComparer.OrdinalIgnoreCase).Count() == routes.Length, key, "each operator once");
        }

        foreach (var (operatorName, route) in options.Operators)
        {
            var key = $"{OperatorsSection}:{operatorName}";
            Check(!string.IsNullOrWhiteSpace(route.Host), $"{key}:Host", "a host name or IP address");
            Check(route.Port is >= 1 and <= 65535, $"{key}:Port", "from 1 to 65535");
            Check(Enum.IsDefined(route.BindMode), $"{key}:BindMode", "Transceiver or TransmitterAndReceiver");
            Check(route.Binds is >= 1 and <= 1000, $"{key}:Binds", "from 1 to 1000");
            Check(route.Window is >= 1 and <= 100_000, $"{key}:Window", "from 1 to 100000");
            Check(route.MaxMessagesPerSecond >= 1, $"{key}:MaxMessagesPerSecond", "at least 1");
            Check(route.EnquireLinkInterval > TimeSpan.Zero, $"{key}:EnquireLinkInterval", "positive");
            Check(route.ResponseTimeout > TimeSpan.Zero, $"{key}:ResponseTimeout", "positive");
            Check(route.ReconnectMinDelay > TimeSpan.Zero, $"{key}:ReconnectMinDelay", "positive");
            Check(route.ReconnectMaxDelay >= route.ReconnectMinDelay, $"{key}:ReconnectMaxDelay", "at least ReconnectMinDelay");
            Check(Enum.IsDefined(route.SubmitIdFormat), $"{key}:SubmitIdFormat", "Text, Decimal or Hex");
            Check(Enum.IsDefined(route.ReceiptIdFormat), $"{key}:ReceiptIdFormat", "Text, Decimal or Hex");
            Check(route.ReceiptClockOffset is not { } offset || (offset >= TimeSpan.FromHours(-14) && offset <= TimeSpan.FromHours(14)),
                $"{key}:ReceiptClockOffset", "from -14:00:00 to 14:00:00");
            Check(route.ReceiptClockTolerance >= TimeSpan.Zero && route.ReceiptClockTolerance <= TimeSpan.FromHours(1),
                $"{key}:ReceiptClockTolerance", "from 00:00:00 to 01:00:00");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
