using System.Buffers;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Metadata;

namespace Taifa.Silo.Api;

/// <summary>
/// The JSON body of an admin request, read into <typeparamref name="T"/> only when the handler asks: after the admin
/// token filter has let the request through, so an unauthenticated caller never has its body read. The framework's
/// own body binding is not used because its refusals differ from ours: it matches names in any case, and answers a
/// malformed body before the handler could say which field is at fault.
/// </summary>
/// <remarks>
/// A property holding a JSON value of the wrong kind (a number where a string belongs) does not fail the whole
/// body: it is left out of <see cref="Request"/> and reported by <see cref="Fault"/>, so each handler checks its
/// fields in its own order and names the first one at fault, whatever order the client wrote them in.
/// </remarks>
public sealed class AdminBody<T> : IBindableFromHttpContext<AdminBody<T>>, IEndpointParameterMetadataProvider where T : class
{
    private const int MaxBytes = 64 * 1024;
    private const int MaxDepth = 8;

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = false,
        NumberHandling = JsonNumberHandling.Strict,
        MaxDepth = MaxDepth,
    };

    private readonly HttpContext _http;
    private readonly Dictionary<string, string> _faults = new(StringComparer.Ordinal);

    private AdminBody(HttpContext http) => _http = http;

    /// <summary>The body read, or null when it is not a JSON object (empty, not JSON, too deep, over 64 KiB, undecodable text).</summary>
    public T? Request { get; private set; }

#pragma warning disable CA1000 // the binding and metadata interfaces are static abstract: these members are how the framework finds them
    public static ValueTask<AdminBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter) => ValueTask.FromResult<AdminBody<T>?>(new(context));

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) => builder.Metadata.Add(new JsonBody(typeof(T)));
#pragma warning restore CA1000

    /// <summary>
    /// Null when the property was absent or of the right kind; "" when its value was of the wrong kind; otherwise the
    /// JSON path, below the property, of the first value at fault (such as "[2]" for the third item of an array).
    /// </summary>
    public string? Fault(string property) => _faults.GetValueOrDefault(property);

    public async Task<AdminBody<T>> ReadAsync()
    {
        var body = await RequestBody.ReadAsync(_http.Request, MaxBytes, _http.RequestAborted);
        if (body is null) return this;
        using var document = RequestBody.ParseJson(body.Value, MaxDepth);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } root) return this;
        var json = root;
        while (true)
        {
            try
            {
                Request = json.Deserialize<T>(Options);
                return this;
            }
            catch (JsonException exception) when (PropertyAt(exception.Path) is { } fault && !_faults.ContainsKey(fault.Property))
            {
                // A repeated property counts by its last value, as JsonElement.TryGetProperty reads it: drop the earlier ones first.
                var repeated = json.EnumerateObject().Count(member => member.NameEquals(fault.Property)) > 1;
                if (!repeated) _faults[fault.Property] = fault.Below;
                json = Without(json, fault.Property, keepLast: repeated);
            }
        }
    }

    /// <summary>"$.sender_ids[2]" is ("sender_ids", "[2]"); the properties of these records are plain identifiers.</summary>
    private static (string Property, string Below)? PropertyAt(string? path)
    {
        if (path is null || !path.StartsWith("$.", StringComparison.Ordinal)) return null;
        var name = path[2..];
        var end = name.IndexOfAny(['.', '[']);
        return end < 0 ? (name, "") : (name[..end], name[end..]);
    }

    private static JsonElement Without(JsonElement root, string property, bool keepLast)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            var left = root.EnumerateObject().Count(member => member.NameEquals(property));
            foreach (var member in root.EnumerateObject())
            {
                if (member.NameEquals(property) && (--left > 0 || !keepLast)) continue;
                member.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// Tells the OpenAPI document the body's schema (as application/json, its default). No content types are named:
    /// routing would then answer 415 to a body sent as anything else, which the admin API has always read as JSON.
    /// </summary>
    private sealed record JsonBody(Type RequestType) : IAcceptsMetadata
    {
        public IReadOnlyList<string> ContentTypes { get; } = [];

        public bool IsOptional => false;
    }
}
