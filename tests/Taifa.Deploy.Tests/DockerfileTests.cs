using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Taifa.Deploy.Tests;

/// <summary>No Docker engine runs here, so these keep the Dockerfile in step with the repository instead.</summary>
public sealed partial class DockerfileTests
{
    private const string SiloProject = "src/Taifa.Silo/Taifa.Silo.csproj";
    private readonly Dockerfile _dockerfile = Dockerfile.Load();

    [Fact]
    public void Every_path_copied_from_the_build_context_exists()
    {
        var missing = _dockerfile.ContextCopies()
            .Where(c => !File.Exists(Repository.PathOf(c.Source)) && !Directory.Exists(Repository.PathOf(c.Source)))
            .Select(c => c.Source)
            .ToList();

        Assert.True(missing.Count == 0, $"The Dockerfile copies paths that do not exist: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_project_the_silo_references_is_copied_before_the_restore_and_no_test_project_is()
    {
        var restore = _dockerfile.Single(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore", StringComparison.Ordinal), "RUN dotnet restore");
        Assert.Contains(SiloProject, restore.Arguments, StringComparison.Ordinal);

        var copiedBeforeRestore = _dockerfile.ContextCopies().Where(c => c.Copy.Index < restore.Index).Select(c => c.Source).ToHashSet();
        var needed = ProjectClosure(SiloProject);
        var notCopied = needed.Where(p => !copiedBeforeRestore.Contains(p)).ToList();

        Assert.True(notCopied.Count == 0, $"Projects the Silo references but the Dockerfile does not copy before restoring: {string.Join(", ", notCopied)}");
        Assert.DoesNotContain(copiedBeforeRestore, p => p.StartsWith("tests/", StringComparison.Ordinal));
    }

    [Fact]
    public void The_sources_and_the_embedded_schema_scripts_are_copied_before_the_publish()
    {
        var publish = _dockerfile.Single(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal), "RUN dotnet publish");
        Assert.Contains(SiloProject, publish.Arguments, StringComparison.Ordinal);
        var copied = _dockerfile.ContextCopies().Where(c => c.Copy.Index < publish.Index).Select(c => c.Source.TrimEnd('/')).ToHashSet();

        Assert.Contains("src", copied);
        // The Silo embeds ..\..\infra\db\*.sql: a build without them would ship a silo that cannot create its schema.
        var embedded = XDocument.Load(Repository.PathOf(SiloProject)).Descendants("EmbeddedResource").Select(e => (string?)e.Attribute("Include") ?? "");
        var projectDirectory = Path.GetDirectoryName(Repository.PathOf(SiloProject))!;
        foreach (var include in embedded)
        {
            var full = Path.GetFullPath(Path.Combine(projectDirectory, include.Replace('\\', '/')));
            var directory = Path.GetDirectoryName(Path.GetRelativePath(Repository.Root, full))!.Replace('\\', '/');
            Assert.True(copied.Contains(directory) || directory.StartsWith("src/", StringComparison.Ordinal), $"The Silo embeds {include}, but the Dockerfile does not copy {directory}");
        }
    }

    [Fact]
    public void The_solution_wide_build_files_are_copied()
    {
        var copied = _dockerfile.ContextCopies().Select(c => c.Source).ToHashSet();
        var buildFiles = Directory.GetFiles(Repository.Root, "Directory.*.props").Select(f => Path.GetFileName(f))
            .Concat(["global.json", ".editorconfig"])
            .Where(f => File.Exists(Repository.PathOf(f)));

        foreach (var file in buildFiles) Assert.Contains(file, copied);
    }

    [Fact]
    public void The_exposed_ports_are_the_silos_defaults_and_the_ones_the_deployment_declares()
    {
        var httpPort = int.Parse(DefaultUrlsPort().Match(Repository.Read("src/Taifa.Silo/Hosting/KestrelEndpoints.cs")).Groups[1].Value);
        var smppPort = int.Parse(SmppDefaultPort().Match(Repository.Read("src/Taifa.Silo/Options/TaifaOptions.cs")).Groups[1].Value);
        // Orleans' own EndpointOptions defaults, which the silo keeps unless configured.
        int[] expected = [httpPort, smppPort, 11111, 30000];

        var exposed = _dockerfile.Instructions.Where(i => i.Keyword == "EXPOSE").SelectMany(i => Dockerfile.Words(i.Arguments)).Select(p => int.Parse(p.Split('/')[0])).Order().ToArray();
        Assert.Equal(expected.Order(), exposed);

        var declared = ContainerPort().Matches(Repository.Read("infra/k8s/base/deployment.yaml")).Select(m => int.Parse(m.Groups[1].Value)).Order().ToArray();
        Assert.Equal(exposed, declared);
    }

    [Fact]
    public void The_shipped_image_is_the_aspnet_runtime_run_by_an_unprivileged_user()
    {
        var stage = _dockerfile.RuntimeStage;
        var from = stage[0].Arguments;
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:", from, StringComparison.Ordinal);
        Assert.DoesNotContain(stage, i => i.Arguments.Contains("dotnet/sdk", StringComparison.Ordinal));

        var user = Assert.Single(stage, i => i.Keyword == "USER").Arguments;
        Assert.DoesNotMatch(@"^(root|0)(:|$)", user);
        var entrypoint = Assert.Single(stage, i => i.Keyword == "ENTRYPOINT");
        Assert.True(stage.Last(i => i.Keyword == "USER").Index < entrypoint.Index, "USER must come before the ENTRYPOINT");
        Assert.Equal("[\"dotnet\", \"Taifa.Silo.dll\"]", entrypoint.Arguments);
    }

    [Fact]
    public void The_dockerignore_keeps_everything_the_build_copies_and_leaves_out_tests_and_build_output()
    {
        var ignore = DockerIgnore.Load();
        foreach (var (_, source) in _dockerfile.ContextCopies())
        {
            var path = source.TrimEnd('/');
            var files = Directory.Exists(Repository.PathOf(path))
                ? Directory.EnumerateFiles(Repository.PathOf(path), "*", SearchOption.AllDirectories)
                    .Select(f => Path.GetRelativePath(Repository.Root, f).Replace('\\', '/'))
                    .Where(f => !BuildOutput().IsMatch(f))
                : [path];
            foreach (var file in files) Assert.False(ignore.Excludes(file), $".dockerignore leaves out {file}, which the Dockerfile copies");
        }

        foreach (var left in new[] { "tests/Taifa.Domain.Tests/Taifa.Domain.Tests.csproj", ".git/HEAD", "src/Taifa.Silo/bin/Release/x.dll", "src/Taifa.Silo/obj/project.assets.json", "infra/k8s/overlays/prod/secrets.env" })
        {
            Assert.True(ignore.Excludes(left), $".dockerignore should leave out {left}");
        }
    }

    private static HashSet<string> ProjectClosure(string project)
    {
        var found = new HashSet<string>();
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            if (!found.Add(current)) continue;
            var directory = Path.GetDirectoryName(Repository.PathOf(current))!;
            foreach (var reference in XDocument.Load(Repository.PathOf(current)).Descendants("ProjectReference"))
            {
                var full = Path.GetFullPath(Path.Combine(directory, ((string?)reference.Attribute("Include") ?? "").Replace('\\', '/')));
                pending.Push(Path.GetRelativePath(Repository.Root, full).Replace('\\', '/'));
            }
        }

        return found;
    }

    [GeneratedRegex(@"DefaultUrls\s*=\s*""http://\*:(\d+)""")]
    private static partial Regex DefaultUrlsPort();

    [GeneratedRegex(@"class SmppListenerOptions\b[\s\S]*?\bint Port \{ get; set; \} = (\d+);")]
    private static partial Regex SmppDefaultPort();

    [GeneratedRegex(@"containerPort:\s*(\d+)")]
    private static partial Regex ContainerPort();

    [GeneratedRegex(@"(^|/)(bin|obj|node_modules)/")]
    private static partial Regex BuildOutput();
}
