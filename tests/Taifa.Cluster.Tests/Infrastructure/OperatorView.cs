using System.Text;
using Taifa.Operators.Simulator;

namespace Taifa.Cluster.Tests.Infrastructure;

/// <summary>What the shared operator saw, keyed by message text (every test message's text is unique).</summary>
public static class OperatorView
{
    /// <summary>Submits per text, for the texts given.</summary>
    public static Dictionary<string, int> SubmitsByText(this SmscSimulator simulator, IEnumerable<string> texts)
    {
        var wanted = texts.ToHashSet();
        return simulator.Submits
            .Select(s => Encoding.ASCII.GetString(s.ShortMessage.Span))
            .Where(wanted.Contains)
            .GroupBy(text => text)
            .ToDictionary(g => g.Key, g => g.Count());
    }
}
