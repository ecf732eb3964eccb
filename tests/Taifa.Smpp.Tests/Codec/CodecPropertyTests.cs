using System.Buffers;
using CsCheck;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;
using static Taifa.Smpp.Tests.Buffers;

namespace Taifa.Smpp.Tests.Codec;

public class CodecPropertyTests
{
    /// <summary>
    /// Iterations for CI; <c>TAIFA_FUZZ_SCALE=100</c> multiplies them for a long fuzzing run (millions of PDUs;
    /// docs/reliability.md).
    /// </summary>
    private static int Scaled(int iterations) =>
        iterations * (int.TryParse(Environment.GetEnvironmentVariable("TAIFA_FUZZ_SCALE"), out var scale) && scale > 1 ? scale : 1);

    [Fact]
    public void Every_pdu_written_reads_back_to_the_same_pdu_from_any_segmentation()
    {
        Gen.Select(PduGenerators.Pdu, Gen.Int[1, 300], Gen.Int[1, 40]).Sample((pdu, first, second) =>
        {
            var frame = SmppPduWriter.ToArray(pdu);
            var buffer = Segmented(frame, first, second);

            Assert.True(SmppFrameReader.Default.TryRead(ref buffer, out var decoded, out var error), "frame incomplete");

            Assert.Null(error);
            Assert.Equal(0, buffer.Length);
            Assert.IsType(pdu.GetType(), decoded);
            Assert.Equal(pdu.CommandStatus, decoded!.CommandStatus);
            Assert.Equal(pdu.SequenceNumber, decoded.SequenceNumber);
            Assert.Equal(frame, SmppPduWriter.ToArray(decoded));
        }, iter: Scaled(3000));
    }

    [Fact]
    public void Random_bytes_never_throw_and_every_frame_handled_makes_progress()
    {
        Gen.Byte.Array[0, 300].Sample(Drain, iter: Scaled(20_000));
    }

    [Fact]
    public void Random_bodies_behind_a_valid_header_are_a_pdu_or_a_recoverable_error_and_consume_exactly_their_frame()
    {
        Gen.Select(Gen.OneOf(PduGenerators.Commands), Gen.Byte.Array[0, 120]).Sample((commandId, body) =>
        {
            var frame = RawFrame((uint)commandId, 1, body);
            var buffer = new ReadOnlySequence<byte>(frame);

            Assert.True(SmppFrameReader.Default.TryRead(ref buffer, out var pdu, out var error));

            Assert.Equal(0, buffer.Length);
            Assert.True(pdu is null ^ error is null);
            Assert.False(error is { IsFatal: true });
            if (pdu is not null && body.Length > 0 && !pdu.OmitsBody)
            {
                // A tail too short to be a TLV is skipped; everything before it writes back as it came.
                Assert.InRange(pdu.IgnoredTrailingOctets, 0, 3);
                var written = SmppPduWriter.ToArray(pdu);
                Assert.Equal(frame.Length - pdu.IgnoredTrailingOctets, written.Length);
                Assert.Equal(frame[4..^pdu.IgnoredTrailingOctets], written[4..]);
            }
        }, iter: Scaled(20_000));
    }

    [Fact]
    public void Mutated_valid_streams_never_throw()
    {
        var mutation = Gen.Select(Gen.Int[0, 2], Gen.Int, Gen.Byte.Array[1, 8]);
        Gen.Select(PduGenerators.Pdu.Array[1, 3], mutation.Array[1, 4]).Sample((pdus, mutations) =>
        {
            var stream = pdus.SelectMany(SmppPduWriter.ToArray).ToList();
            foreach (var (kind, position, bytes) in mutations)
            {
                var at = (int)((uint)position % (uint)(stream.Count + 1));
                switch (kind)
                {
                    case 0:
                        stream.InsertRange(at, bytes);
                        break;
                    case 1:
                        stream.RemoveRange(at, Math.Min(bytes.Length, stream.Count - at));
                        break;
                    default:
                        for (var i = 0; i < bytes.Length && at + i < stream.Count; i++)
                        {
                            stream[at + i] = bytes[i];
                        }

                        break;
                }
            }

            Drain([.. stream]);
        }, iter: Scaled(5_000));
    }

    private static void Drain(byte[] stream)
    {
        var buffer = Segmented(stream, stream.Length / 3);
        while (SmppFrameReader.Default.TryRead(ref buffer, out var pdu, out var error))
        {
            Assert.True(pdu is null ^ error is null);
            if (error is { IsFatal: true })
            {
                Assert.NotNull(error.CreateReply());
                return;
            }

            error?.CreateReply();
        }

        Assert.InRange(buffer.Length, 0, stream.Length);
    }
}
