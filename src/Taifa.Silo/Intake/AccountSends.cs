using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Taifa.Abstractions.Accounts;
using Taifa.Domain.Ids;
using Taifa.Silo.Hosting;
using Taifa.Silo.Options;

namespace Taifa.Silo.Intake;

/// <summary>No definite answer within <see cref="ApiOptions.SendDeadline"/>: the send may or may not have been charged.</summary>
public sealed class SendOutcomeUnknownException(string message, Exception innerException) : Exception(message, innerException);

/// <summary>
/// Sends for the REST and SMPP intake, so that a lost answer never becomes a false refusal. Every send gets its
/// message ids here, before the first attempt; when an attempt fails in a way that may have reached the account
/// (its silo died, a timeout, an unreadable write), the same command is repeated with <see cref="SendCommand.Retry"/>,
/// and the account — reactivated on a survivor if need be — answers what it charged or charges once now.
/// </summary>
public sealed partial class AccountSends(
    IGrainFactory grains, MessageIdGenerator ids, VanishedSilos vanished, IOptions<TaifaOptions> options, TimeProvider time, ILogger<AccountSends> logger)
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(2);

    public Task<SendResult> SendAsync(long accountId, SendCommand command) =>
        Repeat(accountId, WithMessageIds(command), c => grains.GetGrain<IAccountGrain>(accountId).Send(c));

    /// <param name="idempotencyKey">The grain key: "{accountId}:{digest of the client's key}".</param>
    public Task<IdempotentSend> SendIdempotentAsync(long accountId, string idempotencyKey, string requestDigest, SendCommand command) =>
        Repeat(accountId, WithMessageIds(command), c => grains.GetGrain<IIdempotentSendGrain>(idempotencyKey)
            .Send(requestDigest, c, options.Value.Api.IdempotencyRetention));

    private SendCommand WithMessageIds(SendCommand command) =>
        command.MessageIds.Count == command.Recipients.Count
            ? command
            : command with { MessageIds = [.. command.Recipients.Select(_ => ids.Next())] };

    private async Task<T> Repeat<T>(long accountId, SendCommand command, Func<SendCommand, Task<T>> attempt)
    {
        var started = time.GetTimestamp();
        var pause = FirstPause;
        for (var attempts = 1; ; attempts++)
        {
            try
            {
                return await attempt(command);
            }
            catch (Exception exception) when (command.Retry || MayHaveRun(exception))
            {
                // Once an attempt may have run, every later failure is retried too: only a definite answer may end it.
                var elapsed = time.GetElapsedTime(started);
                if (elapsed + pause > options.Value.Api.SendDeadline)
                {
                    LogGaveUp(accountId, attempts, elapsed.TotalSeconds, exception.GetType().Name, Failures.FirstLine(exception.Message));
                    throw new SendOutcomeUnknownException($"no definite answer from account {accountId} after {attempts} attempts", exception);
                }

                LogRepeating(accountId, attempts, exception.GetType().Name, Failures.FirstLine(exception.Message));
                command = command with { Retry = true };

                // Ends early when a silo is declared dead: the account can then be activated on a survivor.
                pause = await vanished.Pause(pause, FirstPause, LongestPause);
            }
        }
    }

    /// <summary>
    /// Failures after which the call may have been carried out: the target silo vanished with the call pending, no
    /// answer in time, a message the runtime could not deliver to its (moving) activation, or a write the account
    /// could not settle. Anything else (an activation that could not load, an argument) provably charged nothing.
    /// </summary>
    private static bool MayHaveRun(Exception exception) =>
        exception is SiloUnavailableException or TimeoutException or OrleansMessageRejectionException or SendUncertainException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Send for account {AccountId}: attempt {Attempt} ended without a definite answer ({Error}: {Reason}); repeating it")]
    private partial void LogRepeating(long accountId, int attempt, string error, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Send for account {AccountId}: no definite answer after {Attempts} attempts in {Seconds:0.0} s ({Error}: {Reason}); the request is left unanswered")]
    private partial void LogGaveUp(long accountId, int attempts, double seconds, string error, string reason);
}
