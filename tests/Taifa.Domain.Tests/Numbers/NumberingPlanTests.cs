using Taifa.Domain.Numbers;

namespace Taifa.Domain.Tests.Numbers;

public class NumberingPlanTests
{
    private const int Safaricom = 1;
    private const int Airtel = 2;
    private const int Telkom = 3;
    private const int Equitel = 4;
    private const int JamiiTelecom = 5;
    private const int HomelandMedia = 6;
    private const int MobilePay = 7;
    private const int SemaMobile = 8;
    private const int Infura = 9;
    private const int NrgMedia = 10;

    [Theory]
    [InlineData("254700000000", Safaricom)]
    [InlineData("254712345678", Safaricom)]
    [InlineData("254729999999", Safaricom)]
    [InlineData("254740000000", Safaricom)]
    [InlineData("254743999999", Safaricom)]
    [InlineData("254745000000", Safaricom)]
    [InlineData("254746000000", Safaricom)]
    [InlineData("254748000000", Safaricom)]
    [InlineData("254749000000", Safaricom)]
    [InlineData("254757000000", Safaricom)]
    [InlineData("254758000000", Safaricom)]
    [InlineData("254759999999", Safaricom)]
    [InlineData("254768000000", Safaricom)]
    [InlineData("254769999999", Safaricom)]
    [InlineData("254790000000", Safaricom)]
    [InlineData("254799999999", Safaricom)]
    [InlineData("254110000000", Safaricom)]
    [InlineData("254115999999", Safaricom)]
    [InlineData("254730000000", Airtel)]
    [InlineData("254739999999", Airtel)]
    [InlineData("254750000000", Airtel)]
    [InlineData("254756999999", Airtel)]
    [InlineData("254761000000", Airtel)]
    [InlineData("254762999999", Airtel)]
    [InlineData("254780000000", Airtel)]
    [InlineData("254789999999", Airtel)]
    [InlineData("254100000000", Airtel)]
    [InlineData("254108999999", Airtel)]
    [InlineData("254770000000", Telkom)]
    [InlineData("254779999999", Telkom)]
    [InlineData("254120000000", Telkom)]
    [InlineData("254763000000", Equitel)]
    [InlineData("254764000000", Equitel)]
    [InlineData("254765000000", Equitel)]
    [InlineData("254766999999", Equitel)]
    [InlineData("254124000000", Equitel)]
    [InlineData("254747000000", JamiiTelecom)]
    [InlineData("254744000000", HomelandMedia)]
    [InlineData("254760000000", MobilePay)]
    [InlineData("254767000000", SemaMobile)]
    [InlineData("254121000000", Infura)]
    [InlineData("254130000000", NrgMedia)]
    public void Allocated_numbers_resolve_to_their_operator(string number, int networkId) =>
        Assert.Equal(networkId, NumberingPlan.Kenya.Lookup(number)?.Id);

    [Theory]
    [InlineData("254744000000", HomelandMedia)] // inside Safaricom's 25474
    [InlineData("254747999999", JamiiTelecom)]  // inside Safaricom's 25474
    [InlineData("254757000000", Safaricom)]     // inside Airtel's 25475
    [InlineData("254760999999", MobilePay)]
    [InlineData("254120999999", Telkom)]
    public void The_longest_prefix_wins(string number, int networkId) =>
        Assert.Equal(networkId, NumberingPlan.Kenya.Lookup(number)?.Id);

    [Theory]
    [InlineData("254109000000")] // 25410 is Airtel's, but 0109 is not a mobile range
    [InlineData("254116000000")]
    [InlineData("254119999999")]
    [InlineData("254122000000")]
    [InlineData("254123000000")]
    [InlineData("254125000000")]
    [InlineData("254129000000")]
    [InlineData("254131000000")]
    [InlineData("254140000000")]
    [InlineData("254190000000")]
    [InlineData("254200000000")]
    [InlineData("254202012345")]
    [InlineData("254600000000")]
    [InlineData("254800223456")]
    [InlineData("254900223456")]
    [InlineData("254022000000")]
    public void Numbers_outside_every_allocated_mobile_range_have_no_operator(string number) =>
        Assert.Null(NumberingPlan.Kenya.Lookup(number));

    [Theory]
    [InlineData("")]
    [InlineData("0722000000")]
    [InlineData("+254722000000")]
    [InlineData("25472200000")]
    [InlineData("2547220000000")]
    [InlineData("254 722000000")]
    [InlineData("25472200000a")]
    public void Numbers_not_in_normalised_form_have_no_operator(string number) =>
        Assert.Null(NumberingPlan.Kenya.Lookup(number));

    [Fact]
    public void Every_allocated_mobile_block_has_an_operator()
    {
        string[] allocated = ["10[0-8]", "11[0-5]", "12[014]", "130", "7[0-9][0-9]"];
        var blocks = Enumerable.Range(100, 900).Select(b => b.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Where(b => allocated.Any(pattern => System.Text.RegularExpressions.Regex.IsMatch(b, $"^{pattern}$")))
            .ToList();

        Assert.Equal(9 + 6 + 3 + 1 + 100, blocks.Count);
        Assert.All(blocks, block => Assert.NotNull(NumberingPlan.Kenya.Lookup($"254{block}123456")));
    }

    [Fact]
    public void Networks_are_the_operators_by_id()
    {
        var networks = NumberingPlan.Kenya.Networks;

        Assert.Equal(Enumerable.Range(1, 10), networks.Select(n => n.Id));
        Assert.Equal(["Safaricom", "Airtel", "Telkom"], networks.Take(3).Select(n => n.Name));
        Assert.Contains("Equitel", networks[3].Name, StringComparison.Ordinal);
        Assert.Equal(networks.Count, networks.Select(n => n.Name).Distinct().Count());
    }

    [Fact]
    public void Lookup_returns_the_networks_the_plan_lists() =>
        Assert.Same(NumberingPlan.Kenya.Networks[0], NumberingPlan.Kenya.Lookup("254722000000"));

    [Fact]
    public void A_ported_number_answers_with_its_new_network_and_leaves_its_neighbours_alone()
    {
        var plan = NumberingPlan.Kenya.WithPortedNumbers(new Dictionary<string, int> { ["254722000001"] = Airtel, ["254733000000"] = Equitel });

        Assert.Equal(Airtel, plan.Lookup("254722000001")?.Id);
        Assert.Equal(Equitel, plan.Lookup("254733000000")?.Id);
        Assert.Equal(Safaricom, plan.Lookup("254722000002")?.Id);
        Assert.Equal(Safaricom, NumberingPlan.Kenya.Lookup("254722000001")?.Id);
        Assert.Equal(NumberingPlan.Kenya.Networks, plan.Networks);
    }

    [Fact]
    public void Ported_numbers_replace_those_of_the_plan_they_are_applied_to()
    {
        var first = NumberingPlan.Kenya.WithPortedNumbers(new Dictionary<string, int> { ["254722000001"] = Airtel });
        var second = first.WithPortedNumbers(new Dictionary<string, int> { ["254722000002"] = Telkom });

        Assert.Equal(Safaricom, second.Lookup("254722000001")?.Id);
        Assert.Equal(Telkom, second.Lookup("254722000002")?.Id);
    }

    [Theory]
    [InlineData("0722000001", Airtel)]
    [InlineData("+254722000001", Airtel)]
    [InlineData("254822000001", Airtel)]
    [InlineData("254722000001", 0)]
    [InlineData("254722000001", 11)]
    public void Ported_numbers_must_be_normalised_and_name_a_known_network(string number, int networkId) =>
        Assert.Throws<ArgumentException>(() =>
            NumberingPlan.Kenya.WithPortedNumbers(new Dictionary<string, int> { [number] = networkId }));
}
