using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Unicode;

namespace Taifa.Silo.Api;

public static class RequestBody
{
    /// <summary>
    /// Reads the whole body, or returns null as soon as it exceeds <paramref name="maxBytes"/> or Kestrel refuses it
    /// (too large for Taifa:Http:MaxRequestBodySize, arriving slower than its minimum data rate, malformed chunking).
    /// </summary>
    public static async Task<ReadOnlySequence<byte>?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes) return null;
        try
        {
            return await ReadAllAsync(request.BodyReader, maxBytes, cancellationToken);
        }
        catch (BadHttpRequestException)
        {
            return null;
        }
    }

    private static async Task<ReadOnlySequence<byte>?> ReadAllAsync(PipeReader reader, int maxBytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length > maxBytes)
            {
                reader.AdvanceTo(buffer.End);
                return null;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                var copy = new ReadOnlySequence<byte>(buffer.ToArray());
                reader.AdvanceTo(buffer.End);
                return copy;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// Parses a JSON body, or returns null for anything that is not JSON within <paramref name="maxDepth"/> or holds
    /// text that cannot be decoded. The parser lets malformed UTF-8 and lone surrogate escapes (<c>"\ud800"</c>) inside
    /// strings through and only fails when such a string is read, which would otherwise surface far from here.
    /// </summary>
    public static JsonDocument? ParseJson(ReadOnlySequence<byte> body, int maxDepth)
    {
        var valid = body.IsSingleSegment ? Utf8.IsValid(body.FirstSpan) : Utf8.IsValid(body.ToArray());
        if (!valid) return null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = maxDepth });
        }
        catch (JsonException)
        {
            return null;
        }

        try
        {
            DecodeAllText(document.RootElement);
            return document;
        }
        catch (InvalidOperationException)
        {
            document.Dispose();
            return null;
        }
    }

    private static void DecodeAllText(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                _ = element.GetString();
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    DecodeAllText(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray()) DecodeAllText(item);
                break;
        }
    }
}
