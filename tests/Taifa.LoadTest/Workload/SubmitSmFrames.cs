using System.Globalization;
using Taifa.Smpp.Codec;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Text;

namespace Taifa.LoadTest.Workload;

/// <summary>
/// Encoded submit_sm frames for one bind, made once before the run so that sending costs a copy and a patched
/// sequence number: the tool must outrun the gateway by far, or it would hide the ceiling it measures. A pool of
/// distinct messages (text, recipient and concatenation reference vary) is cycled; a long message is its
/// UDH-concatenated segments, each its own submit_sm and billed as one part.
/// </summary>
public sealed class SubmitSmFrames
{
    /// <summary>Byte offset of sequence_number in the SMPP header.</summary>
    public const int SequenceOffset = 12;

    private readonly byte[][][] _messages;
    private int _message;
    private int _segment;

    public SubmitSmFrames(SendWorkload workload, string senderId, int messages, int seed)
    {
        var random = new Random(seed);
        _messages = new byte[messages][][];
        for (var i = 0; i < messages; i++)
        {
            var text = workload.NextMessage(((long)seed * messages) + i, random);
            var template = new SubmitSm
            {
                Source = SmppAddress.Alphanumeric(senderId),
                Destination = SmppAddress.International(International(workload.NextMobiles(random))),
            };
            // Reference: 8 bits in the UDH; consecutive messages on one bind never share one while in flight.
            var reference = (byte)(i & 0xFF);
            _messages[i] = [.. MessageSplitter.CreateSubmitSms(template, text, reference).Select(SmppPduWriter.ToArray)];
        }

        _message = random.Next(messages);
    }

    /// <summary>Submit_sm frames in the pool (segments count one each).</summary>
    public int FrameCount => _messages.Sum(m => m.Length);

    /// <summary>The next frame to send, its segments in order; the caller patches the sequence number into its copy.</summary>
    public byte[] Next()
    {
        var message = _messages[_message];
        var frame = message[_segment];
        if (++_segment == message.Length)
        {
            _segment = 0;
            _message = (_message + 1) % _messages.Length;
        }

        return frame;
    }

    /// <summary>True between the segments of a long message: the sender finishes it before stopping.</summary>
    public bool InsideMessage => _segment != 0;

    /// <summary>07xx… or 01xx… (what <see cref="SendWorkload"/> makes) as 2547xx…, the international form binds send.</summary>
    private static string International(string local) =>
        string.Create(CultureInfo.InvariantCulture, $"254{local.AsSpan(1)}");
}
