namespace Taifa.Abstractions.Smpp;

/// <summary>
/// The SMPP receipts of one account (key: account id) that no receiving session has acknowledged yet, held durably
/// until one does or the retention passes, so the messages they are about need not stay in memory.
/// </summary>
[Alias("taifa.ISmppReceiptOutboxGrain")]
public interface ISmppReceiptOutboxGrain : IGrainWithIntegerKey
{
    /// <summary>Takes the receipt (a repeat for the same message is a no-op); answers once it is stored.</summary>
    [Alias("Park")]
    Task Park(SmppReceipt receipt);

    /// <summary>A receiver or transceiver session of the account bound: deliver what waits.</summary>
    [Alias("ReceiverBound"), Orleans.Concurrency.OneWay]
    Task ReceiverBound();

    /// <summary>A session's outcome for a receipt it sent: acknowledged with ESME_ROK, or not (an error, no answer, closed).</summary>
    [Alias("Settled"), Orleans.Concurrency.OneWay]
    Task Settled(long messageId, bool delivered);
}
