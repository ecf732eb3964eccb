using System.Collections;
using System.Reflection;
using System.Text.RegularExpressions;
using Taifa.Grains.Dispatch;
using Taifa.Grains.Ledger;
using Taifa.Operators.Client;
using Taifa.Operators.Simulator;
using Taifa.Silo.Options;
using Taifa.Silo.Storage;

namespace Taifa.Silo.Tests.Hosting;

/// <summary>docs/configuration.md lists every key the silo reads, so adding an option without documenting it fails here.</summary>
public sealed partial class ConfigurationDocTests
{
    private static readonly string Root = FindRoot();
    private static readonly string Doc = File.ReadAllText(Path.Combine(Root, "docs", "configuration.md"));

    [Fact]
    public void Every_bound_options_property_is_documented_with_its_environment_variable()
    {
        var keys = Keys(typeof(TaifaOptions), TaifaOptions.Section)
            .Concat(Keys(typeof(DispatchOptions), "Taifa:Dispatch", skip: [nameof(DispatchOptions.Operators), nameof(DispatchOptions.Routes)]))
            .Append("Taifa:Routes:<network>")
            .Concat(Keys(typeof(OperatorOptions), "Taifa:Operators:<name>"))
            .Concat(Keys(typeof(LedgerOptions), LedgerOptions.Section))
            .Concat(Keys(typeof(Taifa.Silo.Inbound.InboundOptions), Taifa.Silo.Inbound.InboundOptions.Section))
            .ToList();

        Assert.Contains("Taifa:Smpp:Tls:Port", keys);
        Assert.Contains("Taifa:Operators:<name>:NetworkIds", keys);
        Assert.Contains("Taifa:Ledger:RetentionDays", keys);
        Assert.Contains("Taifa:Dispatch:Failover:BindDownAfter", keys);
        AssertDocumented(keys.SelectMany(k => new[] { k, k.Replace(":", "__", StringComparison.Ordinal) }));
    }

    [Fact]
    public void Every_key_read_from_configuration_by_name_is_documented()
    {
        var keys = Directory.EnumerateFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => KeyLiteral().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .Distinct()
            .ToList();

        Assert.Contains("Taifa:Storage:BatchedMessages", keys);
        AssertDocumented(keys, prefixAllowed: true);
    }

    /// <summary>Settings that are not configuration keys, filled in code: the doc says where each comes from.</summary>
    [Fact]
    public void Every_property_of_the_options_built_in_code_is_accounted_for()
    {
        var names = new[] { typeof(OperatorBindOptions), typeof(SmscSimulatorOptions), typeof(BatchedPostgresGrainStorageOptions) }
            .SelectMany(type => Settable(type).Select(p => $"{type.Name}.{p.Name}"))
            .ToList();

        Assert.Contains("OperatorBindOptions.ConnectTimeout", names);
        AssertDocumented(names);
    }

    private static void AssertDocumented(IEnumerable<string> keys, bool prefixAllowed = false)
    {
        var missing = keys
            .Where(k => !Doc.Contains($"`{k}`", StringComparison.Ordinal) && !(prefixAllowed && Doc.Contains($"`{k}:", StringComparison.Ordinal)))
            .ToList();
        Assert.True(missing.Count == 0, $"docs/configuration.md does not name: {string.Join(", ", missing)}");
    }

    /// <summary>The configuration keys of an options type: one per settable property, descending into nested options objects.</summary>
    private static IEnumerable<string> Keys(Type type, string path, string[]? skip = null)
    {
        foreach (var property in Settable(type).Where(p => skip?.Contains(p.Name) != true))
        {
            var key = $"{path}:{property.Name}";
            if (IsNestedOptions(property.PropertyType))
            {
                foreach (var nested in Keys(property.PropertyType, key)) yield return nested;
            }
            else
            {
                yield return key;
            }
        }
    }

    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true });

    private static bool IsNestedOptions(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type) &&
        type.Namespace?.StartsWith("Taifa.", StringComparison.Ordinal) == true;

    private static string FindRoot()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Taifa.Orleans.sln"))) root = Path.GetDirectoryName(root)!;
        return root;
    }

    [GeneratedRegex("\"(Taifa(?::[A-Z][A-Za-z0-9]*)+)")]
    private static partial Regex KeyLiteral();
}
