using System.Globalization;
using Taifa.Smpp.Pdus;

namespace Taifa.Silo.Smpp;

/// <summary>
/// Benchmark-only (<see cref="Options.SmppListenerOptions.NullResponder"/>): answers a bound session's valid submit_sm
/// with ESME_ROK and a generated message id straight from the read loop, without admission, grains, storage or
/// billing, so a load run measures the ceiling of the listener itself (socket, codec, intake parsing, writer).
/// Binds still authenticate normally. Nothing it accepts is recorded, dispatched or charged.
/// </summary>
internal sealed class NullSubmitResponder
{
    private long _lastId = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;

    public SubmitSmResp Answer(SubmitSm submit)
    {
        var response = (SubmitSmResp)submit.CreateResponse(CommandStatus.Ok);
        response.MessageId = Interlocked.Increment(ref _lastId).ToString(CultureInfo.InvariantCulture);
        return response;
    }
}
