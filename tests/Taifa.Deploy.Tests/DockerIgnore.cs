using System.Text.RegularExpressions;

namespace Taifa.Deploy.Tests;

/// <summary>
/// The repository's .dockerignore, matched the way Docker does: patterns in order, the last one that
/// matches a path or one of its parent directories decides, a leading '!' re-includes.
/// </summary>
internal sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Include)> _rules;

    private DockerIgnore(List<(Regex, bool)> rules) => _rules = rules;

    public static DockerIgnore Load()
    {
        var rules = new List<(Regex, bool)>();
        foreach (var raw in Repository.Read(".dockerignore").Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var include = line.StartsWith('!');
            var pattern = (include ? line[1..] : line).Trim('/');
            rules.Add((new Regex("^" + GlobToRegex(pattern) + "$", RegexOptions.CultureInvariant), include));
        }

        return new DockerIgnore(rules);
    }

    public bool Excludes(string path)
    {
        var parts = path.Split('/');
        var prefixes = Enumerable.Range(1, parts.Length).Select(n => string.Join('/', parts.Take(n))).ToList();
        var excluded = false;
        foreach (var (pattern, include) in _rules)
        {
            if (prefixes.Any(pattern.IsMatch)) excluded = !include;
        }

        return excluded;
    }

    private static string GlobToRegex(string glob) =>
        Regex.Escape(glob)
            .Replace(@"\*\*/", "(.*/)?", StringComparison.Ordinal)
            .Replace(@"\*\*", ".*", StringComparison.Ordinal)
            .Replace(@"\*", "[^/]*", StringComparison.Ordinal)
            .Replace(@"\?", "[^/]", StringComparison.Ordinal);
}
