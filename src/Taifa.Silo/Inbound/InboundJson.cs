using System.Globalization;
using System.Text.Json;
using Taifa.Grains.Inbound;
using Taifa.Silo.Api;

namespace Taifa.Silo.Inbound;

/// <summary>An inbound message as the webhook and <c>GET /v2/sms/inbound</c> show it (ids and network as strings, like the rest of the API).</summary>
public static class InboundJson
{
    public static void Write(Utf8JsonWriter writer, InboundMessage message)
    {
        writer.WriteStartObject();
        writer.WriteString("inbound_id", message.InboundId.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("from", message.From);
        writer.WriteString("to", message.To);
        if (message.Keyword is null) writer.WriteNull("keyword");
        else writer.WriteString("keyword", message.Keyword);
        writer.WriteString("text", message.Text);
        writer.WriteString("network_id", message.NetworkId.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("received_at", NairobiTime.Format(message.ReceivedAt));
        writer.WriteBoolean("opt_out", message.OptOut);
        writer.WriteEndObject();
    }
}
