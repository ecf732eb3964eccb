using System.Buffers;
using System.Buffers.Binary;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;

namespace Taifa.Smpp.Tests;

internal static class Buffers
{
    /// <summary>Hex with any white space between the digits.</summary>
    public static byte[] Hex(string hex) => Convert.FromHexString(string.Concat(hex.Where(c => !char.IsWhiteSpace(c))));

    /// <summary>The bytes as a sequence of segments of the given sizes (the last one takes the rest).</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] bytes, params int[] sizes)
    {
        var chunks = new List<byte[]>();
        var offset = 0;
        foreach (var size in sizes)
        {
            var take = Math.Min(size, bytes.Length - offset);
            chunks.Add(bytes.AsSpan(offset, take).ToArray());
            offset += take;
        }

        chunks.Add(bytes.AsSpan(offset).ToArray());
        return Segment.Chain(chunks);
    }

    /// <summary>One segment per byte.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] bytes) =>
        bytes.Length == 0 ? ReadOnlySequence<byte>.Empty : Segment.Chain(bytes.Select(b => new[] { b }).ToList());

    /// <summary>A frame around any body, also one the writer would refuse to produce.</summary>
    public static byte[] RawFrame(uint commandId, uint sequenceNumber, byte[] body)
    {
        var frame = new byte[16 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)frame.Length);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), commandId);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(12), sequenceNumber);
        body.CopyTo(frame, 16);
        return frame;
    }

    /// <summary>Decodes one PDU that must fill the buffer exactly.</summary>
    public static T DecodeOnly<T>(byte[] frame)
        where T : Pdu
    {
        var buffer = new ReadOnlySequence<byte>(frame);
        Assert.True(SmppFrameReader.Default.TryRead(ref buffer, out var pdu, out var error), "the frame was not complete");
        Assert.Null(error);
        Assert.Equal(0, buffer.Length);
        return Assert.IsAssignableFrom<T>(pdu);
    }

    /// <summary>Decodes one frame that must be rejected, and checks that it was consumed unless the error is fatal.</summary>
    public static SmppDecodeError DecodeError(byte[] frame)
    {
        var buffer = new ReadOnlySequence<byte>(frame);
        Assert.True(SmppFrameReader.Default.TryRead(ref buffer, out var pdu, out var error), "the frame was not complete");
        Assert.Null(pdu);
        Assert.NotNull(error);
        Assert.Equal(error.IsFatal ? frame.Length : 0, buffer.Length);
        return error;
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        private Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Chain(List<byte[]> chunks)
        {
            var first = new Segment(chunks[0], 0);
            var last = first;
            foreach (var chunk in chunks.Skip(1))
            {
                var next = new Segment(chunk, last.RunningIndex + last.Memory.Length);
                last.Next = next;
                last = next;
            }

            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
