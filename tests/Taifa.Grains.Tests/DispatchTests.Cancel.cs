using Taifa.Abstractions.Messages;
using Taifa.Domain.Text;

namespace Taifa.Grains.Tests;

public sealed partial class DispatchTests
{
    private static long _nextCancelMessageId = 7_700_000_000;

    private static MessageRecord Queued(long accountId, decimal cost) => new()
    {
        MessageId = Interlocked.Increment(ref _nextCancelMessageId),
        RecipientId = 1,
        AccountId = accountId,
        MobileNumber = NewNumber(),
        NetworkId = 1,
        SenderId = "D" + accountId,
        Text = "cancel me",
        Encoding = SmsEncoding.Gsm7,
        Parts = 1,
        Cost = cost,
        Channel = MessageChannel.Rest,
        AcceptedAt = DateTimeOffset.UtcNow,
    };

    [Fact]
    public async Task A_message_no_dispatcher_claimed_cancels_once_and_a_claimed_one_is_too_late()
    {
        var (account, _) = await OpenAsync(10m);
        var waiting = Queued(account.GetPrimaryKeyLong(), 2m);
        var message = cluster.Grains.GetGrain<IMessageGrain>(waiting.MessageId);
        await message.Record(waiting);

        Assert.Equal(CancelOutcome.Cancelled, await message.Cancel());
        Assert.Equal(CancelOutcome.Cancelled, await message.Cancel());
        Assert.Equal(MessageStatus.Cancelled, (await message.Get())!.Status);
        Assert.Equal(new DispatchClaim(null, Settled: true), await message.ClaimDispatch(Guid.NewGuid()));

        // The refund follows on its own, once, however often the cancel is repeated.
        await WaitForBalance(account, 12m);

        var claimed = Queued(account.GetPrimaryKeyLong(), 2m);
        var handedOver = cluster.Grains.GetGrain<IMessageGrain>(claimed.MessageId);
        await handedOver.Record(claimed);
        Assert.NotNull((await handedOver.ClaimDispatch(Guid.NewGuid())).Record);
        Assert.Equal(CancelOutcome.TooLate, await handedOver.Cancel());
        Assert.Equal(MessageStatus.Queued, (await handedOver.Get())!.Status);
        Assert.Equal(CancelOutcome.Unknown, await cluster.Grains.GetGrain<IMessageGrain>(Interlocked.Increment(ref _nextCancelMessageId)).Cancel());

        await Task.Delay(200);
        Assert.Equal(12m, (await account.View())!.CreditBalance);
    }
}
