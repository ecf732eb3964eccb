using System.Data.Common;
using Orleans.Runtime;
using Taifa.Abstractions.Accounts;

namespace Taifa.Silo.Hosting;

/// <summary>
/// How a failed request or SMPP operation is logged: one line with its reason. A failure of the cluster or its storage
/// (a silo gone, a timeout, a database error) is expected while a silo dies and is the same stack trace thousands of
/// times over, so it is logged without one; an exception of any other type is a bug and keeps its stack, once.
/// </summary>
public static class Failures
{
    public static bool IsInfrastructure(Exception exception) =>
        exception is OrleansException or TimeoutException or DbException or SendUncertainException or OperationCanceledException;

    /// <summary>"Type: first line of the message" (Orleans messages may carry a remote stack trace after the first line).</summary>
    public static string Reason(Exception exception) => $"{exception.GetType().Name}: {FirstLine(exception.Message)}";

    public static string FirstLine(string message) => message.Split('\n', 2)[0].TrimEnd();

    /// <summary>Warning for an infrastructure failure (the cluster recovers by itself), Error for anything else.</summary>
    public static LogLevel Level(Exception exception) => IsInfrastructure(exception) ? LogLevel.Warning : LogLevel.Error;

    /// <summary>The exception to attach to the log line: none for an infrastructure failure (its reason is in the line).</summary>
    public static Exception? StackWorthy(Exception exception) => IsInfrastructure(exception) ? null : exception;
}
