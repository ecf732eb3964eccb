namespace Taifa.Smpp.Pdus;

/// <summary>
/// SMPP v3.4 command_status values (§5.1.3). Each member's summary gives the spec name used in logs and by peers.
/// </summary>
public enum CommandStatus : uint
{
    /// <summary>ESME_ROK</summary>
    Ok = 0x00,
    /// <summary>ESME_RINVMSGLEN</summary>
    InvalidMessageLength = 0x01,
    /// <summary>ESME_RINVCMDLEN</summary>
    InvalidCommandLength = 0x02,
    /// <summary>ESME_RINVCMDID</summary>
    InvalidCommandId = 0x03,
    /// <summary>ESME_RINVBNDSTS: the command is not allowed in the session's bind state.</summary>
    IncorrectBindStatus = 0x04,
    /// <summary>ESME_RALYBND</summary>
    AlreadyBound = 0x05,
    /// <summary>ESME_RINVPRTFLG</summary>
    InvalidPriorityFlag = 0x06,
    /// <summary>ESME_RINVREGDLVFLG</summary>
    InvalidRegisteredDeliveryFlag = 0x07,
    /// <summary>ESME_RSYSERR</summary>
    SystemError = 0x08,
    /// <summary>ESME_RINVSRCADR</summary>
    InvalidSourceAddress = 0x0A,
    /// <summary>ESME_RINVDSTADR</summary>
    InvalidDestinationAddress = 0x0B,
    /// <summary>ESME_RINVMSGID</summary>
    InvalidMessageId = 0x0C,
    /// <summary>ESME_RBINDFAIL</summary>
    BindFailed = 0x0D,
    /// <summary>ESME_RINVPASWD</summary>
    InvalidPassword = 0x0E,
    /// <summary>ESME_RINVSYSID</summary>
    InvalidSystemId = 0x0F,
    /// <summary>ESME_RCANCELFAIL</summary>
    CancelFailed = 0x11,
    /// <summary>ESME_RREPLACEFAIL</summary>
    ReplaceFailed = 0x13,
    /// <summary>ESME_RMSGQFUL</summary>
    MessageQueueFull = 0x14,
    /// <summary>ESME_RINVSERTYP</summary>
    InvalidServiceType = 0x15,
    /// <summary>ESME_RINVNUMDESTS</summary>
    InvalidNumberOfDestinations = 0x33,
    /// <summary>ESME_RINVDLNAME</summary>
    InvalidDistributionListName = 0x34,
    /// <summary>ESME_RINVDESTFLAG</summary>
    InvalidDestinationFlag = 0x40,
    /// <summary>ESME_RINVSUBREP</summary>
    InvalidSubmitWithReplace = 0x42,
    /// <summary>ESME_RINVESMCLASS</summary>
    InvalidEsmClass = 0x43,
    /// <summary>ESME_RCNTSUBDL</summary>
    CannotSubmitToDistributionList = 0x44,
    /// <summary>ESME_RSUBMITFAIL</summary>
    SubmitFailed = 0x45,
    /// <summary>ESME_RINVSRCTON</summary>
    InvalidSourceTon = 0x48,
    /// <summary>ESME_RINVSRCNPI</summary>
    InvalidSourceNpi = 0x49,
    /// <summary>ESME_RINVDSTTON</summary>
    InvalidDestinationTon = 0x50,
    /// <summary>ESME_RINVDSTNPI</summary>
    InvalidDestinationNpi = 0x51,
    /// <summary>ESME_RINVSYSTYP</summary>
    InvalidSystemType = 0x53,
    /// <summary>ESME_RINVREPFLAG</summary>
    InvalidReplaceIfPresentFlag = 0x54,
    /// <summary>ESME_RINVNUMMSGS</summary>
    InvalidNumberOfMessages = 0x55,
    /// <summary>ESME_RTHROTTLED</summary>
    Throttled = 0x58,
    /// <summary>ESME_RINVSCHED</summary>
    InvalidScheduledDeliveryTime = 0x61,
    /// <summary>ESME_RINVEXPIRY</summary>
    InvalidExpiry = 0x62,
    /// <summary>ESME_RINVDFTMSGID</summary>
    InvalidPredefinedMessageId = 0x63,
    /// <summary>ESME_RX_T_APPN: temporary error at the receiving ESME; the SMSC retries.</summary>
    ReceiverTemporaryError = 0x64,
    /// <summary>ESME_RX_P_APPN: permanent error at the receiving ESME.</summary>
    ReceiverPermanentError = 0x65,
    /// <summary>ESME_RX_R_APPN</summary>
    ReceiverRejectedMessage = 0x66,
    /// <summary>ESME_RQUERYFAIL</summary>
    QueryFailed = 0x67,
    /// <summary>ESME_RINVOPTPARSTREAM</summary>
    InvalidOptionalParameterStream = 0xC0,
    /// <summary>ESME_ROPTPARNOTALLWD</summary>
    OptionalParameterNotAllowed = 0xC1,
    /// <summary>ESME_RINVPARLEN</summary>
    InvalidParameterLength = 0xC2,
    /// <summary>ESME_RMISSINGOPTPARAM</summary>
    MissingOptionalParameter = 0xC3,
    /// <summary>ESME_RINVOPTPARAMVAL</summary>
    InvalidOptionalParameterValue = 0xC4,
    /// <summary>ESME_RDELIVERYFAILURE (data_sm_resp)</summary>
    DeliveryFailure = 0xFE,
    /// <summary>ESME_RUNKNOWNERR</summary>
    UnknownError = 0xFF,
    /// <summary>ESME_RINVDCS. Defined by SMPP v5.0, not v3.4; many v3.4 SMSCs send it all the same.</summary>
    InvalidDataCoding = 0x104,
}
