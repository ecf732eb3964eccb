using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Domain.Money;

namespace Taifa.Silo.Api;

/// <summary>
/// Writes the customer API's response bodies byte for byte as the API document shows them:
/// every value a string, always HTTP 200, the status_code field telling the outcome.
/// </summary>
public static class SmsResponses
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false };

    public static IResult Error(TaifaStatus status, ResponseType responseType) => responseType == ResponseType.Plain
        ? Plain($"{status.Code()};{status.Description()}")
        : Json(writer =>
        {
            writer.WriteStartArray();
            WriteStatus(writer, status);
            writer.WriteEndObject();
            writer.WriteEndArray();
        });

    public static IResult Sent(IReadOnlyList<SendOutcome> outcomes, ResponseType responseType)
    {
        if (responseType == ResponseType.Plain)
        {
            return Plain(string.Join('\n', outcomes.Select(o => $"{o.Status.Code()};{o.Status.Description()}")));
        }

        return Json(writer =>
        {
            writer.WriteStartArray();
            foreach (var outcome in outcomes)
            {
                WriteStatus(writer, outcome.Status);
                if (outcome.Status == TaifaStatus.Success)
                {
                    writer.WriteString("message_id", outcome.MessageId.ToString(CultureInfo.InvariantCulture));
                    writer.WriteString("recipient_id", outcome.RecipientId.ToString(CultureInfo.InvariantCulture));
                    writer.WriteString("mobile_number", outcome.MobileNumber);
                    writer.WriteString("network_id", outcome.NetworkId.ToString(CultureInfo.InvariantCulture));
                    writer.WriteString("message_cost", Money.Format(outcome.Cost));
                    writer.WriteString("credit_balance", Money.Format(outcome.CreditBalance));
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    public static IResult Json(Action<Utf8JsonWriter> write) => TypedResults.Bytes(JsonBytes(write), "application/json");

    public static byte[] JsonBytes(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions)) write(writer);
        return buffer.WrittenMemory.ToArray();
    }

    private static ContentHttpResult Plain(string text) => TypedResults.Text(text, "text/plain", Encoding.UTF8);

    private static void WriteStatus(Utf8JsonWriter writer, TaifaStatus status)
    {
        writer.WriteStartObject();
        writer.WriteString("status_code", status.Code());
        writer.WriteString("status_desc", status.Description());
    }
}
