using System.Buffers;
using Taifa.Smpp.Pdus;

namespace Taifa.Smpp.Codec;

/// <summary>Writes PDUs as SMPP frames.</summary>
public static class SmppPduWriter
{
    /// <summary>
    /// Writes the header, with command_length computed, and the body straight into <paramref name="output"/>; the
    /// fields are checked before any byte is written, so an invalid PDU leaves the output untouched.
    /// </summary>
    /// <returns>The frame length.</returns>
    /// <exception cref="ArgumentException">A field breaks its SMPP limit (length, character set, count).</exception>
    public static int Write(Pdu pdu, IBufferWriter<byte> output)
    {
        var measure = PduWriter.Measuring();
        WriteBody(pdu, ref measure);
        var length = SmppFrameReader.HeaderLength + measure.Position;

        var writer = new PduWriter(output.GetSpan(length)[..length]);
        writer.WriteUInt32((uint)length);
        writer.WriteUInt32((uint)pdu.CommandId);
        writer.WriteUInt32((uint)pdu.CommandStatus);
        writer.WriteUInt32(pdu.SequenceNumber);
        WriteBody(pdu, ref writer);
        output.Advance(length);
        return length;
    }

    /// <summary>The frame as a new array, for tests and logs.</summary>
    public static byte[] ToArray(Pdu pdu)
    {
        var output = new ArrayBufferWriter<byte>();
        Write(pdu, output);
        return output.WrittenSpan.ToArray();
    }

    private static void WriteBody(Pdu pdu, ref PduWriter writer)
    {
        if (pdu.OmitsBody)
        {
            return;
        }

        pdu.WriteBody(ref writer);
        if (pdu.OptionalParametersIfAny is { } parameters) writer.WriteOptionalParameters(parameters);
    }
}
