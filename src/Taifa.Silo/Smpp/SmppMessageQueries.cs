using System.Globalization;
using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Messages;
using Taifa.Grains.Dispatch;
using Taifa.Silo.Hosting;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Session;

namespace Taifa.Silo.Smpp;

/// <summary>
/// query_sm and cancel_sm of one bound server session, answered off the read loop from the bound account's own
/// messages (another account's id answers as an unknown one). The message_id is the one submit_sm_resp gave.
/// source_addr is not compared: the bind already names the account, and peers differ in how they repeat it.
/// </summary>
internal sealed partial class SmppMessageQueries(IGrainFactory grains, SmppChannel channel, Guid sessionId, ILogger logger)
{
    private readonly ILogger _logger = logger;

    public void Query(QuerySm query, long accountId) => _ = Answer(query, accountId, async (account, messageId) =>
    {
        var lookup = await account.FindMessage(null, null, messageId);
        if (lookup.Message is not { } message) return query.CreateResponse(lookup.Status == TaifaStatus.UnknownMessageId ? CommandStatus.QueryFailed : CommandStatus.SystemError);
        var response = query.CreateResponse();
        response.MessageId = query.MessageId;
        response.MessageState = SmppMessageStates.Of(message.Status);
        if (message.Status.IsFinal() && message.DoneAt is { } done) response.FinalDate = SmppTime.Format(done);
        response.ErrorCode = NetworkErrorCode(message.OperatorErrorCode);
        return response;
    });

    public void Cancel(CancelSm cancel, long accountId)
    {
        if (cancel.MessageId.Length == 0)
        {
            // Cancelling every pending message from source to destination is not offered: only by message_id.
            LogCancelRefused(sessionId, accountId, cancel.SequenceNumber, "no message_id");
            channel.Send(cancel.CreateResponse(CommandStatus.CancelFailed));
            return;
        }

        _ = Answer(cancel, accountId, async (account, messageId) =>
        {
            var outcome = await account.CancelMessage(null, null, messageId);
            var status = outcome.Status switch
            {
                TaifaStatus.Success => CommandStatus.Ok,
                TaifaStatus.MessageNotCancellable => CommandStatus.CancelFailed,
                TaifaStatus.UnknownMessageId => CommandStatus.InvalidMessageId,
                _ => CommandStatus.SystemError,
            };
            if (status != CommandStatus.Ok) LogCancelRefused(sessionId, accountId, cancel.SequenceNumber, outcome.Status.Description());
            return cancel.CreateResponse(status);
        });
    }

    private async Task Answer<TRequest>(TRequest request, long accountId, Func<IAccountGrain, long, Task<SmppResponse>> answer)
        where TRequest : SmppRequest
    {
        SmppResponse response;
        var messageId = request switch
        {
            QuerySm query => query.MessageId,
            CancelSm cancel => cancel.MessageId,
            _ => "",
        };
        if (!long.TryParse(messageId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            response = request.CreateResponse(CommandStatus.InvalidMessageId);
        }
        else
        {
            try
            {
                response = await answer(grains.GetGrain<IAccountGrain>(accountId), id);
            }
            catch (Exception exception)
            {
                LogFailed(Failures.Level(exception), Failures.StackWorthy(exception), sessionId, accountId, request.CommandId, request.SequenceNumber, Failures.Reason(exception));
                response = request.CreateResponse(CommandStatus.SystemError);
            }
        }

        // False when the session closed meanwhile: nothing was charged, and the peer asks again on its next session.
        channel.Send(response);
    }

    /// <summary>error_code is one octet (§5.2.31): the operator's numeric error code when it fits, else 0.</summary>
    private static byte NetworkErrorCode(string? operatorErrorCode) =>
        OperatorErrorCodes.Normalize(operatorErrorCode) is { } code && byte.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : (byte)0;

    [LoggerMessage(Level = LogLevel.Information, Message = "SMPP session {SessionId} account {AccountId}: cancel_sm seq {SequenceNumber} refused: {Reason}")]
    private partial void LogCancelRefused(Guid sessionId, long accountId, uint sequenceNumber, string reason);

    [LoggerMessage(Message = "SMPP session {SessionId} account {AccountId}: {CommandId} seq {SequenceNumber} failed ({Reason})")]
    private partial void LogFailed(LogLevel level, Exception? exception, Guid sessionId, long accountId, CommandId commandId, uint sequenceNumber, string reason);
}
