using Taifa.Smpp.Pdus;

namespace Taifa.Operators.Client;

/// <summary>
/// What became of one submit_sm. The caller acts on the kind: record the id, slow down, retry later, or fail the
/// message for good.
/// </summary>
public abstract record SubmitOutcome
{
    private SubmitOutcome()
    {
    }

    /// <summary>The SMSC took the message; receipts will name it by <paramref name="OperatorMessageId"/>.</summary>
    public sealed record Accepted(string OperatorMessageId) : SubmitOutcome;

    /// <summary>The SMSC asks us to send more slowly (ESME_RTHROTTLED or ESME_RMSGQFUL); the message was not taken.</summary>
    public sealed record Throttled(CommandStatus Status) : SubmitOutcome;

    /// <summary>
    /// The message was not taken this time but may be later: an SMSC-side error, no answer in time, or the connection
    /// lost while waiting (then the SMSC may in fact have taken it, so a retry can duplicate). <paramref name="Status"/>
    /// is null when there was no answer.
    /// </summary>
    public sealed record TemporaryFailure(CommandStatus? Status, string Reason) : SubmitOutcome;

    /// <summary>The SMSC refuses the message itself (bad address, coding, fields); sending it again will not help.</summary>
    public sealed record PermanentRejection(CommandStatus Status) : SubmitOutcome;

    /// <summary>
    /// Nothing was sent: the submit_sm breaks an SMPP limit (a short_message over 254 octets, an address too long), so
    /// no SMSC can be sent it and trying again will not help. <paramref name="Status"/> is what an SMSC would answer.
    /// </summary>
    public sealed record Unsendable(CommandStatus Status, string Reason) : SubmitOutcome;

    /// <summary>Nothing was sent: the bind is not bound now. Wait for it (<see cref="OperatorBind.WaitUntilBoundAsync"/>) and retry.</summary>
    public sealed record NotBound : SubmitOutcome
    {
        public static NotBound Instance { get; } = new();
    }

    /// <summary>The outcome a submit_sm_resp (or a generic_nack in its place) reports.</summary>
    public static SubmitOutcome FromResponse(SmppResponse response) => Classify(response.CommandStatus) switch
    {
        SubmitStatusClass.Accepted => new Accepted(response is SubmitSmResp resp ? resp.MessageId : string.Empty),
        SubmitStatusClass.Throttled => new Throttled(response.CommandStatus),
        SubmitStatusClass.Permanent => new PermanentRejection(response.CommandStatus),
        _ => new TemporaryFailure(response.CommandStatus, $"The SMSC answered {response.CommandId} with status 0x{(uint)response.CommandStatus:X8} ({response.CommandStatus})."),
    };

    /// <summary>
    /// How a command_status of submit_sm_resp is read.
    /// <list type="table">
    /// <item><term>Accepted</term><description>ESME_ROK.</description></item>
    /// <item><term>Throttled</term><description>ESME_RTHROTTLED, ESME_RMSGQFUL.</description></item>
    /// <item><term>Permanent</term><description>The message or its fields are bad, so a retry gets the same answer:
    /// RINVMSGLEN, RINVCMDLEN and RINVCMDID (the SMSC cannot read what we sent), RINVPRTFLG, RINVREGDLVFLG,
    /// RINVSRCADR, RINVDSTADR, RINVSERTYP, RINVNUMDESTS, RINVDLNAME, RINVDESTFLAG, RINVSUBREP, RINVESMCLASS, RCNTSUBDL,
    /// RSUBMITFAIL, RINVSRCTON/NPI, RINVDSTTON/NPI, RINVREPFLAG, RINVNUMMSGS, RINVSCHED, RINVEXPIRY, RINVDFTMSGID,
    /// RX_P_APPN, RX_R_APPN, the optional-parameter errors 0xC0-0xC4, RDELIVERYFAILURE and RINVDCS.</description></item>
    /// <item><term>Temporary</term><description>Everything else: RSYSERR, RX_T_APPN, RUNKNOWNERR, session-level
    /// statuses that say nothing about the message (RINVBNDSTS, RALYBND, RBINDFAIL, RINVPASWD, RINVSYSID,
    /// RINVSYSTYP, RINVMSGID, RCANCELFAIL, RREPLACEFAIL, RQUERYFAIL) and every vendor-specific or unknown value. A
    /// temporary failure is retried a bounded number of times, so an unknown status costs a few attempts rather than
    /// a wrongful refund.</description></item>
    /// </list>
    /// </summary>
    public static SubmitStatusClass Classify(CommandStatus status) => status switch
    {
        CommandStatus.Ok => SubmitStatusClass.Accepted,
        CommandStatus.Throttled or CommandStatus.MessageQueueFull => SubmitStatusClass.Throttled,
        CommandStatus.InvalidMessageLength or CommandStatus.InvalidCommandLength or CommandStatus.InvalidCommandId
            or CommandStatus.InvalidPriorityFlag or CommandStatus.InvalidRegisteredDeliveryFlag
            or CommandStatus.InvalidSourceAddress or CommandStatus.InvalidDestinationAddress
            or CommandStatus.InvalidServiceType or CommandStatus.InvalidNumberOfDestinations
            or CommandStatus.InvalidDistributionListName or CommandStatus.InvalidDestinationFlag
            or CommandStatus.InvalidSubmitWithReplace or CommandStatus.InvalidEsmClass
            or CommandStatus.CannotSubmitToDistributionList or CommandStatus.SubmitFailed
            or CommandStatus.InvalidSourceTon or CommandStatus.InvalidSourceNpi or CommandStatus.InvalidDestinationTon
            or CommandStatus.InvalidDestinationNpi or CommandStatus.InvalidReplaceIfPresentFlag
            or CommandStatus.InvalidNumberOfMessages or CommandStatus.InvalidScheduledDeliveryTime
            or CommandStatus.InvalidExpiry or CommandStatus.InvalidPredefinedMessageId
            or CommandStatus.ReceiverPermanentError or CommandStatus.ReceiverRejectedMessage
            or CommandStatus.InvalidOptionalParameterStream or CommandStatus.OptionalParameterNotAllowed
            or CommandStatus.InvalidParameterLength or CommandStatus.MissingOptionalParameter
            or CommandStatus.InvalidOptionalParameterValue or CommandStatus.DeliveryFailure
            or CommandStatus.InvalidDataCoding => SubmitStatusClass.Permanent,
        _ => SubmitStatusClass.Temporary,
    };
}

/// <summary>The kinds of submit_sm_resp command_status; see <see cref="SubmitOutcome.Classify"/>.</summary>
public enum SubmitStatusClass
{
    Accepted,
    Throttled,
    Temporary,
    Permanent,
}
