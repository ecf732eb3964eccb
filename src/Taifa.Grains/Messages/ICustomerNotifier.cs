using Taifa.Abstractions.Messages;
using Taifa.Grains.Accounts;

namespace Taifa.Grains.Messages;

/// <summary>Tells a customer a message's final status, or that its balance is low; implemented by the host (HTTP callbacks, SMPP sessions).</summary>
public interface ICustomerNotifier
{
    /// <summary>POSTs the status to the message's dlr_url; true once the customer's server answered 2xx.</summary>
    Task<bool> PostStatusAsync(MessageRecord message, CancellationToken cancellationToken);

    /// <summary>POSTs a low-balance alert to its URL; true once the customer's server answered 2xx.</summary>
    Task<bool> PostLowBalanceAsync(LowBalanceNotice notice, CancellationToken cancellationToken);

    /// <summary>Hands a deliver_sm receipt to the account's SMPP receipt outbox; true once it is stored there.</summary>
    Task<bool> SendSmppReceiptAsync(MessageRecord message, CancellationToken cancellationToken);
}
