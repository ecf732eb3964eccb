namespace Taifa.LoadTest.Gateway;

/// <summary>One recipient's line of a sendsms answer. MessageId is 0 unless status_code is 1000.</summary>
public readonly record struct SendOutcome(string StatusCode, long MessageId, decimal MessageCost);

/// <summary>The gateway's status codes the tool reasons about.</summary>
public static class StatusCodes
{
    public const string Success = "1000";
    public const string UnknownMessageId = "1014";
}
