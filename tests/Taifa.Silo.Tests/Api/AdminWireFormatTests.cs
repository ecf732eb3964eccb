using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Api;

/// <summary>
/// The admin API's exact bytes: property names and order, money as strings with two decimals, status codes,
/// Location headers and every problem-details body, so a change of how the bodies are read or written cannot
/// change what a client sees.
/// </summary>
public sealed partial class AdminWireFormatTests(EmbeddedGateway gateway) : IClassFixture<EmbeddedGateway>
{
    private const string BadRequest = """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"Invalid request","status":400,"detail":""";
    private readonly HttpClient _admin = gateway.Factory.CreateAdminClient();

    [Fact]
    public async Task An_account_is_answered_field_by_field_in_a_fixed_order()
    {
        var sender = "W" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var opened = await Send(HttpMethod.Post, "/v2/admin/accounts",
            $$"""{"name": " Acme & <Sons> ", "credit_balance": "12.5", "price_per_sms": 0.8, "sender_ids": ["{{sender}}"], "ignored": {"x": 1} }""");
        var json = JsonNode.Parse(opened.Body)!;
        var id = json["account_id"]!.GetValue<string>();
        var key = json["api_key"]!.GetValue<string>();
        var createdAt = json["created_at"]!.GetValue<string>();
        Assert.Matches("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{7}\\+00:00$", createdAt);
        var tail = $$$"""
            "name":"Acme & <Sons>","status":"active","credit_balance":"12.50","price_per_sms":"0.80","prices":{"default":"0.80","networks":{}},"sender_ids":["{{{sender}}}"],"smpp_username":null,"allowed_addresses":[],"created_at":"{{{createdAt}}}"}
            """;
        opened.Is(HttpStatusCode.Created, $$"""{"account_id":"{{id}}","api_key":"{{key}}",{{tail}}""", $"/v2/admin/accounts/{id}");
        (await Send(HttpMethod.Get, $"/v2/admin/accounts/{id}")).Is(HttpStatusCode.OK, $$"""{"account_id":"{{id}}",{{tail}}""");

        var credited = await Send(HttpMethod.Post, $"/v2/admin/accounts/{id}/credit", """{"amount": 7}""");
        credited.Is(HttpStatusCode.OK, $$"""{"account_id":"{{id}}",{{tail.Replace("\"12.50\"", "\"19.50\"", StringComparison.Ordinal)}}""");

        var priced = await Send(HttpMethod.Put, $"/v2/admin/accounts/{id}/prices", """{"default": "1.1", "networks": {"3": 0.5, "1": "0.75"}}""");
        tail = tail.Replace("\"12.50\"", "\"19.50\"", StringComparison.Ordinal).Replace("\"0.80\"", "\"1.10\"", StringComparison.Ordinal)
            .Replace("\"networks\":{}", "\"networks\":{\"1\":\"0.75\",\"3\":\"0.50\"}", StringComparison.Ordinal);
        priced.Is(HttpStatusCode.OK, $$"""{"account_id":"{{id}}",{{tail}}""");

        var allowed = await Send(HttpMethod.Put, $"/v2/admin/accounts/{id}/allowed-addresses", """{"allowed_addresses": ["10.0.0.0/8", "2001:db8::1"]}""");
        tail = tail.Replace("\"allowed_addresses\":[]", "\"allowed_addresses\":[\"10.0.0.0/8\",\"2001:db8::1/128\"]", StringComparison.Ordinal);
        allowed.Is(HttpStatusCode.OK, $$"""{"account_id":"{{id}}",{{tail}}""");
        (await Send(HttpMethod.Delete, $"/v2/admin/accounts/{id}/allowed-addresses")).Is(HttpStatusCode.NoContent, "");
        tail = tail.Replace("\"allowed_addresses\":[\"10.0.0.0/8\",\"2001:db8::1/128\"]", "\"allowed_addresses\":[]", StringComparison.Ordinal);

        var second = "X" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var added = await Send(HttpMethod.Post, $"/v2/admin/accounts/{id}/sender-ids", $$"""{"sender_id": "{{second}}"}""");
        added.Is(HttpStatusCode.Created,
            $$"""{"account_id":"{{id}}",{{tail.Replace($"[\"{sender}\"]", $"[\"{sender}\",\"{second}\"]", StringComparison.Ordinal)}}""",
            $"/v2/admin/accounts/{id}");
        (await Send(HttpMethod.Delete, $"/v2/admin/accounts/{id}/sender-ids/{second}")).Is(HttpStatusCode.NoContent, "");

        (await Send(HttpMethod.Post, $"/v2/admin/accounts/{id}/suspend")).Is(HttpStatusCode.NoContent, "");
        (await Send(HttpMethod.Get, $"/v2/admin/accounts/{id}")).Is(HttpStatusCode.OK,
            $$"""{"account_id":"{{id}}",{{tail.Replace("\"active\"", "\"suspended\"", StringComparison.Ordinal)}}""");
        (await Send(HttpMethod.Post, $"/v2/admin/accounts/{id}/resume")).Is(HttpStatusCode.NoContent, "");

        var rotated = await Send(HttpMethod.Post, $"/v2/admin/accounts/{id}/api-key");
        var newKey = JsonNode.Parse(rotated.Body)!["api_key"]!.GetValue<string>();
        Assert.Matches("^[0-9a-f]{64}$", newKey);
        rotated.Is(HttpStatusCode.OK, $$"""{"account_id":"{{id}}","api_key":"{{newKey}}"}""");
    }

    [Fact]
    public async Task Null_and_absent_optional_fields_take_their_defaults()
    {
        var opened = JsonNode.Parse((await Send(HttpMethod.Post, "/v2/admin/accounts",
            """{"name": "Defaults", "credit_balance": null, "price_per_sms": null, "sender_ids": null}""")).Body)!;
        Assert.Equal(("0.00", "1.00", "[]"), (opened["credit_balance"]!.GetValue<string>(), opened["price_per_sms"]!.GetValue<string>(), opened["sender_ids"]!.ToJsonString()));
        var id = opened["account_id"]!.GetValue<string>();
        var priced = JsonNode.Parse((await Send(HttpMethod.Put, $"/v2/admin/accounts/{id}/prices", """{"default": 2, "networks": null}""")).Body)!;
        Assert.Equal("""{"default":"2.00","networks":{}}""", priced["prices"]!.ToJsonString());
        var repeated = JsonNode.Parse((await Send(HttpMethod.Post, "/v2/admin/accounts", """{"name": 5, "name": "Last one counts"}""")).Body)!;
        Assert.Equal("Last one counts", repeated["name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("text/plain")]
    [InlineData(null)]
    public async Task A_body_is_read_as_json_whatever_content_type_it_is_sent_with(string? contentType)
    {
        var account = await gateway.Factory.OpenAccountAsync(credit: 1m);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v2/admin/accounts/{account.AccountId}/credit")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"amount": "2.00"}""")),
        };
        if (contentType is not null) request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var response = await _admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("3.00", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["credit_balance"]!.GetValue<string>());
    }

    [Fact]
    public async Task Portal_users_and_inbound_numbers_are_answered_exactly()
    {
        var account = await gateway.Factory.OpenAccountAsync();
        var other = await gateway.Factory.OpenAccountAsync();
        var id = account.AccountId;
        var email = $"Ops.{Guid.NewGuid():N}@Example.co.ke";
        var normalized = email.ToLowerInvariant();
        var path = $"/v2/admin/accounts/{id}/users";
        (await Send(HttpMethod.Post, path, $$"""{"email": "{{email}}", "password": "correct horse battery"}"""))
            .Is(HttpStatusCode.Created, $$"""{"account_id":"{{id}}","email":"{{normalized}}"}""", $"{path}/{Uri.EscapeDataString(normalized)}");
        (await Send(HttpMethod.Post, path, $$"""{"email": "{{normalized}}", "password": "another horse battery"}"""))
            .Is(HttpStatusCode.OK, $$"""{"account_id":"{{id}}","email":"{{normalized}}"}""");
        (await Send(HttpMethod.Post, $"/v2/admin/accounts/{other.AccountId}/users", $$"""{"email": "{{normalized}}", "password": "another horse battery"}"""))
            .Is(HttpStatusCode.Conflict, Problem(409, "Conflict", $"{normalized} is a portal user of another account."));
        (await Send(HttpMethod.Delete, $"/v2/admin/accounts/{other.AccountId}/users/{normalized}"))
            .Is(HttpStatusCode.NotFound, Problem(404, "Not found", $"Account {other.AccountId} has no portal user {normalized}."));
        (await Send(HttpMethod.Delete, $"{path}/{normalized}")).Is(HttpStatusCode.NoContent, "");

        var number = "2" + Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var numbers = $"/v2/admin/accounts/{id}/inbound-numbers";
        (await Send(HttpMethod.Post, numbers, $$"""{"number": " {{number}} "}"""))
            .Is(HttpStatusCode.Created, $$"""{"account_id":"{{id}}","number":"{{number}}","keyword":null}""", $"{numbers}/{number}");
        (await Send(HttpMethod.Post, numbers, $$"""{"number": "{{number}}", "keyword": null}"""))
            .Is(HttpStatusCode.OK, $$"""{"account_id":"{{id}}","number":"{{number}}","keyword":null}""");
        (await Send(HttpMethod.Post, numbers, $$"""{"number": "{{number}}", "keyword": "vote"}"""))
            .Is(HttpStatusCode.Created, $$"""{"account_id":"{{id}}","number":"{{number}}","keyword":"VOTE"}""", $"{numbers}/{number}");
        (await Send(HttpMethod.Post, $"/v2/admin/accounts/{other.AccountId}/inbound-numbers", $$"""{"number": "{{number}}"}"""))
            .Is(HttpStatusCode.Conflict, Problem(409, "Conflict", $"{number} is routed to another account."));
        (await Send(HttpMethod.Post, $"/v2/admin/accounts/{other.AccountId}/inbound-numbers", $$"""{"number": "{{number}}", "keyword": "Vote"}"""))
            .Is(HttpStatusCode.Conflict, Problem(409, "Conflict", $"{number} VOTE is routed to another account."));
        (await Send(HttpMethod.Delete, $"{numbers}/{number}?keyword=vote")).Is(HttpStatusCode.NoContent, "");
        (await Send(HttpMethod.Delete, $"{numbers}/{number}?keyword=vote"))
            .Is(HttpStatusCode.NotFound, Problem(404, "Not found", $"Account {id} holds no {number} VOTE."));
        (await Send(HttpMethod.Post, "/v2/admin/accounts/424242/inbound-numbers", """{"number": "22334"}"""))
            .Is(HttpStatusCode.NotFound, Problem(404, "Account not found", "No account 424242."));
        (await Send(HttpMethod.Post, "/v2/admin/accounts/424242/users", """{"email": "a@example.com", "password": "correct horse battery"}"""))
            .Is(HttpStatusCode.NotFound, Problem(404, "Account not found", "No account 424242."));
    }

    [Fact]
    public async Task Refusals_name_the_first_field_at_fault_in_a_fixed_order()
    {
        var account = await gateway.Factory.OpenAccountAsync();
        foreach (var (method, path, body, detail) in Refusals(account.AccountId))
        {
            var answer = await Send(method, path.Replace("{id}", account.AccountId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal), body);
            Assert.True(answer.Status == HttpStatusCode.BadRequest && answer.Body == BadRequest + Quote(detail) + ""","traceId":"T"}""",
                $"{method} {path} {body} answered {(int)answer.Status} {answer.Body}");
            Assert.Equal("application/problem+json", answer.ContentType);
        }
    }

    [Fact]
    public async Task Missing_accounts_unknown_tokens_and_conflicts_answer_their_problem()
    {
        var first = await gateway.Factory.OpenAccountAsync();
        (await Send(HttpMethod.Get, "/v2/admin/accounts/424242")).Is(HttpStatusCode.NotFound, Problem(404, "Account not found", "No account 424242."));
        (await Send(HttpMethod.Post, "/v2/admin/accounts/424242/credit", """{"amount": 1}"""))
            .Is(HttpStatusCode.NotFound, Problem(404, "Account not found", "No account 424242."));
        (await Send(HttpMethod.Post, "/v2/admin/accounts/424242/suspend")).Is(HttpStatusCode.NotFound, Problem(404, "Account not found", "No account 424242."));
        (await Send(HttpMethod.Put, "/v2/admin/accounts/424242/prices", """{"default": 1}"""))
            .Is(HttpStatusCode.NotFound, Problem(404, "Account not found", "No account 424242."));
        (await Send(HttpMethod.Delete, "/v2/admin/accounts/424242/allowed-addresses"))
            .Is(HttpStatusCode.NotFound, Problem(404, "Account not found", "No account 424242."));
        var conflict = await Send(HttpMethod.Post, "/v2/admin/accounts", $$"""{"name": "Dup", "sender_ids": ["{{first.SenderId}}"]}""");
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.StartsWith("""{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"Conflict","status":409,"detail":""", conflict.Body, StringComparison.Ordinal);

        using var anonymous = gateway.Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/admin/accounts/{first.AccountId}");
        using var refused = await anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.ToString());
        Assert.Equal(Problem(401, "Unauthorized", "A valid admin bearer token is required."), TraceId().Replace(await refused.Content.ReadAsStringAsync(), "\"traceId\":\"T\""));
    }

    [Fact]
    public async Task The_admin_openapi_document_names_every_request_and_response_schema()
    {
        var text = await _admin.GetStringAsync("/openapi/admin.json");
        var document = JsonNode.Parse(text)!;
        var schemas = document["components"]!["schemas"]!.AsObject();
        foreach (var name in new[]
                 {
                     "OpenAccountRequest", "CreditRequest", "SenderIdRequest", "RateCardRequest", "AllowedAddressesRequest", "PortalUserRequest",
                     "InboundNumberRequest", "AccountResponse", "RateCardResponse", "ApiKeyResponse", "PortalUserResponse", "InboundNumberResponse",
                 })
        {
            Assert.True(schemas.ContainsKey(name), $"no schema {name} in {text}");
        }

        Assert.Equal(["name", "credit_balance", "price_per_sms", "sender_ids"], schemas["OpenAccountRequest"]!["properties"]!.AsObject().Select(p => p.Key));
        Assert.Equal("""["number","string"]""", schemas["AdminAmount"]!["type"]!.ToJsonString());
        Assert.Equal("""["number","string"]""", schemas["NetworkPrices"]!["additionalProperties"]!["type"]!.ToJsonString());
        Assert.Contains("#/components/schemas/AdminAmount", schemas["OpenAccountRequest"]!["properties"]!["credit_balance"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("api_key", schemas["AccountResponse"]!["properties"]!.AsObject().Select(p => p.Key));

        var open = document["paths"]!["/v2/admin/accounts"]!["post"]!;
        Assert.Equal("#/components/schemas/OpenAccountRequest", open["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/AccountResponse", open["responses"]!["201"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.NotNull(open["responses"]!["400"]);
        var routed = document["paths"]!["/v2/admin/accounts/{accountId}/inbound-numbers"]!["post"]!;
        Assert.Equal("#/components/schemas/InboundNumberRequest", routed["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/InboundNumberResponse", routed["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject().Where(o => o.Value?["parameters"] is not null))
            {
                Assert.DoesNotContain("body", operation!["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()));
            }
        }
    }

    private static IEnumerable<(HttpMethod, string, string, string)> Refusals(long accountId)
    {
        const string open = "/v2/admin/accounts";
        const string name = "name is required: a string of 1 to 200 characters.";
        const string credit = "credit_balance must be a non-negative amount with at most two decimals.";
        const string price = "price_per_sms must be a non-negative amount with at most two decimals.";
        const string senders = "sender_ids must be an array of strings.";
        const string each = "Each sender ID is 1-11 letters, digits or spaces, or a number of up to 15 digits.";
        const string body = "The body must be a JSON object.";
        yield return (HttpMethod.Post, open, "", body);
        yield return (HttpMethod.Post, open, "[1]", body);
        yield return (HttpMethod.Post, open, "not json", body);
        yield return (HttpMethod.Post, open, """{"name": "\ud800"}""", body);
        yield return (HttpMethod.Post, open, """{"name": "A", "deep": [[[[[[[[1]]]]]]]]}""", body);
        yield return (HttpMethod.Post, open, """{"Name": "A"}""", name);
        yield return (HttpMethod.Post, open, """{"name": 5}""", name);
        yield return (HttpMethod.Post, open, """{"name": null}""", name);
        yield return (HttpMethod.Post, open, """{"name": "   "}""", name);
        yield return (HttpMethod.Post, open, "{\"name\": \"" + new string('a', 201) + "\"}", name);
        yield return (HttpMethod.Post, open, """{"name": "A", "name": 5}""", name);
        yield return (HttpMethod.Post, open, """{"sender_ids": 5, "price_per_sms": true, "credit_balance": [], "name": ""}""", name);
        yield return (HttpMethod.Post, open, """{"sender_ids": 5, "price_per_sms": true, "credit_balance": [], "name": "A"}""", credit);
        yield return (HttpMethod.Post, open, """{"name": "A", "credit_balance": true}""", credit);
        yield return (HttpMethod.Post, open, """{"name": "A", "credit_balance": "1.234"}""", credit);
        yield return (HttpMethod.Post, open, """{"name": "A", "credit_balance": 1.234}""", credit);
        yield return (HttpMethod.Post, open, """{"name": "A", "credit_balance": -0.01}""", credit);
        yield return (HttpMethod.Post, open, """{"name": "A", "credit_balance": 1e400}""", credit);
        yield return (HttpMethod.Post, open, """{"name": "A", "credit_balance": 1000000000.01}""", credit);
        yield return (HttpMethod.Post, open, """{"name": "A", "credit_balance": "1,000"}""", credit);
        yield return (HttpMethod.Post, open, """{"name": "A", "price_per_sms": "abc"}""", price);
        yield return (HttpMethod.Post, open, """{"name": "A", "price_per_sms": {}, "sender_ids": 5}""", price);
        yield return (HttpMethod.Post, open, """{"name": "A", "sender_ids": "MYSENDER"}""", senders);
        yield return (HttpMethod.Post, open, """{"name": "A", "sender_ids": {}}""", senders);
        yield return (HttpMethod.Post, open, """{"name": "A", "sender_ids": [5]}""", each);
        yield return (HttpMethod.Post, open, """{"name": "A", "sender_ids": ["OK", null]}""", each);
        yield return (HttpMethod.Post, open, """{"name": "A", "sender_ids": ["way too long sender"]}""", each);

        const string amount = "amount is required: a positive amount with at most two decimals.";
        const string creditPath = "/v2/admin/accounts/{id}/credit";
        yield return (HttpMethod.Post, creditPath, "", amount);
        yield return (HttpMethod.Post, creditPath, "{}", amount);
        yield return (HttpMethod.Post, creditPath, """{"amount": null}""", amount);
        yield return (HttpMethod.Post, creditPath, """{"amount": 0}""", amount);
        yield return (HttpMethod.Post, creditPath, """{"amount": "1.001"}""", amount);
        yield return (HttpMethod.Post, creditPath, """{"amount": false}""", amount);
        yield return (HttpMethod.Post, creditPath, """{"Amount": 1}""", amount);

        const string sender = "sender_id is required: 1-11 letters, digits or spaces, or a number of up to 15 digits.";
        const string senderPath = "/v2/admin/accounts/{id}/sender-ids";
        yield return (HttpMethod.Post, senderPath, "{}", sender);
        yield return (HttpMethod.Post, senderPath, """{"sender_id": 5}""", sender);
        yield return (HttpMethod.Post, senderPath, """{"sender_id": ""}""", sender);
        yield return (HttpMethod.Post, senderPath, """{"sender_id": "+1234567890123456"}""", sender);

        const string prices = "/v2/admin/accounts/{id}/prices";
        const string defaultPrice = "default is required: a price per part from 0 to 1000.00 with at most two decimals.";
        const string networksObject = "networks must be an object of network_id to price per part.";
        yield return (HttpMethod.Put, prices, "{}", defaultPrice);
        yield return (HttpMethod.Put, prices, """{"default": null}""", defaultPrice);
        yield return (HttpMethod.Put, prices, """{"default": "1000.01"}""", defaultPrice);
        yield return (HttpMethod.Put, prices, """{"default": -1}""", defaultPrice);
        yield return (HttpMethod.Put, prices, """{"networks": [], "default": "x"}""", defaultPrice);
        yield return (HttpMethod.Put, prices, """{"default": 1, "networks": []}""", networksObject);
        yield return (HttpMethod.Put, prices, """{"default": 1, "networks": "1"}""", networksObject);
        yield return (HttpMethod.Put, prices, """{"default": 1, "networks": {"99": 1}}""", "networks: 99 is no network_id (known: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10).");
        yield return (HttpMethod.Put, prices, """{"default": 1, "networks": {"+1": 1}}""", "networks: +1 is no network_id (known: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10).");
        yield return (HttpMethod.Put, prices, """{"default": 1, "networks": {"x": "bad", "1": 1}}""", "networks: x is no network_id (known: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10).");
        yield return (HttpMethod.Put, prices, """{"default": 1, "networks": {"1": "bad", "x": 1}}""", "networks: the price of network 1 must be given once, from 0 to 1000.00 with at most two decimals.");
        yield return (HttpMethod.Put, prices, """{"default": 1, "networks": {"2": null}}""", "networks: the price of network 2 must be given once, from 0 to 1000.00 with at most two decimals.");
        yield return (HttpMethod.Put, prices, """{"default": 1, "networks": {"2": [1]}}""", "networks: the price of network 2 must be given once, from 0 to 1000.00 with at most two decimals.");
        yield return (HttpMethod.Put, prices, """{"default": 1, "networks": {"2": 1, "2": 2}}""", "networks: the price of network 2 must be given once, from 0 to 1000.00 with at most two decimals.");
        yield return (HttpMethod.Put, prices, """{"default": 1, "networks": {"2": 1, "02": 2}}""", "networks: the price of network 2 must be given once, from 0 to 1000.00 with at most two decimals.");
        yield return (HttpMethod.Put, prices, """{"default": 1, "networks": {"3": 1000.01}}""", "networks: the price of network 3 must be given once, from 0 to 1000.00 with at most two decimals.");

        const string allowed = "/v2/admin/accounts/{id}/allowed-addresses";
        const string addresses = "allowed_addresses is required: an array of IPv4 or IPv6 addresses or CIDR blocks (an empty array clears the list).";
        yield return (HttpMethod.Put, allowed, "{}", addresses);
        yield return (HttpMethod.Put, allowed, """{"allowed_addresses": null}""", addresses);
        yield return (HttpMethod.Put, allowed, """{"allowed_addresses": "10.0.0.1"}""", addresses);
        yield return (HttpMethod.Put, allowed, """{"allowed_addresses": ["10.0.0.1", 5]}""", addresses);

        const string users = "/v2/admin/accounts/{id}/users";
        const string email = "email is required: an e-mail address of at most 254 characters.";
        const string password = "password is required: 10 to 128 characters, no control characters.";
        yield return (HttpMethod.Post, users, "{}", email);
        yield return (HttpMethod.Post, users, """{"email": 5, "password": "correct horse battery"}""", email);
        yield return (HttpMethod.Post, users, """{"email": "nobody", "password": "correct horse battery"}""", email);
        yield return (HttpMethod.Post, users, """{"password": 5, "email": "a@example.com"}""", password);
        yield return (HttpMethod.Post, users, """{"email": "a@example.com", "password": "short"}""", password);

        const string numbers = "/v2/admin/accounts/{id}/inbound-numbers";
        const string number = "number is required: a short code or long number of 3 to 15 digits.";
        const string keyword = "keyword, when given, is 1 to 20 letters or digits (matched in any case).";
        yield return (HttpMethod.Post, numbers, "{}", number);
        yield return (HttpMethod.Post, numbers, """{"number": 22334}""", number);
        yield return (HttpMethod.Post, numbers, """{"number": "12"}""", number);
        yield return (HttpMethod.Post, numbers, """{"keyword": 5, "number": "x"}""", number);
        yield return (HttpMethod.Post, numbers, """{"number": "22334", "keyword": 5}""", keyword);
        yield return (HttpMethod.Post, numbers, """{"number": "22334", "keyword": "two words"}""", keyword);
        _ = accountId;
    }

    private static string Problem(int status, string title, string detail)
    {
        var type = status switch
        {
            401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
            404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
            409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
            _ => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        };
        return $$"""{"type":"{{type}}","title":"{{title}}","status":{{status}},"detail":{{Quote(detail)}},"traceId":"T"}""";
    }

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text, Unescaped);

    private static readonly System.Text.Json.JsonSerializerOptions Unescaped = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private async Task<Answer> Send(HttpMethod method, string path, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await _admin.SendAsync(request);
        var text = TraceId().Replace(await response.Content.ReadAsStringAsync(), "\"traceId\":\"T\"");
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text, response.Headers.Location?.OriginalString);
    }

    [GeneratedRegex("\"traceId\":\"[^\"]*\"")]
    private static partial Regex TraceId();

    private sealed record Answer(HttpStatusCode Status, string? ContentType, string Body, string? Location)
    {
        public void Is(HttpStatusCode status, string body, string? location = null)
        {
            Assert.Equal(status, Status);
            Assert.Equal(body, Body);
            Assert.Equal(location, Location);
            Assert.Equal(body.Length == 0 ? null : body.Contains("\"traceId\"", StringComparison.Ordinal) ? "application/problem+json" : "application/json", ContentType);
        }
    }
}
