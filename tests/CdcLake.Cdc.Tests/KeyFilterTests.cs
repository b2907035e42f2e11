using System.Globalization;
using System.Text;
using CdcLake.Cdc.Internal;
using FluentAssertions;
using Xunit;

namespace CdcLake.Cdc.Tests;

/// <summary>The first load's filter of keys seen: never misses a repeat; few false alarms; none for integer keys.</summary>
public class KeyFilterTests
{
    [Fact]
    public void String_keys_repeat_is_always_seen_and_false_alarms_stay_near_the_designed_rate()
    {
        const int Keys = 200_000;
        var filter = new KeyFilter(Keys);
        var falseAlarms = 0;
        for (var i = 0; i < Keys; i++)
        {
            falseAlarms += filter.AddAndCheck(Key($"customer-{i:x}")) ? 1 : 0;
        }

        for (var i = 0; i < Keys; i += 7)
        {
            filter.AddAndCheck(Key($"customer-{i:x}")).Should().BeTrue($"key {i} was added");
        }

        ((double)falseAlarms / Keys).Should().BeLessThan(0.004, "sized for about 0.15%");
    }

    [Fact]
    public void Integer_keys_are_exact_dense_or_sparse_and_repeats_are_seen_after_the_switch_to_the_filter()
    {
        const int Keys = 100_000;
        var filter = new KeyFilter(Keys);
        var random = new Random(5);

        // Dense ids first (exact), then ids spread over the whole long range: bitmaps would grow too large, so those
        // go to the Bloom filter.
        var ids = Enumerable.Range(0, Keys / 2).Select(i => (long)i - 1000)
            .Concat(Enumerable.Range(0, Keys / 2).Select(_ => random.NextInt64(long.MinValue, long.MaxValue)))
            .ToList();
        var alarms = ids.Count(id => filter.AddAndCheck(id, Key(id)));
        alarms.Should().BeLessThan(Keys / 200, "the sparse half may raise a few false alarms, the dense half none");

        foreach (var id in ids.Where((_, i) => i % 3 == 0))
        {
            filter.AddAndCheck(id, Key(id)).Should().BeTrue($"id {id} was added");
        }

        var exact = new KeyFilter(Keys);
        Enumerable.Range(0, Keys).Count(i => exact.AddAndCheck(i * 3L, Key(i * 3L))).Should().Be(0, "dense integer keys are kept exactly");
        exact.AddAndCheck(3L * (Keys - 1), Key(3L * (Keys - 1))).Should().BeTrue();
        exact.AddAndCheck(-1, Key(-1)).Should().BeFalse();
    }

    private static byte[] Key(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Key(long id) => Encoding.UTF8.GetBytes(id.ToString(CultureInfo.InvariantCulture));
}
