using Taifa.Operators.Client;
using Taifa.Smpp.Pdus;

namespace Taifa.Operators.Tests;

public class SubmitOutcomeTests
{
    [Theory]
    [InlineData(CommandStatus.Ok, SubmitStatusClass.Accepted)]
    [InlineData(CommandStatus.Throttled, SubmitStatusClass.Throttled)]
    [InlineData(CommandStatus.MessageQueueFull, SubmitStatusClass.Throttled)]
    [InlineData(CommandStatus.SystemError, SubmitStatusClass.Temporary)]
    [InlineData(CommandStatus.ReceiverTemporaryError, SubmitStatusClass.Temporary)]
    [InlineData(CommandStatus.UnknownError, SubmitStatusClass.Temporary)]
    [InlineData(CommandStatus.IncorrectBindStatus, SubmitStatusClass.Temporary)]
    [InlineData(CommandStatus.InvalidPassword, SubmitStatusClass.Temporary)]
    [InlineData((CommandStatus)0x400, SubmitStatusClass.Temporary)]
    [InlineData(CommandStatus.InvalidDestinationAddress, SubmitStatusClass.Permanent)]
    [InlineData(CommandStatus.InvalidSourceAddress, SubmitStatusClass.Permanent)]
    [InlineData(CommandStatus.SubmitFailed, SubmitStatusClass.Permanent)]
    [InlineData(CommandStatus.InvalidDataCoding, SubmitStatusClass.Permanent)]
    [InlineData(CommandStatus.InvalidEsmClass, SubmitStatusClass.Permanent)]
    [InlineData(CommandStatus.InvalidMessageLength, SubmitStatusClass.Permanent)]
    [InlineData(CommandStatus.InvalidDestinationTon, SubmitStatusClass.Permanent)]
    [InlineData(CommandStatus.InvalidOptionalParameterValue, SubmitStatusClass.Permanent)]
    [InlineData(CommandStatus.ReceiverPermanentError, SubmitStatusClass.Permanent)]
    public void Statuses_are_classified_by_what_a_retry_can_change(CommandStatus status, SubmitStatusClass expected)
    {
        Assert.Equal(expected, SubmitOutcome.Classify(status));
    }

    [Fact]
    public void An_accepted_response_carries_its_message_id()
    {
        var response = new SubmitSmResp { MessageId = "A1B2" };

        Assert.Equal(new SubmitOutcome.Accepted("A1B2"), SubmitOutcome.FromResponse(response));
    }

    [Fact]
    public void A_generic_nack_is_classified_by_its_status()
    {
        Assert.Equal(new SubmitOutcome.Throttled(CommandStatus.Throttled), SubmitOutcome.FromResponse(new GenericNack(CommandStatus.Throttled, 1)));
        Assert.Equal(new SubmitOutcome.PermanentRejection(CommandStatus.InvalidCommandLength), SubmitOutcome.FromResponse(new GenericNack(CommandStatus.InvalidCommandLength, 1)));
    }
}
