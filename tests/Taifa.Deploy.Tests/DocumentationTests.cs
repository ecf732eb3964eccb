using System.Text.RegularExpressions;

namespace Taifa.Deploy.Tests;

/// <summary>The README and docs/*.md name files and sections that exist, so a move or a rename cannot leave them stale.</summary>
public sealed partial class DocumentationTests
{
    public static TheoryData<string> Documents()
    {
        var documents = new TheoryData<string> { "README.md" };
        foreach (var file in Directory.EnumerateFiles(Repository.PathOf("docs"), "*.md").Order(StringComparer.Ordinal))
        {
            documents.Add("docs/" + Path.GetFileName(file));
        }

        return documents;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_repository_path_it_names_exists(string document)
    {
        var missing = RepositoryPath().Matches(Repository.Read(document))
            .Select(m => m.Groups["path"].Value.TrimEnd('.', ',', ':', ';'))
            .Where(path => !path.Contains('{', StringComparison.Ordinal) && !path.Contains('<', StringComparison.Ordinal))
            .Distinct()
            .Where(path => !Exists(path) && !File.Exists(Repository.PathOf(path + ".example")))
            .ToList();

        Assert.True(missing.Count == 0, $"{document} names paths that do not exist: {string.Join(", ", missing)}");
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_relative_link_and_its_anchor_exists(string document)
    {
        var directory = Path.GetDirectoryName(document.Replace('/', Path.DirectorySeparatorChar)) ?? "";
        var broken = new List<string>();
        foreach (Match link in RelativeLink().Matches(Repository.Read(document)))
        {
            var target = link.Groups["target"].Value;
            var anchor = link.Groups["anchor"].Success ? link.Groups["anchor"].Value : null;
            var file = target.Length == 0 ? document : Path.GetRelativePath(Repository.Root, Path.GetFullPath(Path.Combine(Repository.Root, directory, target)));
            if (!Exists(file)) broken.Add($"{link.Value} (no {file})");
            else if (anchor is not null && file.EndsWith(".md", StringComparison.Ordinal) && !Anchors(file).Contains(anchor)) broken.Add($"{link.Value} (no heading #{anchor} in {file})");
        }

        Assert.True(broken.Count == 0, $"{document} has broken links: {string.Join(", ", broken)}");
    }

    [Fact]
    public void The_architecture_project_graph_is_the_one_the_project_files_declare()
    {
        var declared = Directory.EnumerateFiles(Repository.PathOf("src"), "*.csproj", SearchOption.AllDirectories)
            .SelectMany(project => ProjectReference().Matches(File.ReadAllText(project))
                .Select(r => $"{Path.GetFileNameWithoutExtension(project)} -> {r.Groups["name"].Value}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        var drawn = GraphEdge().Matches(Repository.Read("docs/architecture.md"))
            .Select(e => $"Taifa.{e.Groups["from"].Value} -> Taifa.{e.Groups["to"].Value}")
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(declared);
        Assert.Equal(declared, drawn);
    }

    private static bool Exists(string path) => File.Exists(Repository.PathOf(path)) || Directory.Exists(Repository.PathOf(path));

    /// <summary>GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.</summary>
    private static HashSet<string> Anchors(string markdown) =>
        [.. Heading().Matches(Repository.Read(markdown))
            .Select(h => Regex.Replace(h.Groups["text"].Value.Trim().ToLowerInvariant(), @"[^\p{L}\p{N}\s_-]", "").Replace(' ', '-'))];

    [GeneratedRegex(@"(?<![\w./-])(?<path>(?:src|tests|infra|docs|\.github|\.ci)/[\w./{},<>-]*)")]
    private static partial Regex RepositoryPath();

    [GeneratedRegex(@"\]\((?!https?:|mailto:)(?<target>[^)#\s]*)(?:#(?<anchor>[^)\s]+))?\)")]
    private static partial Regex RelativeLink();

    [GeneratedRegex(@"ProjectReference Include=""[^""]*[\\/](?<name>[\w.]+)\.csproj""")]
    private static partial Regex ProjectReference();

    /// <summary>An edge of the mermaid graph, such as <c>Silo[Taifa.Silo] --> Grains</c>.</summary>
    [GeneratedRegex(@"^\s*(?<from>\w+)(?:\[[\w.]+\])? --> (?<to>\w+)(?:\[[\w.]+\])?\s*$", RegexOptions.Multiline)]
    private static partial Regex GraphEdge();

    [GeneratedRegex(@"^#{1,6} (?<text>.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();
}
