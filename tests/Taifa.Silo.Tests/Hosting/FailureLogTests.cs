using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Serilog.Events;
using Taifa.Abstractions.Accounts;
using Taifa.Silo.Tests.Infrastructure;
using Taifa.Silo.Tests.Security;
using Taifa.Silo.Tests.Smpp;
using Taifa.Smpp.Pdus;
using Taifa.Smpp.Text;

namespace Taifa.Silo.Tests.Hosting;

/// <summary>Fails every call to the accounts it is told to break, as a silo outage or a storage failure would.</summary>
public sealed class BreakAccounts : IIncomingGrainCallFilter
{
    private readonly ConcurrentDictionary<long, Func<Exception>> _broken = new();

    public void Break(long accountId, Func<Exception> failure) => _broken[accountId] = failure;

    public Task Invoke(IIncomingGrainCallContext context) =>
        context.Grain is IAccountGrain && _broken.TryGetValue(context.TargetId.GetIntegerKey(), out var failure)
            ? throw failure()
            : context.Invoke();
}

public sealed class FailingAccountsGateway : SmppGatewayBase
{
    public FailingAccountsGateway()
        : this(new LogCapture(), new BreakAccounts())
    {
    }

    private FailingAccountsGateway(LogCapture capture, BreakAccounts accounts)
        : base(new Dictionary<string, string> { ["Serilog:MinimumLevel:Default"] = "Debug" }, builder =>
        {
            LogCapture.Into(builder, capture);
            builder.ConfigureServices(services => services.AddSingleton<IIncomingGrainCallFilter>(accounts));
        })
    {
        Capture = capture;
        Accounts = accounts;
    }

    public LogCapture Capture { get; }

    public BreakAccounts Accounts { get; }
}

/// <summary>
/// A failed request is one log line with its reason. A cluster failure (here an <see cref="OrleansException"/> whose
/// message carries a remote stack trace, as Orleans' do) is one Warning without a stack trace, however many layers see it;
/// an exception of an unexpected type is one Error with its stack.
/// </summary>
[Collection(SmppCollection.Name)]
public sealed class FailureLogTests(FailingAccountsGateway gateway) : IClassFixture<FailingAccountsGateway>
{
    private const string Mobile = "254702739804";
    private const string RemoteStackLine = "   at Taifa.Grains.Accounts.AccountGrain.Send(SendCommand command)";

    private static OrleansException ClusterFailure() => new($"test: the account's silo is unreachable\n{RemoteStackLine}");

    [Fact]
    public async Task A_rest_send_failing_on_a_cluster_error_is_one_warning_with_its_reason_and_no_stack()
    {
        var account = await gateway.OpenAccountAsync(10m, 1m);
        var before = gateway.Capture.Events.Count;
        gateway.Accounts.Break(account.AccountId, ClusterFailure);

        var answer = (await gateway.Http.SendSmsAsync(account.ApiKey, new { mobile = Mobile, sender_name = account.SenderId, message = "hello" })).Single()!;

        Assert.Equal("1005", answer.Code());
        var line = await OneLineAbout(before, "/v2/sms/sendsms");
        Assert.Equal(LogEventLevel.Warning, line.Level);
        Assert.Contains("OrleansException: test: the account's silo is unreachable", line.RenderMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_request_failing_on_a_cluster_error_is_one_warning_not_a_second_line_for_its_503()
    {
        var account = await gateway.OpenAccountAsync(10m, 1m);
        var before = gateway.Capture.Events.Count;
        gateway.Accounts.Break(account.AccountId, ClusterFailure);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/admin/accounts/{account.AccountId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFactory.AdminTokenValue);
        using var response = await gateway.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(LogEventLevel.Warning, (await OneLineAbout(before, $"/v2/admin/accounts/{account.AccountId}")).Level);
    }

    [Fact]
    public async Task A_rest_send_failing_on_an_unexpected_exception_is_one_error_with_its_stack()
    {
        var account = await gateway.OpenAccountAsync(10m, 1m);
        var before = gateway.Capture.Events.Count;
        gateway.Accounts.Break(account.AccountId, () => new InvalidOperationException("test: a bug in the account"));

        var answer = (await gateway.Http.SendSmsAsync(account.ApiKey, new { mobile = Mobile, sender_name = account.SenderId, message = "hello" })).Single()!;

        Assert.Equal("1005", answer.Code());
        await RequestLineAsync("/v2/sms/sendsms", before);
        var line = Assert.Single(WarningsAndErrorsSince(before));
        Assert.Equal(LogEventLevel.Error, line.Level);
        Assert.IsType<InvalidOperationException>(line.Exception);
    }

    [Fact]
    public async Task An_smpp_bind_and_a_submit_failing_on_a_cluster_error_are_one_warning_each_with_no_stack()
    {
        var bindFails = await gateway.OpenSmppAccountAsync(credit: 10m, price: 1m);
        var before = gateway.Capture.Events.Count;
        gateway.Accounts.Break(bindFails.Account.AccountId, ClusterFailure);
        await using (var client = await gateway.ConnectAsync())
        {
            Assert.Equal(CommandStatus.SystemError, (await client.BindAsync(bindFails)).CommandStatus);
        }

        AssertOneReasonedWarning(before);

        var submitFails = await gateway.OpenSmppAccountAsync(credit: 10m, price: 1m);
        await using var bound = await gateway.ConnectAsync();
        Assert.Equal(CommandStatus.Ok, (await bound.BindAsync(submitFails)).CommandStatus);
        before = gateway.Capture.Events.Count;
        gateway.Accounts.Break(submitFails.Account.AccountId, ClusterFailure);

        var response = await bound.SubmitAsync(SmppTestClient.Submit(submitFails.SenderId, Mobile, SmsText.Encode(SmsAlphabet.Gsm7, "fails")));

        Assert.Equal(CommandStatus.SystemError, response.CommandStatus);
        AssertOneReasonedWarning(before);
    }

    /// <summary>Waits for the request's own log line (written last), then expects exactly one Warning/Error, stack-free, since <paramref name="before"/>.</summary>
    private async Task<LogEvent> OneLineAbout(int before, string path)
    {
        await RequestLineAsync(path, before);
        return AssertOneReasonedWarning(before);
    }

    private LogEvent AssertOneReasonedWarning(int before)
    {
        var lines = WarningsAndErrorsSince(before);
        var line = Assert.Single(lines);
        Assert.Equal(LogEventLevel.Warning, line.Level);
        Assert.Contains("OrleansException", line.RenderMessage(), StringComparison.Ordinal);
        foreach (var logEvent in gateway.Capture.Events.Skip(before))
        {
            var text = LogCapture.Text(logEvent);
            Assert.True(logEvent.Exception is null && !text.Contains(RemoteStackLine, StringComparison.Ordinal), $"a stack trace was logged: {text}");
        }

        return line;
    }

    private List<LogEvent> WarningsAndErrorsSince(int before) =>
        [.. gateway.Capture.Events.Skip(before).Where(e => e.Level >= LogEventLevel.Warning)];

    private Task<LogEvent> RequestLineAsync(string path, int before) =>
        gateway.Capture.WaitForAsync(e => gateway.Capture.Events.Skip(before).Contains(e) &&
                                          e.MessageTemplate.Text.StartsWith("HTTP {RequestMethod}", StringComparison.Ordinal) &&
                                          e.Properties.TryGetValue("RequestPath", out var value) && value.ToString() == $"\"{path}\"",
            $"HTTP ... {path} (the request log line)");
}
