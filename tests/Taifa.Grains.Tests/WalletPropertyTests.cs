using Taifa.Abstractions;
using Taifa.Abstractions.Accounts;
using Taifa.Abstractions.Messages;
using Taifa.Domain.Text;
using Taifa.Grains.Ledger;

namespace Taifa.Grains.Tests;

/// <summary>
/// Property, over seeded random sequences against the account grain and the ledger: sends, refunds (repeated, some
/// concurrently), admin credits and top-ups whose references repeat (alone, in concurrent bursts, and after a
/// re-activation). Every entry's balance is the one before plus its amount, the last is the wallet's and the model's,
/// any split point's balance before plus what follows is the closing balance, and each reference, message and refund
/// has exactly one entry.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class WalletPropertyTests(GrainCluster cluster)
{
    private static long _nextAccountId = 7_000;

    [Fact]
    public async Task Statement_sums_and_exactly_once_hold_for_random_sequences()
    {
        var ledger = InProcessMessageLedger.ForCluster(cluster.Cluster.Options.ServiceId);
        for (var seed = 1; seed <= 40; seed++)
        {
            var random = new Random(seed);
            var id = Interlocked.Increment(ref _nextAccountId);
            var digest = ApiKeys.Digest(ApiKeys.NewKey());
            var grain = cluster.Grains.GetGrain<IAccountGrain>(id);
            Assert.Equal(AdminOutcome.Ok, (await grain.Open(new OpenAccount("property " + id, 20m, 1m, ["PRP" + id], digest))).Outcome);
            var expected = 20m;
            var accepted = new List<long>();
            var refunded = new HashSet<long>();
            var topUps = new Dictionary<string, decimal>();
            var context = $"seed {seed}";

            for (var step = 0; step < 30; step++)
            {
                switch (random.Next(seed % 8 == 0 ? 6 : 5))
                {
                    case 0:
                        var recipients = Enumerable.Range(0, random.Next(1, 4)).Select(i => new SendRecipient($"2547020009{random.Next(10, 99)}", 1)).ToList();
                        var sent = await grain.Send(new SendCommand
                        {
                            ApiKeyDigest = digest, SenderId = "PRP" + id, Text = "p", Encoding = SmsEncoding.Gsm7, Parts = 1,
                            Channel = MessageChannel.Rest, Recipients = recipients,
                        });
                        foreach (var outcome in sent.Outcomes.Where(o => o.Status == TaifaStatus.Success))
                        {
                            accepted.Add(outcome.MessageId);
                            expected -= outcome.Cost;
                        }

                        break;
                    case 1 when accepted.Count > 0:
                        var message = accepted[random.Next(accepted.Count)];
                        await Task.WhenAll(Enumerable.Range(0, random.Next(1, 4)).Select(_ => grain.Refund(message, 1m)));
                        if (refunded.Add(message)) expected += 1m;
                        break;
                    case 2:
                        var credit = random.Next(1, 10_000) / 100m;
                        Assert.Equal(AdminOutcome.Ok, (await grain.Credit(credit)).Outcome);
                        expected += credit;
                        break;
                    case 5:
                        await cluster.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
                        break;
                    default:
                        var reference = $"T{seed}X{random.Next(5)}";
                        var amount = random.Next(1, 100_000) / 100m;
                        var answers = await Task.WhenAll(Enumerable.Range(0, random.Next(1, 6)).Select(_ => grain.TopUp(reference, amount)));
                        var first = topUps.TryAdd(reference, amount);
                        if (first) expected += amount;
                        Assert.True(answers.Count(a => a == TopUpOutcome.Credited) == (first ? 1 : 0), $"{context}: {reference} answered {string.Join(',', answers)}");
                        break;
                }
            }

            var entries = await ledger.ReadEntries(id, 0, int.MaxValue);
            var balance = 0m;
            foreach (var entry in entries)
            {
                balance += entry.Amount;
                Assert.True(balance == entry.BalanceAfter, $"{context}: entry {entry.EntryId} balance {entry.BalanceAfter}, running sum {balance}");
            }

            Assert.True(expected == balance, $"{context}: expected {expected}, ledger closes at {balance}");
            Assert.Equal(expected, (await grain.View())!.CreditBalance);
            Assert.Equal(expected, (await ledger.ReadWallet(id))!.Balance);

            var split = entries[random.Next(entries.Count)].At;
            var after = await ledger.ReadEntries(id, split, DateTimeOffset.MaxValue, 0, int.MaxValue);
            Assert.True(await ledger.ReadBalanceBefore(id, split) + after.Sum(e => e.Amount) == expected, context);

            Assert.Equal(accepted.Order(), entries.Where(e => e.Kind == LedgerEntryKind.Debit).Select(e => e.MessageId!.Value).Order());
            Assert.Equal(refunded.Order(), entries.Where(e => e.Kind == LedgerEntryKind.Refund).Select(e => e.MessageId!.Value).Order());
            Assert.Equal(topUps.OrderBy(t => t.Key), entries.Where(e => e.Kind == LedgerEntryKind.TopUp).Select(e => KeyValuePair.Create(e.Reference!, e.Amount)).OrderBy(t => t.Key));
        }
    }
}
