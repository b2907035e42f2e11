using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using CdcLake.Parquet.Internal.Writing;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;
using static CdcLake.Parquet.Tests.WriterTestSupport;
using MetaEncoding = CdcLake.Parquet.Meta.Encoding;
using MetaPageType = CdcLake.Parquet.Meta.PageType;

namespace CdcLake.Parquet.Tests;

/// <summary>
/// The shortcuts of the writer's and reader's inner loops on the merge job's shapes: runs of one string skip the
/// dictionary lookup, unique columns leave the dictionary early, decimal bounds compare whole words, short strings
/// are copied in wide steps. Each is checked against DuckDB or an independent computation.
/// </summary>
public sealed class HotPathTests
{
    private static DuckDb Db => DuckDb.Shared;

    private static PrimitiveField Opt(string name, PhysicalType type, LogicalType? logical = null, int length = 0) =>
        new(name, type, logical, Repetition.Optional, length);

    [Fact]
    public void Writing_chosen_rows_of_batches_writes_those_rows_in_the_order_given()
    {
        using var temp = new TempDirectory("hotpath-selection");
        var file = temp.PathOf("chosen.parquet");
        // Every column kind the writer gathers itself (boolean, int, long, double, string, each with nulls in some
        // batches and none in others) and a list, which it takes the general way. The writer keeps its gather
        // buffers from call to call: batches of different sizes, selections with runs, gaps, repeats, reversals.
        Field[] fields =
        [
            Opt("i", PhysicalType.Int32), Opt("l", PhysicalType.Int64), Opt("d", PhysicalType.Double),
            Opt("b", PhysicalType.Boolean), Opt("s", PhysicalType.ByteArray, LogicalType.String),
            new ListField("xs", new PrimitiveField("element", PhysicalType.Int32)),
        ];
        var schema = new ParquetSchema(fields);
        var random = new Random(5);
        var expected = new List<string>();
        using (var writer = ParquetWriter.Create(file, schema, new ParquetWriteOptions { RowGroupRows = 3_000 }))
        {
            for (var b = 0; b < 12; b++)
            {
                var n = random.Next(1, 5_000);
                var nulls = b % 3 != 0;
                var rows = Enumerable.Range(0, n).Select(r => (Id: (b * 10_000) + r, Null: nulls && random.Next(7) == 0, Text: new string((char)('a' + random.Next(26)), random.Next(0, 90)))).ToList();
                var batch = new RecordBatch(schema, [
                    Vector(fields[0], [.. rows.Select(r => r.Null ? null : (object)r.Id)]),
                    Vector(fields[1], [.. rows.Select(r => r.Null ? null : (object)(r.Id * 3_000_000_000L))]),
                    Vector(fields[2], [.. rows.Select(r => r.Null ? null : (object)(r.Id / 4.0))]),
                    Vector(fields[3], [.. rows.Select(r => r.Null ? null : (object)(r.Id % 3 == 0))]),
                    Vector(fields[4], [.. rows.Select(r => r.Null ? null : (object)r.Text)]),
                    Vector(fields[5], [.. rows.Select(r => r.Null ? null : (object)new List<object?> { r.Id, r.Id + 1 })]),
                ], n);
                var chosen = b switch
                {
                    0 => [.. Enumerable.Range(0, n)],
                    1 => [],
                    2 => [.. Enumerable.Range(0, n).Reverse()],
                    _ => Enumerable.Range(0, n).Where(_ => random.Next(10) != 0).SelectMany(r => random.Next(50) == 0 ? new[] { r, r } : [r]).ToArray(),
                };
                writer.Write(batch, chosen);
                expected.AddRange(chosen.Select(r => rows[r]).Select(r => r.Null
                    ? "null|null|null|null|null|null"
                    : $"{r.Id}|{r.Id * 3_000_000_000L}|{r.Id}|{(r.Id % 3 == 0 ? "true" : "false")}|{r.Text}|{r.Id},{r.Id + 1}"));
            }
        }

        var read = Db.Query($"""
            SELECT coalesce(i::VARCHAR, 'null') || '|' || coalesce(l::VARCHAR, 'null') || '|' || coalesce((d * 4)::BIGINT::VARCHAR, 'null') || '|'
                || coalesce(b::VARCHAR, 'null') || '|' || coalesce(s, 'null') || '|' || coalesce(array_to_string(xs, ','), 'null')
            FROM read_parquet({DuckDb.Literal(file)}, file_row_number = true) ORDER BY file_row_number
            """).Rows;
        read.Select(r => r[0].GetString()).Should().Equal(expected);
        var outOfRange = () =>
        {
            using var writer = ParquetWriter.Create(temp.PathOf("bad.parquet"), schema);
            writer.Write(new RecordBatch(schema, [.. fields.Select(f => Vector(f, [null]))], 1), [1]);
        };
        outOfRange.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Row_groups_copied_as_stored_read_back_with_their_rows_and_the_replaced_column()
    {
        using var temp = new TempDirectory("hotpath-copy");
        Field[] fields =
        [
            Opt("i", PhysicalType.Int32), Opt("s", PhysicalType.ByteArray, LogicalType.String),
            new ListField("xs", new PrimitiveField("element", PhysicalType.Int32)), Opt("tag", PhysicalType.ByteArray, LogicalType.String),
        ];
        var schema = new ParquetSchema(fields);
        RecordBatch Rows(int from, int count, string tag) => new(schema, [
            Vector(fields[0], [.. Enumerable.Range(from, count).Select(i => i % 13 == 0 ? null : (object)i)]),
            Vector(fields[1], [.. Enumerable.Range(from, count).Select(i => (object)$"v{i % 50}")]),
            Vector(fields[2], [.. Enumerable.Range(from, count).Select(i => i % 7 == 0 ? null : (object)new List<object?> { i, -i })]),
            Vector(fields[3], [.. Enumerable.Range(from, count).Select(_ => (object)tag)]),
        ], count);
        string Line(int i, string tag) => $"{(i % 13 == 0 ? "null" : i)}|v{i % 50}|{(i % 7 == 0 ? "null" : $"{i},{-i}")}|{tag}";

        // The source: three row groups of 1,000 rows, snappy, dictionary pages included.
        var sourcePath = temp.PathOf("source.parquet");
        using (var writer = ParquetWriter.Create(sourcePath, schema, new ParquetWriteOptions { RowGroupRows = 1_000, Codec = ParquetCodec.Snappy }))
        {
            writer.Write(Rows(0, 3_000, "old"));
        }

        var file = temp.PathOf("copy.parquet");
        var tag = (PrimitiveField)fields[3];
        using (var source = ParquetReader.Open(sourcePath))
        using (var writer = ParquetWriter.Create(file, schema, new ParquetWriteOptions { Codec = ParquetCodec.Gzip }))
        {
            writer.Write(Rows(10_000, 10, "new"));
            writer.TryCopyRowGroup(source, 2, new RecordBatch(new ParquetSchema([tag]), [Vector(tag, [.. Enumerable.Repeat((object?)"new", 1_000)])], 1_000)).Should().BeTrue();
            writer.TryCopyRowGroup(source, 0).Should().BeTrue();
            writer.Write(Rows(20_000, 5, "new"));

            // A column stored with another type than this file's cannot be copied: nothing is written.
            using var other = ParquetWriter.Create(temp.PathOf("other.parquet"), new ParquetSchema([Opt("i", PhysicalType.Int64), fields[1], fields[2], fields[3]]));
            other.TryCopyRowGroup(source, 1).Should().BeFalse();
            other.RowsWritten.Should().Be(0);
        }

        var expected = Enumerable.Range(10_000, 10).Select(i => Line(i, "new"))
            .Concat(Enumerable.Range(2_000, 1_000).Select(i => Line(i, "new")))
            .Concat(Enumerable.Range(0, 1_000).Select(i => Line(i, "old")))
            .Concat(Enumerable.Range(20_000, 5).Select(i => Line(i, "new")));
        var read = Db.Query($"""
            SELECT coalesce(i::VARCHAR, 'null') || '|' || s || '|' || coalesce(array_to_string(xs, ','), 'null') || '|' || tag
            FROM read_parquet({DuckDb.Literal(file)}, file_row_number = true) ORDER BY file_row_number
            """).Rows;
        read.Select(r => r[0].GetString()).Should().Equal(expected);

        // Four row groups (the rows written before a copy are flushed first); the copied chunks keep their statistics.
        var groups = Db.Query($"SELECT row_group_id, row_group_num_rows, stats_min_value, stats_max_value, compression FROM parquet_metadata({DuckDb.Literal(file)}) WHERE path_in_schema = 'i' ORDER BY row_group_id").Rows;
        groups.Select(r => r[1].GetInt64()).Should().Equal(10, 1_000, 1_000, 5);
        (groups[1][2].GetString(), groups[1][3].GetString(), groups[1][4].GetString()).Should().Be(("2000", "2999", "SNAPPY"));
        groups[0][4].GetString().Should().Be("GZIP");
        using var ours = ParquetReader.Open(file);
        ours.ReadBatches().Sum(b => b.RowCount).Should().Be(2_015);
    }

    [Fact]
    public void Runs_of_repeated_strings_are_dictionary_encoded_value_for_value()
    {
        using var temp = new TempDirectory("hotpath-runs");
        var file = temp.PathOf("runs.parquet");
        // Runs of random length over values that are prefixes of one another, the empty string and a long one,
        // with nulls between runs: a run must end wherever the bytes differ, not where a hash or a length does.
        string[] pool = ["", "a", "ab", "abc", "abd", "20251122090000123", new string('f', 72), "b", "ba"];
        var random = new Random(11);
        var values = new List<object?>();
        while (values.Count < 30_000)
        {
            var value = random.Next(10) == 0 ? null : pool[random.Next(pool.Length)];
            values.AddRange(Enumerable.Repeat((object?)value, random.Next(1, 40)));
        }

        Field[] fields = [Opt("s", PhysicalType.ByteArray, LogicalType.String), Opt("i", PhysicalType.Int32)];
        var schema = new ParquetSchema(fields);
        using (var writer = ParquetWriter.Create(file, schema))
        {
            // Batches cut inside runs, as a rewrite's batches are.
            for (var start = 0; start < values.Count; start += 7_001)
            {
                var n = Math.Min(7_001, values.Count - start);
                var slice = values.GetRange(start, n);
                writer.Write(new RecordBatch(schema, [Vector(fields[0], slice), Vector(fields[1], [.. Enumerable.Range(start, n).Select(i => (object?)i)])], n));
            }
        }

        var chunk = PageWalker.Walk(file, schema).Single(c => c.Column.DottedPath == "s");
        chunk.Pages[0].Type.Should().Be(MetaPageType.DictionaryPage);
        chunk.Pages.Skip(1).Should().OnlyContain(p => p.Encoding == MetaEncoding.RleDictionary);

        var rows = Db.Query($"SELECT i, s FROM {DuckDb.Literal(file)} ORDER BY i").Rows;
        rows.Select(r => r[1].ValueKind == System.Text.Json.JsonValueKind.Null ? null : r[1].GetString()).Should().Equal(values.Select(v => (string?)v));
    }

    [Fact]
    public void A_column_distinct_over_its_first_values_is_written_plain_and_a_repetitive_one_keeps_its_dictionary()
    {
        using var temp = new TempDirectory("hotpath-probe");
        var file = temp.PathOf("probe.parquet");
        const int rows = 50_000;
        Field[] fields = [Opt("key", PhysicalType.ByteArray, LogicalType.String), Opt("customer", PhysicalType.ByteArray, LogicalType.String), Opt("id", PhysicalType.Int64)];
        List<object?>[] columns =
        [
            [.. Enumerable.Range(0, rows).Select(i => (object?)$"20251122090000123_0_{i}")],
            [.. Enumerable.Range(0, rows).Select(i => (object?)$"customer-{i % 3_000}")],
            [.. Enumerable.Range(0, rows).Select(i => (object?)(i * 7L))],
        ];
        var schema = new ParquetSchema(fields);
        using (var writer = ParquetWriter.Create(file, schema))
        {
            writer.Write(new RecordBatch(schema, [.. fields.Select((f, c) => Vector(f, columns[c]))], rows));
        }

        var chunks = PageWalker.Walk(file, schema).ToDictionary(c => c.Column.DottedPath);
        foreach (var unique in new[] { "key", "id" })
        {
            chunks[unique].Meta.DictionaryPageOffset.Should().BeNull("{0} is all distinct", unique);
            chunks[unique].Pages.Should().OnlyContain(p => p.Type == MetaPageType.DataPage && p.Encoding == MetaEncoding.Plain);
        }

        chunks["customer"].Pages[0].Type.Should().Be(MetaPageType.DictionaryPage);
        chunks["customer"].Pages.Skip(1).Should().OnlyContain(p => p.Encoding == MetaEncoding.RleDictionary);
        var check = Db.Query($"SELECT count(DISTINCT key), count(DISTINCT customer), sum(id)::BIGINT FROM {DuckDb.Literal(file)}").Rows[0];
        check.Select(e => e.GetInt64()).Should().Equal(rows, 3_000, Enumerable.Range(0, rows).Sum(i => i * 7L));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Plain_strings_of_every_length_are_written_as_given(bool optional)
    {
        using var temp = new TempDirectory("hotpath-plain");
        var file = temp.PathOf("plain.parquet");
        // Lengths 0..150 in a varying order, in vectors whose data arrays end with their last value (so the last
        // values cannot be read 16 bytes wide) and in slices that start mid-vector.
        var field = new PrimitiveField("s", PhysicalType.ByteArray, LogicalType.String, optional ? Repetition.Optional : Repetition.Required);
        var schema = new ParquetSchema([field]);
        var expected = new List<string>();
        using (var writer = ParquetWriter.Create(file, schema, new ParquetWriteOptions { EnableDictionary = false, PageBytes = 8192 }))
        {
            for (var batch = 0; batch < 20; batch++)
            {
                var values = Enumerable.Range(0, 997).Select(i => new string((char)('a' + ((i + batch) % 26)), ((i * 31) + batch) % 151) + (i % 7 == 0 ? "é" : "")).ToList();
                expected.AddRange(values);
                var bytes = values.Select(Encoding.UTF8.GetBytes).ToList();
                var offsets = new int[values.Count + 1];
                for (var i = 0; i < bytes.Count; i++)
                {
                    offsets[i + 1] = offsets[i] + bytes[i].Length;
                }

                var data = bytes.SelectMany(b => b).ToArray();
                writer.Write(new RecordBatch(schema, [new BinaryVector(field, offsets, data, values.Count)], values.Count));
            }
        }

        PageWalker.Walk(file, schema).Single().Pages.Should().OnlyContain(p => p.Encoding == MetaEncoding.Plain);
        var rows = Db.Query($"SELECT s FROM {DuckDb.Literal(file)}").Rows;
        rows.Select(r => r[0].GetString()).Should().Equal(expected);
        var bounds = Db.Query($"SELECT stats_min_value, stats_max_value FROM parquet_metadata({DuckDb.Literal(file)})").Rows[0];
        bounds.Select(e => e.GetString()).Should().Equal(expected.Min(StringComparer.Ordinal), expected.Max(StringComparer.Ordinal));
    }

    [Fact]
    public void String_bounds_are_exact_whatever_the_first_eight_bytes_share()
    {
        // Values that tie on their first 8 bytes with a bound, bounds shorter than 8 bytes, a longer value that
        // extends a bound, and bytes above 0x7F; the bounds are checked against an ordinal sort, per batch order.
        string[] pool =
        [
            "2025112209", "20251122", "2025112", "20251122\u0000", "2025112209\u00ff", "20251123", "20251121zzzzzzzz",
            "user1@example.com", "user10@example.com", "user2@example.com", "abc", "abcdefgh", "abcdefgh\u0001", "é", "",
        ];
        var random = new Random(21);
        var stats = new BinaryStats(BinaryOrder.Unsigned);
        for (var round = 0; round < 2_000; round++)
        {
            stats.Reset();
            var values = Enumerable.Range(0, random.Next(1, 12)).Select(_ => Encoding.UTF8.GetBytes(pool[random.Next(pool.Length)])).ToList();
            foreach (var value in values)
            {
                stats.Update(value);
            }

            var sorted = values.Order(Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b))).ToList();
            var (min, max) = stats.Bounds();
            min.Should().Equal(sorted[0]);
            max.Should().Equal(sorted[^1]);
        }
    }

    [Fact]
    public void Signed_big_endian_comparison_orders_as_the_integers_do()
    {
        var random = new Random(3);
        for (var width = 1; width <= 16; width++)
        {
            for (var k = 0; k < 2_000; k++)
            {
                var a = Bytes(random, width);
                var b = k % 5 == 0 ? (byte[])a.Clone() : Bytes(random, width);
                if (k % 7 == 0)
                {
                    b[0] = a[0]; // same leading byte: the order is in the rest
                }

                var expected = Math.Sign(new BigInteger(a, isUnsigned: false, isBigEndian: true).CompareTo(new BigInteger(b, isUnsigned: false, isBigEndian: true)));
                Math.Sign(BinaryStats.CompareSignedBigEndian(a, b)).Should().Be(expected, "{0} vs {1}", Convert.ToHexString(a), Convert.ToHexString(b));
            }
        }

        static byte[] Bytes(Random random, int width)
        {
            var bytes = new byte[width];
            random.NextBytes(bytes);
            if (random.Next(8) == 0)
            {
                bytes.AsSpan().Fill(random.Next(2) == 0 ? (byte)0 : (byte)0xFF);
            }

            return bytes;
        }
    }

    [Fact]
    public void Fixed_width_decimal_bounds_are_the_true_minimum_and_maximum()
    {
        using var temp = new TempDirectory("hotpath-decimal");
        var file = temp.PathOf("decimal.parquet");
        var field = Opt("amount", PhysicalType.FixedLenByteArray, LogicalType.Decimal(18, 4), 8);
        var random = new Random(8);
        var unscaled = Enumerable.Range(0, 20_000).Select(_ => random.NextInt64(-999_999_999_999_999_999L, 999_999_999_999_999_999L)).ToList();
        unscaled[1234] = -999_999_999_999_999_999L;
        unscaled[4321] = 999_999_999_999_999_999L;
        var values = unscaled.Select(v => (object?)BigEndian(v, 8)).ToList();
        var schema = new ParquetSchema([field]);
        using (var writer = ParquetWriter.Create(file, schema, new ParquetWriteOptions { EnableDictionary = false }))
        {
            writer.Write(new RecordBatch(schema, [Vector(field, values)], values.Count));
        }

        var statistics = PageWalker.Footer(file).RowGroups[0].Columns[0].MetaData!.Statistics!;
        BinaryPrimitives.ReadInt64BigEndian(statistics.MinValue).Should().Be(unscaled.Min());
        BinaryPrimitives.ReadInt64BigEndian(statistics.MaxValue).Should().Be(unscaled.Max());
        var bounds = Db.Query($"SELECT stats_min_value, stats_max_value FROM parquet_metadata({DuckDb.Literal(file)})").Rows[0];
        bounds.Select(e => e.GetString()).Should().Equal(DecimalText(unscaled.Min(), 4), DecimalText(unscaled.Max(), 4));
    }

    [Theory]
    [InlineData("uncompressed")]
    [InlineData("snappy")]
    public void Strings_of_every_length_up_to_past_the_wide_copy_read_back_as_DuckDB_wrote_them(string codec)
    {
        using var temp = new TempDirectory("hotpath-read");
        var file = temp.PathOf("strings.parquet");
        // plain: values of 0..99 bytes, mostly distinct (PLAIN pages); dict: 1,170 values of 0..89 bytes (dictionary pages);
        // small: 4 values of 0..72 bytes (a dictionary smaller than one wide copy); the last values of each page sit
        // within a wide copy of its end.
        const int rows = 20_000;
        Db.Execute($"""
            COPY (SELECT i, left(repeat(md5(i::VARCHAR), 4), ((i * 37) % 100)::INTEGER) AS plain,
                         repeat(chr((65 + i % 26)::INTEGER), ((i * 13) % 90)::INTEGER) AS dict,
                         ['{SmallValues[0]}', '{SmallValues[1]}', '{SmallValues[2]}', '{SmallValues[3]}'][i % 4 + 1] AS small
                  FROM range({rows}) t(i))
            TO {DuckDb.Literal(file)} (FORMAT parquet, COMPRESSION {codec}, ROW_GROUP_SIZE 7000)
            """);
        var plain = new List<string>();
        var dict = new List<string>();
        var small = new List<string>();
        using (var reader = ParquetReader.Open(file))
        {
            foreach (var batch in reader.ReadBatches())
            {
                plain.AddRange(Strings((BinaryVector)batch["plain"], batch.RowCount));
                dict.AddRange(Strings((BinaryVector)batch["dict"], batch.RowCount));
                small.AddRange(Strings((BinaryVector)batch["small"], batch.RowCount));
            }
        }

        plain.Should().HaveCount(rows);
        for (var i = 0; i < rows; i++)
        {
            var md5 = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            plain[i].Should().Be(string.Concat(Enumerable.Repeat(md5, 4))[..((i * 37) % 100)], "row {0}", i);
            dict[i].Should().Be(new string((char)(65 + (i % 26)), (i * 13) % 90), "row {0}", i);
            small[i].Should().Be(SmallValues[i % 4], "row {0}", i);
        }
    }

    /// <summary>A dictionary of a few bytes (a Hudi file name, a commit time, a 16-byte value, nothing): smaller than a wide copy.</summary>
    private static readonly string[] SmallValues =
        ["f3a1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d-0_0-12-34_20251122090000123.parquet", "20251122090000123", "0123456789abcdef", ""];

    private static IEnumerable<string> Strings(BinaryVector vector, int rows)
    {
        for (var r = 0; r < rows; r++)
        {
            yield return Encoding.UTF8.GetString(vector.Data, vector.Offsets[r], vector.Offsets[r + 1] - vector.Offsets[r]);
        }
    }
}
