namespace Taifa.Abstractions.Accounts;

/// <summary>
/// A send whose outcome the account could not establish: its durable write failed in a way that may still have
/// committed, and reading storage back failed too. The caller repeats the same command (<see cref="SendCommand.Retry"/>),
/// which answers what was charged, or charges once.
/// </summary>
[GenerateSerializer, Alias("taifa.send-uncertain")]
public sealed class SendUncertainException : Exception
{
    public SendUncertainException()
    {
    }

    public SendUncertainException(string message)
        : base(message)
    {
    }

    public SendUncertainException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
