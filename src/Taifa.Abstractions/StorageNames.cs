namespace Taifa.Abstractions;

/// <summary>Grain storage provider names, shared by the grains and the host that registers them.</summary>
public static class StorageNames
{
    public const string Accounts = "accounts";
    public const string Messages = "messages";
    public const string Index = "index";
    public const string PubSub = "PubSubStore";
}
