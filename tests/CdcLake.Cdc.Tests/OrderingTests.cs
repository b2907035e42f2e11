using FluentAssertions;
using Xunit;

namespace CdcLake.Cdc.Tests;

public class OrderingTests
{
    private static readonly DateTime FileTime = new(2022, 10, 23, 1, 38, 30, 913, DateTimeKind.Utc);

    [Fact]
    public void The_documented_examples_are_exact()
    {
        var load = new CdcOrder(FileOrderKey.Load(0, 0, 0xA), 42);
        load.ToString().Should().Be("0|00000000000000000|0000000A|0000000042");

        var segment = new CdcOrder(FileOrderKey.Load(1, 3, 1), 0);
        segment.ToString().Should().Be("0|10000000000000003|00000001|0000000000");

        OrderValues.TryFromText("20221023013830910000000000000000012", out var seq, out _).Should().BeTrue();
        OrderValues.TryParseTimestampText("2022-10-23 01:38:30.910000", out var ts).Should().BeTrue();
        var cdc = new CdcOrder(FileOrderKey.Cdc(FileTime, "20221023-013830913.parquet"), 5, new[] { seq, ts });
        cdc.ToString().Should().Be(
            "1|20221023013830910000000000000000012|00000000000020221023013830910000000|202210230138309130000|"
            + $"{FileOrderKey.PathHashOf("20221023-013830913.parquet"):X8}|0000000005");
        FileOrderKey.PathHashOf("20221023-013830913.parquet").Should().Be(0x255D0C14u, "the FNV-1a 32 test vector ORDERING.md quotes");
        FileOrderKey.PathHashOf("").Should().Be(2166136261u);
        FileOrderKey.SegmentHashOf("part_a").Should().Be(0xE7A89FD83A6132F0ul, "the FNV-1a 64 test vector ORDERING.md quotes");
    }

    [Fact]
    public void Text_order_is_the_value_order_and_parses_back()
    {
        var random = new Random(1234);
        var orders = Enumerable.Range(0, 3000).Select(_ => RandomOrder(random, valueCount: 2)).ToList();

        foreach (var (a, b) in orders.Zip(orders.Skip(1)))
        {
            Math.Sign(string.CompareOrdinal(a.ToString(), b.ToString())).Should().Be(Math.Sign(a.CompareTo(b)), $"{a} vs {b}");
            CdcOrder.Parse(a.ToString()).Should().Be(a);
            CdcOrder.Parse(a.ToString()).ToString().Should().Be(a.ToString());
        }

        orders.Where(o => o.Phase == ChangePhase.Cdc).Select(o => o.ToString().Length).Distinct().Should().ContainSingle("CDC orders of a table have one width");
        orders.Where(o => o.Phase == ChangePhase.Load).Select(o => o.ToString().Length).Distinct().Should().ContainSingle();
    }

    [Fact]
    public void Every_load_row_precedes_every_cdc_change_whatever_its_timestamp()
    {
        var load = new CdcOrder(FileOrderKey.Load(2, ulong.MaxValue, uint.MaxValue), CdcOrder.MaxRow);
        var cdc = new CdcOrder(FileOrderKey.Cdc(DateTime.MinValue.ToUniversalTime(), ""), 0, new UInt128[] { 0 });

        load.Should().BeLessThan(cdc);
        string.CompareOrdinal(load.ToString(), cdc.ToString()).Should().BeNegative();
    }

    [Fact]
    public void Shuffled_files_and_rows_sort_into_the_same_total_order()
    {
        var random = new Random(99);
        var changes = new List<CdcOrder>();
        for (var file = 0; file < 20; file++)
        {
            var key = file < 5 ? FileOrderKey.Load(0, 0, (uint)file + 1) : FileOrderKey.Cdc(FileTime.AddSeconds(file), $"f{file}.parquet");
            for (var row = 0; row < 50; row++)
            {
                // Same-transaction ties: one timestamp for ten rows, a sequence that says which came first.
                var values = key.Phase == ChangePhase.Load ? default : new ReadOnlyMemory<UInt128>([(UInt128)(file * 1000 + row), (UInt128)(file * 10 + (row / 10))]);
                changes.Add(new CdcOrder(key, row, values));
            }
        }

        var expected = changes.OrderBy(o => o).ToList();
        for (var trial = 0; trial < 20; trial++)
        {
            var shuffled = changes.OrderBy(_ => random.Next()).ToList();
            shuffled.Sort();
            shuffled.Should().Equal(expected);
            shuffled.Select(o => o.ToString()).Should().Equal(expected.Select(o => o.ToString()).OrderBy(s => s, StringComparer.Ordinal));
        }

        expected.Should().OnlyHaveUniqueItems("no two changes tie");
    }

    [Fact]
    public void Sequence_beats_file_time_and_row_position()
    {
        var early = FileOrderKey.Cdc(FileTime, "a.parquet");
        var late = FileOrderKey.Cdc(FileTime.AddMinutes(5), "b.parquet");

        var seq2InEarlyFile = new CdcOrder(early, 9, new UInt128[] { 2 });
        var seq1InLateFile = new CdcOrder(late, 0, new UInt128[] { 1 });
        var noSeqInLateFile = new CdcOrder(late, 1, new UInt128[] { 0 });

        seq1InLateFile.Should().BeLessThan(seq2InEarlyFile, "the change sequence decides before the file");
        noSeqInLateFile.Should().BeLessThan(seq1InLateFile, "a file without the sequence column sorts before files with it");
        new CdcOrder(early, 3, new UInt128[] { 7 }).Should().BeLessThan(new CdcOrder(late, 0, new UInt128[] { 7 }), "ties go to the file, then the row");
    }

    [Fact]
    public void Ordering_values_of_every_kind_sort_as_their_meaning()
    {
        Value("2022-10-23 01:38:30.910000").Should().Be(OrderValues.FromTimestamp(new DateTime(2022, 10, 23, 1, 38, 30, 910)));
        Value("2022-10-23T01:38:30.9").Should().Be(Value("2022-10-23 01:38:30.900000000"));
        Value("2022-10-23 01:38:30").Should().BeLessThan(Value("2022-10-23 01:38:30.000001"));
        Value("2022-10-23 01:38:30.000000001").Should().Be(Value("2022-10-23 01:38:30") + 1, "nanoseconds are kept");
        Value("2022-12-31 23:59:59.999999").Should().BeLessThan(Value("2023-01-01 00:00:00"));
        OrderValues.FromDate(new DateOnly(2023, 1, 1)).Should().Be(Value("2023-01-01 00:00:00"));
        Value("").Should().Be(UInt128.Zero);
        Value("00012").Should().Be(Value("12"));
        Value("2022102301383091").Should().BeLessThan(Value("2022102301383091" + "0000000000000000001"));
        OrderValues.FromInt64(-5).Should().BeLessThan(OrderValues.FromInt64(3));
        OrderValues.FromInt64(long.MinValue).Should().Be(UInt128.Zero);
        OrderValues.FromInt64(long.MaxValue).Should().BeLessThan(OrderValues.Max);

        Error("abc").Should().Contain("neither a change sequence");
        Error(new string('1', 36)).Should().Contain("more than 35 digits");
        Error("2022-13-01 00:00:00").Should().Contain("not a timestamp");
        Error("2022-10-23 01:38:30.1234567890").Should().Contain("not a timestamp");
    }

    [Theory]
    [InlineData("I", false, ChangeOp.Insert)]
    [InlineData("i", false, ChangeOp.Insert)]
    [InlineData("U", false, ChangeOp.Update)]
    [InlineData("u", false, ChangeOp.Update)]
    [InlineData("D", false, ChangeOp.Delete)]
    [InlineData("d", false, ChangeOp.Delete)]
    [InlineData("", false, ChangeOp.Upsert)]
    [InlineData("", true, ChangeOp.Upsert)]
    public void Op_values_read_as_hudi_reads_them(string text, bool isNull, ChangeOp expected)
    {
        DmsOp.TryParse(text, isNull, out var op).Should().BeTrue();
        op.Should().Be(expected);
    }

    [Theory]
    [InlineData("X")]
    [InlineData("DELETE")]
    [InlineData(" ")]
    public void Unknown_op_values_are_refused(string text) =>
        DmsOp.TryParse(text, false, out _).Should().BeFalse();

    [Fact]
    public void Malformed_order_text_does_not_parse()
    {
        CdcOrder.TryParse("0|00000000000000000|0000000A|42", out _).Should().BeFalse();
        CdcOrder.TryParse("2|00000000000000000|0000000A|0000000042", out _).Should().BeFalse();
        CdcOrder.TryParse("0|30000000000000000|0000000A|0000000042", out _).Should().BeFalse();
        CdcOrder.TryParse("1|202210230138309130000|1D2E6A3e|0000000005", out _).Should().BeFalse();
        CdcOrder.TryParse(null, out _).Should().BeFalse();
        CdcOrder.TryParse("1|202210230138309130000|1D2E6A3E|0000000005", out var noValues).Should().BeTrue();
        noValues.ValueCount.Should().Be(0);
    }

    private static UInt128 Value(string text)
    {
        OrderValues.TryFromText(text, out var value, out var error).Should().BeTrue(error);
        return value;
    }

    private static string Error(string text)
    {
        OrderValues.TryFromText(text, out _, out var error).Should().BeFalse();
        return error!;
    }

    private static CdcOrder RandomOrder(Random random, int valueCount)
    {
        if (random.Next(4) == 0)
        {
            var cls = (byte)random.Next(3);
            var key = FileOrderKey.Load(cls, cls == 0 ? 0 : (ulong)random.NextInt64(), (uint)random.Next(0, 40));
            return new CdcOrder(key, random.NextInt64(0, 1000));
        }

        var values = new UInt128[valueCount];
        for (var i = 0; i < values.Length; i++)
        {
            // Few distinct values, so later components and the file and row decide often.
            values[i] = random.Next(3) switch
            {
                0 => 0,
                1 => (UInt128)random.Next(5),
                _ => new UInt128((ulong)random.NextInt64(0, 5_000_000_000_000_000), (ulong)random.NextInt64()) % (OrderValues.Max + 1),
            };
        }

        var time = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(random.NextInt64(0, 3) * 12345678901);
        return new CdcOrder(FileOrderKey.Cdc(time.Ticks, (uint)random.Next(4) * 0x3FFFFFFFu), random.Next(0, 3) == 0 ? CdcOrder.MaxRow : random.Next(100), values);
    }
    [Fact]
    public void The_order_column_is_the_text_of_each_order_for_load_and_cdc_files()
    {
        var field = new CdcLake.Parquet.PrimitiveField(CdcOrder.ColumnName, CdcLake.Parquet.PhysicalType.ByteArray, CdcLake.Parquet.LogicalType.String);
        var load = FileOrderKey.Load(2, 0xFEDCBA9876543210, 0xA1);
        var loadColumn = new CdcLake.Cdc.Internal.OrderColumn(load, 0).BuildLoad(field, 9_999_990_000, 10_000);
        for (var i = 0; i < 10_000; i += 1111)
        {
            loadColumn.GetString(i).Should().Be(new CdcOrder(load, 9_999_990_000 + i).ToString());
        }

        foreach (var valueCount in new[] { 1, 2 })
        {
            var cdc = FileOrderKey.Cdc(FileTime, "20221023-013830913.parquet");
            var values = Enumerable.Range(0, 50 * valueCount).Select(i => i % 5 == 0 ? OrderValues.Max : (UInt128)(ulong)i * 123_456_789_123UL).ToArray();
            var orders = Enumerable.Range(0, 50).Select(i => new CdcOrder(cdc, i * 7919L, values.AsMemory(i * valueCount, valueCount))).ToArray();
            var column = new CdcLake.Cdc.Internal.OrderColumn(cdc, valueCount).Build(field, orders);
            Enumerable.Range(0, 50).Select(column.GetString).Should().Equal(orders.Select(o => o.ToString()));
        }

        var other = new CdcOrder(FileOrderKey.Cdc(FileTime, "other.parquet"), 0, new UInt128[] { 1 });
        var build = () => new CdcLake.Cdc.Internal.OrderColumn(FileOrderKey.Cdc(FileTime, "20221023-013830913.parquet"), 1).Build(field, [other]);
        build.Should().Throw<ArgumentException>();
    }
}
