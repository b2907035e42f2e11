using System.Text;
using CdcLake.Parquet;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>
/// The precombine comparison read straight from columns (used per changed row while a file group is rewritten) must
/// rank every pair of values as the comparison of their .NET values does: Java's string order included.
/// </summary>
public sealed class RecordOrderingTests
{
    [Fact]
    public void Comparing_values_in_their_columns_ranks_them_as_comparing_the_values_does()
    {
        var random = new Random(3);
        // Strings whose UTF-8 order differs from their UTF-16 order (a character above U+FFFF against one in
        // U+E000–U+FFFF), prefixes, the empty string; numbers of both signs; nulls.
        string[] pieces = ["", "a", "ab", "b", "\uE000", "\uFFFD", "\U0001F600", "\u00E9", "0", "9"];
        var strings = Enumerable.Range(0, 400).Select(_ => random.Next(8) == 0 ? null : string.Concat(Enumerable.Range(0, random.Next(4)).Select(_ => pieces[random.Next(pieces.Length)]))).ToList();
        var longs = Enumerable.Range(0, 400).Select(_ => random.Next(8) == 0 ? (long?)null : random.NextInt64(-5, 5) * (random.Next(2) == 0 ? 1 : long.MaxValue / 7)).ToList();
        var ints = Enumerable.Range(0, 400).Select(_ => random.Next(8) == 0 ? (int?)null : random.Next(-3, 3)).ToList();

        var stringField = new PrimitiveField("s", PhysicalType.ByteArray, LogicalType.String);
        var strings1 = StringVector(stringField, strings);
        var strings2 = StringVector(stringField, [.. strings.AsEnumerable().Reverse()]);
        var longField = new PrimitiveField("l", PhysicalType.Int64);
        var longs1 = new PrimitiveVector<long>(longField, [.. longs.Select(v => v ?? 0)], longs.Count, Validity(longs.Select(v => v.HasValue)));
        var longs2 = new PrimitiveVector<long>(longField, [.. longs.AsEnumerable().Reverse().Select(v => v ?? 0)], longs.Count, Validity(longs.AsEnumerable().Reverse().Select(v => v.HasValue)));
        var timeField = new PrimitiveField("t", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, adjustedToUtc: true));
        var times = new PrimitiveVector<long>(timeField, [.. longs.Select(v => (v ?? 0) / 1_000_000)], longs.Count, longs1.Validity);
        var intField = new PrimitiveField("i", PhysicalType.Int32);
        var ints1 = new PrimitiveVector<int>(intField, [.. ints.Select(v => v ?? 0)], ints.Count, Validity(ints.Select(v => v.HasValue)));

        foreach (var (x, y) in new (ColumnVector, ColumnVector)[] { (strings1, strings2), (longs1, longs2), (times, times), (ints1, ints1) })
        {
            for (var k = 0; k < 2_000; k++)
            {
                var (i, j) = (random.Next(x.Length), random.Next(y.Length));
                Math.Sign(PrecombineFieldOrdering.CompareAt(x, i, y, j)).Should().Be(
                    Math.Sign(PrecombineFieldOrdering.CompareValues(x.GetValue(i), y.GetValue(j))),
                    $"{x.Field.Name}: {x.GetValue(i) ?? "null"} against {y.GetValue(j) ?? "null"}");
            }
        }

        // The surrogate case itself: U+1F600 sorts before U+E000 in Java's (UTF-16) order, after it in UTF-8's.
        var pair = StringVector(stringField, ["\U0001F600", "\uE000"]);
        PrecombineFieldOrdering.CompareAt(pair, 0, pair, 1).Should().BeNegative();
    }

    private static BinaryVector StringVector(Field field, IReadOnlyList<string?> values)
    {
        var offsets = new int[values.Count + 1];
        var data = new List<byte>();
        for (var i = 0; i < values.Count; i++)
        {
            data.AddRange(Encoding.UTF8.GetBytes(values[i] ?? ""));
            offsets[i + 1] = data.Count;
        }

        return new BinaryVector(field, offsets, [.. data], values.Count, Validity(values.Select(v => v is not null)));
    }

    private static byte[] Validity(IEnumerable<bool> valid)
    {
        var flags = valid.ToList();
        var bitmap = new byte[Bitmap.BytesFor(flags.Count)];
        for (var i = 0; i < flags.Count; i++)
        {
            if (flags[i])
            {
                Bitmap.Set(bitmap, i);
            }
        }

        return bitmap;
    }
}
