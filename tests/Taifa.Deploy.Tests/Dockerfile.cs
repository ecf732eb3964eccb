using System.Text.RegularExpressions;

namespace Taifa.Deploy.Tests;

/// <summary>The repository's Dockerfile as a list of instructions (continuation lines joined, comments dropped).</summary>
internal sealed partial class Dockerfile
{
    private Dockerfile(IReadOnlyList<Instruction> instructions) => Instructions = instructions;

    public IReadOnlyList<Instruction> Instructions { get; }

    /// <summary>Instructions after the last FROM: what the shipped image is made of.</summary>
    public IReadOnlyList<Instruction> RuntimeStage => Instructions.Skip(Instructions.ToList().FindLastIndex(i => i.Keyword == "FROM")).ToList();

    public static Dockerfile Load()
    {
        var instructions = new List<Instruction>();
        var pending = "";
        foreach (var raw in Repository.Read("Dockerfile").Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (pending.Length == 0 && line.TrimStart().StartsWith('#')) continue;
            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var text = (pending + line).Trim();
            pending = "";
            if (text.Length == 0) continue;
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            instructions.Add(new Instruction(text[..space].ToUpperInvariant(), text[(space + 1)..].Trim(), instructions.Count));
        }

        return new Dockerfile(instructions);
    }

    /// <summary>COPY instructions from the build context (not from another stage): their sources.</summary>
    public IEnumerable<(Instruction Copy, string Source)> ContextCopies() =>
        from copy in Instructions
        where copy.Keyword == "COPY"
        let words = Words(copy.Arguments)
        where !words.Any(w => w.StartsWith("--from=", StringComparison.Ordinal))
        from source in words.Where(w => !w.StartsWith("--", StringComparison.Ordinal)).SkipLast(1)
        select (copy, source);

    public Instruction Single(Func<Instruction, bool> predicate, string what) =>
        Instructions.SingleOrDefault(predicate) ?? throw new Xunit.Sdk.XunitException($"the Dockerfile has no single {what}");

    public static string[] Words(string arguments) => Whitespace().Split(arguments.Trim());

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

internal sealed record Instruction(string Keyword, string Arguments, int Index);
