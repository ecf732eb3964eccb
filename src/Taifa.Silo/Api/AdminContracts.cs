using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Taifa.Abstractions.Accounts;
using Taifa.Domain.Money;

namespace Taifa.Silo.Api;

// The admin API's bodies. Requests are read by AdminBody<T>; the handlers check each field (AdminApi).

public sealed record OpenAccountRequest
{
    [JsonPropertyName("name"), Description("1 to 200 characters")]
    public string? Name { get; init; }

    [JsonPropertyName("credit_balance"), Description("Opening balance; default 0")]
    public AdminAmount? CreditBalance { get; init; }

    [JsonPropertyName("price_per_sms"), Description("Default price per part; default 1.00")]
    public AdminAmount? PricePerSms { get; init; }

    [JsonPropertyName("sender_ids")]
    public IReadOnlyList<string?>? SenderIds { get; init; }
}

public sealed record CreditRequest
{
    [JsonPropertyName("amount"), Description("A positive amount")]
    public AdminAmount? Amount { get; init; }
}

public sealed record SenderIdRequest
{
    [JsonPropertyName("sender_id"), Description("1-11 letters, digits or spaces, or a number of up to 15 digits")]
    public string? SenderId { get; init; }
}

public sealed record RateCardRequest
{
    [JsonPropertyName("default"), Description("Price per part on networks not listed")]
    public AdminAmount? Default { get; init; }

    [JsonPropertyName("networks"), Description("Price per part by network_id")]
    public NetworkPrices? Networks { get; init; }
}

public sealed record AllowedAddressesRequest
{
    [JsonPropertyName("allowed_addresses"), Description("IPv4 or IPv6 addresses or CIDR blocks; empty clears the list")]
    public IReadOnlyList<string?>? AllowedAddresses { get; init; }
}

public sealed record PortalUserRequest
{
    [JsonPropertyName("email")]
    public string? Email { get; init; }

    [JsonPropertyName("password")]
    public string? Password { get; init; }
}

public sealed record InboundNumberRequest
{
    [JsonPropertyName("number"), Description("A short code or long number of 3 to 15 digits")]
    public string? Number { get; init; }

    [JsonPropertyName("keyword"), Description("Only messages starting with this word (any case)")]
    public string? Keyword { get; init; }
}

/// <summary>An account as the admin API shows it; <see cref="ApiKey"/> only when one was just issued.</summary>
public sealed record AccountResponse(
    [property: JsonPropertyName("account_id")] string AccountId,
    [property: JsonPropertyName("api_key"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ApiKey,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("credit_balance")] string CreditBalance,
    [property: JsonPropertyName("price_per_sms")] string PricePerSms,
    [property: JsonPropertyName("prices")] RateCardResponse Prices,
    [property: JsonPropertyName("sender_ids")] IReadOnlyList<string> SenderIds,
    [property: JsonPropertyName("smpp_username"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? SmppUsername,
    [property: JsonPropertyName("allowed_addresses")] IReadOnlyList<string> AllowedAddresses,
    [property: JsonPropertyName("created_at")] string CreatedAt)
{
    public static AccountResponse From(AccountView view, string? apiKey = null) => new(
        AdminApi.AccountIdText(view.AccountId),
        apiKey,
        view.Name,
        view.Status == AccountStatus.Active ? "active" : "suspended",
        Money.Format(view.CreditBalance),
        Money.Format(view.PricePerSms),
        new RateCardResponse(
            Money.Format(view.PricePerSms),
            view.NetworkPrices.OrderBy(p => p.Key).ToDictionary(p => p.Key.ToString(CultureInfo.InvariantCulture), p => Money.Format(p.Value))),
        view.SenderIds,
        view.SmppUsername,
        view.AllowedAddresses,
        view.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
}

public sealed record RateCardResponse(
    [property: JsonPropertyName("default")] string Default,
    [property: JsonPropertyName("networks")] IReadOnlyDictionary<string, string> Networks);

public sealed record ApiKeyResponse(
    [property: JsonPropertyName("account_id")] string AccountId,
    [property: JsonPropertyName("api_key")] string ApiKey);

public sealed record PortalUserResponse(
    [property: JsonPropertyName("account_id")] string AccountId,
    [property: JsonPropertyName("email")] string Email);

public sealed record InboundNumberResponse(
    [property: JsonPropertyName("account_id")] string AccountId,
    [property: JsonPropertyName("number")] string Number,
    [property: JsonPropertyName("keyword"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Keyword);

/// <summary>
/// An amount of money as the admin API accepts it: a JSON number or a decimal string, with at most two decimals and
/// at most 1,000,000,000. Anything else reads as an amount that is not <see cref="IsValid"/>, so the handler can
/// name the field.
/// </summary>
[JsonConverter(typeof(Converter))]
public readonly record struct AdminAmount(decimal Value, bool IsValid)
{
    private const decimal Ceiling = 1_000_000_000m;

    public static readonly AdminAmount Invalid = new(0m, false);

    public static AdminAmount Read(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                return reader.TryGetDecimal(out var number) && decimal.Round(number, 2) == number && number <= Ceiling ? new(number, true) : Invalid;
            case JsonTokenType.String:
                return Money.TryParse(reader.GetString(), out var parsed) && parsed <= Ceiling ? new(parsed, true) : Invalid;
            default:
                reader.Skip();
                return Invalid;
        }
    }

    public sealed class Converter : JsonConverter<AdminAmount>
    {
        public override bool HandleNull => true;

        public override AdminAmount Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => AdminAmount.Read(ref reader);

        public override void Write(Utf8JsonWriter writer, AdminAmount value, JsonSerializerOptions options) => writer.WriteStringValue(Money.Format(value.Value));
    }
}

/// <summary>A rate card's network prices in the order written, repeated keys included (a repeat is refused, not merged).</summary>
[JsonConverter(typeof(Converter))]
public sealed class NetworkPrices(IReadOnlyList<KeyValuePair<string, AdminAmount>> entries)
{
    public IReadOnlyList<KeyValuePair<string, AdminAmount>> Entries { get; } = entries;

    public sealed class Converter : JsonConverter<NetworkPrices>
    {
        public override NetworkPrices Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("networks must be an object.");
            var entries = new List<KeyValuePair<string, AdminAmount>>();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var networkId = reader.GetString()!;
                reader.Read();
                entries.Add(new(networkId, AdminAmount.Read(ref reader)));
            }

            return new NetworkPrices(entries);
        }

        public override void Write(Utf8JsonWriter writer, NetworkPrices value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            foreach (var (networkId, price) in value.Entries) writer.WriteString(networkId, Money.Format(price.Value));
            writer.WriteEndObject();
        }
    }
}

/// <summary>Describes the two request types whose JSON converters the schema generator cannot see through.</summary>
internal sealed class AdminSchemas : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type) ?? context.JsonTypeInfo.Type;
        if (type == typeof(AdminAmount))
        {
            Amount(schema);
        }
        else if (type == typeof(NetworkPrices))
        {
            schema.Type = JsonSchemaType.Object;
            var price = new OpenApiSchema();
            Amount(price);
            schema.AdditionalProperties = price;
        }

        return Task.CompletedTask;
    }

    private static void Amount(OpenApiSchema schema)
    {
        schema.Type = JsonSchemaType.Number | JsonSchemaType.String;
        schema.Description ??= "An amount with at most two decimals, as a JSON number or a decimal string such as \"12.50\"";
    }
}
