namespace Taifa.Abstractions.Dispatch;

/// <summary>
/// Accepted messages travel to the operators on one stream per operator shard: stream namespace
/// <see cref="Namespace"/>, key "{operator}/{shard}"; each shard is consumed by one dispatcher grain that owns one bind.
/// </summary>
public static class DispatchStreams
{
    public const string Provider = "dispatch";
    public const string Namespace = "operator-queue";

    public static string Key(string operatorName, int shard) =>
        operatorName + "/" + shard.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static (string Operator, int Shard) ParseKey(string key)
    {
        var slash = key.LastIndexOf('/');
        return (key[..slash], int.Parse(key.AsSpan(slash + 1), System.Globalization.CultureInfo.InvariantCulture));
    }
}
