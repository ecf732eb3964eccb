using Taifa.Abstractions.Inbound;
using Taifa.Grains.Inbound;
using Taifa.Silo.Database.Inbound;
using Taifa.Silo.Tests.Infrastructure;

namespace Taifa.Silo.Tests.Inbound;

/// <summary>What every <see cref="IInboundStore"/> must do; run against the in-process store and against PostgreSQL.</summary>
public abstract class InboundStoreContractTests : IAsyncLifetime
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(30);
    private static readonly DateTimeOffset Start = new(2026, 12, 2, 6, 0, 0, TimeSpan.Zero);
    private long _nextId = 1000;

    protected IInboundStore Store { get; set; } = null!;

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    private InboundPdu Pdu(string text, string to = "22334", string from = "254702739804", InboundSegment? segment = null, string? key = null, DateTimeOffset? at = null) => new()
    {
        InboundId = ++_nextId,
        Operator = "safaricom",
        From = from,
        To = to,
        Text = text,
        NetworkId = 1,
        Segment = segment,
        DedupeKey = key ?? $"{from}|{to}|{text}|{segment}",
        ReceivedAt = at ?? Start,
    };

    [Fact]
    public async Task A_number_and_keyword_belong_to_one_account()
    {
        Assert.Equal(InboundNumberClaim.Added, await Store.AddNumber(new InboundNumber(1, "22334", null), Start));
        Assert.Equal(InboundNumberClaim.AlreadyHeld, await Store.AddNumber(new InboundNumber(1, "22334", null), Start));
        Assert.Equal(InboundNumberClaim.Conflict, await Store.AddNumber(new InboundNumber(2, "22334", null), Start));
        Assert.Equal(InboundNumberClaim.Added, await Store.AddNumber(new InboundNumber(2, "22334", "VOTE"), Start));
        Assert.Equal(InboundNumberClaim.Conflict, await Store.AddNumber(new InboundNumber(1, "22334", "VOTE"), Start));

        Assert.False(await Store.RemoveNumber(new InboundNumber(1, "22334", "VOTE")));
        Assert.True(await Store.RemoveNumber(new InboundNumber(2, "22334", "VOTE")));
        Assert.Equal(InboundNumberClaim.Added, await Store.AddNumber(new InboundNumber(1, "22334", "VOTE"), Start));
    }

    [Fact]
    public async Task A_message_is_routed_by_keyword_else_to_the_numbers_holder_and_its_delivery_is_queued()
    {
        await Store.AddNumber(new InboundNumber(1, "22334", null), Start);
        await Store.AddNumber(new InboundNumber(2, "22334", "VOTE"), Start);

        var vote = await Store.Accept(Pdu("vote yes"), Window);
        var other = await Store.Accept(Pdu("hello there"), Window);
        var nobody = await Store.Accept(Pdu("hi", to: "99999"), Window);

        Assert.Equal(InboundAcceptOutcome.Stored, vote.Outcome);
        Assert.Equal((2L, "VOTE"), (vote.Message!.AccountId!.Value, vote.Message.Keyword));
        Assert.Equal((1L, (string?)null), (other.Message!.AccountId!.Value, other.Message.Keyword));
        Assert.Null(nobody.Message!.AccountId);

        var work = await Store.ClaimDue(Start, TimeSpan.FromMinutes(1), 100);
        Assert.Equal(
            [(InboundWorkKind.Webhook, 2L, vote.Message.InboundId), (InboundWorkKind.Smpp, 2L, vote.Message.InboundId),
             (InboundWorkKind.Webhook, 1L, other.Message.InboundId), (InboundWorkKind.Smpp, 1L, other.Message.InboundId)],
            work.Select(w => (w.Kind, w.AccountId, w.Message.InboundId)).OrderBy(w => w.InboundId).ThenBy(w => w.Kind));
        Assert.Equal("vote yes", work.First(w => w.AccountId == 2).Message.Text);
    }

    [Fact]
    public async Task A_redelivery_within_the_window_is_stored_once_and_a_repeat_after_it_again()
    {
        await Store.AddNumber(new InboundNumber(1, "22334", null), Start);
        Assert.Equal(InboundAcceptOutcome.Stored, (await Store.Accept(Pdu("yes"), Window)).Outcome);
        Assert.Equal(InboundAcceptOutcome.Duplicate, (await Store.Accept(Pdu("yes", at: Start + TimeSpan.FromMinutes(29)), Window)).Outcome);
        Assert.Equal(InboundAcceptOutcome.Stored, (await Store.Accept(Pdu("yes", at: Start + TimeSpan.FromMinutes(31)), Window)).Outcome);
        Assert.Equal(2, (await Store.List(1, 10, null)).Count);
    }

    [Fact]
    public async Task Parts_arriving_in_any_order_and_twice_make_one_message_in_part_order()
    {
        await Store.AddNumber(new InboundNumber(1, "22334", null), Start);
        Assert.Equal(InboundAcceptOutcome.PartStored, (await Store.Accept(Pdu("world", segment: new InboundSegment(7, 3, 2)), Window)).Outcome);
        Assert.Equal(InboundAcceptOutcome.Duplicate, (await Store.Accept(Pdu("world", segment: new InboundSegment(7, 3, 2)), Window)).Outcome);
        Assert.Equal(InboundAcceptOutcome.PartStored, (await Store.Accept(Pdu("hello ", segment: new InboundSegment(7, 3, 1)), Window)).Outcome);

        // The same reference from another sender is another message.
        Assert.Equal(InboundAcceptOutcome.PartStored, (await Store.Accept(Pdu("x", from: "254733000000", segment: new InboundSegment(7, 3, 3)), Window)).Outcome);

        var last = await Store.Accept(Pdu("!", segment: new InboundSegment(7, 3, 3)), Window);
        Assert.Equal(InboundAcceptOutcome.Stored, last.Outcome);
        Assert.Equal("hello world!", last.Message!.Text);

        // A part delivered again after its message was made is not a new message's first part.
        Assert.Equal(InboundAcceptOutcome.Duplicate, (await Store.Accept(Pdu("hello ", segment: new InboundSegment(7, 3, 1)), Window)).Outcome);
        Assert.Equal(["hello world!"], (await Store.List(1, 10, null)).Select(m => m.Text));
    }

    [Fact]
    public async Task Stop_opts_the_sender_out_of_the_numbers_holder_without_a_keyword()
    {
        await Store.AddNumber(new InboundNumber(1, "22334", null), Start);
        await Store.AddNumber(new InboundNumber(2, "22334", "VOTE"), Start);
        await Store.AddNumber(new InboundNumber(3, "40400", "A"), Start);
        await Store.AddNumber(new InboundNumber(4, "40400", "B"), Start);

        var stop = (await Store.Accept(Pdu("  Stop "), Window)).Message!;
        var shared = (await Store.Accept(Pdu("ondoka", to: "40400"), Window)).Message!;

        Assert.True(stop.OptOut);
        Assert.Equal(1L, stop.AccountId);
        Assert.Null(shared.AccountId);
        var work = await Store.ClaimDue(Start, TimeSpan.FromMinutes(1), 100);
        Assert.Equal([(InboundWorkKind.OptOut, 1L)], work.Where(w => w.Message.InboundId == stop.InboundId && w.Kind == InboundWorkKind.OptOut).Select(w => (w.Kind, w.AccountId)));
        Assert.Equal([3L, 4L], work.Where(w => w.Message.InboundId == shared.InboundId).Select(w => w.AccountId).Order());
    }

    [Fact]
    public async Task Listing_is_newest_first_and_pages_by_cursor()
    {
        await Store.AddNumber(new InboundNumber(1, "22334", null), Start);
        for (var i = 0; i < 5; i++) await Store.Accept(Pdu($"m{i}"), Window);
        var first = await Store.List(1, 2, null);
        var second = await Store.List(1, 2, first[^1].InboundId);
        var third = await Store.List(1, 2, second[^1].InboundId);
        Assert.Equal(["m4", "m3", "m2", "m1", "m0"], first.Concat(second).Concat(third).Select(m => m.Text));
        Assert.Empty(await Store.List(2, 10, null));
    }

    [Fact]
    public async Task Work_is_leased_retried_with_its_attempts_counted_and_completed()
    {
        await Store.AddNumber(new InboundNumber(1, "22334", null), Start);
        await Store.Accept(Pdu("hello"), Window);
        var claimed = await Store.ClaimDue(Start, TimeSpan.FromMinutes(1), 1);
        var work = Assert.Single(claimed);
        Assert.Equal(0, work.Attempts);

        // The other step is still due; the leased one is not, until its lease runs out.
        Assert.NotEqual(work.WorkId, Assert.Single(await Store.ClaimDue(Start, TimeSpan.FromMinutes(1), 10)).WorkId);
        Assert.Empty(await Store.ClaimDue(Start + TimeSpan.FromSeconds(59), TimeSpan.FromMinutes(1), 10));

        await Store.Retry(work.WorkId, Start + TimeSpan.FromSeconds(2));
        var again = Assert.Single(await Store.ClaimDue(Start + TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1), 10));
        Assert.Equal((work.WorkId, 1), (again.WorkId, again.Attempts));

        await Store.Complete(work.WorkId);
        Assert.DoesNotContain(await Store.ClaimDue(Start + TimeSpan.FromHours(1), TimeSpan.FromMinutes(1), 10), w => w.WorkId == work.WorkId);
    }

    [Fact]
    public async Task Webhooks_and_opt_outs_are_per_account()
    {
        await Store.SetWebhook(1, "https://example.com/in");
        Assert.Equal("https://example.com/in", await Store.Webhook(1));
        Assert.Null(await Store.Webhook(2));
        await Store.SetWebhook(1, null);
        Assert.Null(await Store.Webhook(1));

        Assert.True(await Store.AddOptOut(1, "254702739804", OptOutSource.Inbound, Start));
        Assert.False(await Store.AddOptOut(1, "254702739804", OptOutSource.Api, Start + TimeSpan.FromMinutes(1)));
        Assert.True(await Store.AddOptOut(1, "254733000000", OptOutSource.Api, Start + TimeSpan.FromMinutes(2)));
        Assert.Equal([("254733000000", OptOutSource.Api), ("254702739804", OptOutSource.Inbound)],
            (await Store.OptOuts(1)).Select(e => (e.MobileNumber, e.Source)));
        Assert.Equal(Start, (await Store.OptOuts(1))[1].CreatedAt);
        Assert.Empty(await Store.OptOuts(2));
        Assert.True(await Store.RemoveOptOut(1, "254702739804"));
        Assert.False(await Store.RemoveOptOut(1, "254702739804"));
    }

    [Fact]
    public async Task Pruning_forgets_old_redelivery_keys_and_abandoned_parts()
    {
        await Store.AddNumber(new InboundNumber(1, "22334", null), Start);
        await Store.Accept(Pdu("yes"), Window);
        await Store.Accept(Pdu("half", segment: new InboundSegment(9, 2, 1)), Window);
        Assert.Equal(2, await Store.Prune(Start + TimeSpan.FromSeconds(1)));
        Assert.Equal(InboundAcceptOutcome.Stored, (await Store.Accept(Pdu("yes", at: Start + TimeSpan.FromMinutes(1)), Window)).Outcome);
        Assert.Equal(InboundAcceptOutcome.PartStored, (await Store.Accept(Pdu("rest", segment: new InboundSegment(9, 2, 2)), Window)).Outcome);
    }
}

public sealed class InMemoryInboundStoreTests : InboundStoreContractTests
{
    public override Task InitializeAsync()
    {
        Store = new InMemoryInboundStore();
        return Task.CompletedTask;
    }

    public override Task DisposeAsync() => Task.CompletedTask;
}

public sealed class NpgsqlInboundStoreTests : InboundStoreContractTests
{
    private TestDatabase _database = null!;

    public override async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        Store = new NpgsqlInboundStore(_database.ConnectionString);
    }

    public override async Task DisposeAsync()
    {
        await ((NpgsqlInboundStore)Store).DisposeAsync();
        await _database.DisposeAsync();
    }
}
