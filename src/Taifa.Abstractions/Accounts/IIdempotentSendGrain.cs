namespace Taifa.Abstractions.Accounts;

[GenerateSerializer, Immutable, Alias("taifa.idempotent-send.v1")]
public sealed record IdempotentSend(
    [property: Id(0)] bool KeyReusedWithAnotherBody,
    [property: Id(1)] bool Replayed,
    [property: Id(2)] SendResult? Result);

/// <summary>
/// One client-chosen Idempotency-Key of one account (key: "{accountId}:{sha256 of the key}"). Repeats of the same
/// request within the retention get the first answer instead of a second send; the grain is not reentrant, so a
/// repeat that arrives while the first is still being sent waits for it.
/// </summary>
[Alias("taifa.IIdempotentSendGrain")]
public interface IIdempotentSendGrain : IGrainWithStringKey
{
    [Alias("Send")]
    [ResponseTimeout(IAccountGrain.SendTimeout)]
    Task<IdempotentSend> Send(string requestDigest, SendCommand command, TimeSpan retention);
}
