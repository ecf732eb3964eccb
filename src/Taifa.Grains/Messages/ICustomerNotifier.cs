using Taifa.Abstractions.Messages;

namespace Taifa.Grains.Messages;

/// <summary>Tells a customer a message's final status; implemented by the host (HTTP callbacks, SMPP sessions).</summary>
public interface ICustomerNotifier
{
    /// <summary>POSTs the status to the message's dlr_url; true once the customer's server answered 2xx.</summary>
    Task<bool> PostStatusAsync(MessageRecord message, CancellationToken cancellationToken);

    /// <summary>Sends a deliver_sm receipt to one of the account's receiver or transceiver sessions; true once acknowledged.</summary>
    Task<bool> SendSmppReceiptAsync(MessageRecord message, CancellationToken cancellationToken);
}
