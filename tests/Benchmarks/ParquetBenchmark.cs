using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CdcLake.Parquet;

namespace CdcLake.Benchmarks;

/// <summary>
/// Parquet read and write against DuckDB. Both sides generate the same rows (write) and read the same
/// DuckDB-written file (read), with the same codec (snappy), row-group size and thread count; the
/// aggregates each side computes are compared so a fast wrong answer cannot pass.
/// </summary>
internal static class ParquetBenchmark
{
    private const string Aggregate =
        "SELECT sum(i)::HUGEINT, sum(l)::HUGEINT, sum(length(s))::HUGEINT, sum(epoch_us(ts))::HUGEINT, sum(dec::DECIMAL(38,4)), count(*), sum(d) FROM read_parquet('{0}')";

    private static readonly PrimitiveField[] Fields =
    [
        new("i", PhysicalType.Int32),
        new("l", PhysicalType.Int64),
        new("d", PhysicalType.Double),
        new("s", PhysicalType.ByteArray, LogicalType.String),
        new("ts", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, adjustedToUtc: false)),
        new("dec", PhysicalType.Int64, LogicalType.Decimal(18, 4)),
    ];

    private static string Generate(long rows) => $"""
        SELECT (k * 7 % 1000000 - 500000)::INTEGER AS i, (k * 1000003)::BIGINT AS l, k::DOUBLE / 7.0 AS d,
               'cust-' || (k % 100000)::VARCHAR AS s, make_timestamp((1700000000000000 + k * 1000000)::BIGINT) AS ts,
               ((((k * 3) % 1000000000)::DECIMAL(18,0) * 0.0001)::DECIMAL(18,4)) AS dec
        FROM range({rows}) t(k)
        """;

    public static int Run(BenchOptions options)
    {
        Directory.CreateDirectory(options.OutputDirectory);
        var duckFile = Path.Combine(options.OutputDirectory, "duckdb.parquet");
        var oursFile = Path.Combine(options.OutputDirectory, "cdclake.parquet");
        Console.WriteLine($"Parquet benchmark: {options.Rows:N0} rows, row groups of {options.RowGroupRows:N0}, snappy, {options.Threads} threads each, best of {options.Repeat}");

        var duckWrite = Sides.Best(options.Repeat, () => Sides.DuckDb(options.Threads, "",
            $"COPY ({Generate(options.Rows)}) TO '{duckFile}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE {options.RowGroupRows})"));
        var oursWrite = Sides.Best(options.Repeat, () => Sides.Ours("ours-write", oursFile, options.Rows.ToString(CultureInfo.InvariantCulture), options.RowGroupRows.ToString(CultureInfo.InvariantCulture)));

        var expected = Sides.DuckDb(options.Threads, "", string.Format(CultureInfo.InvariantCulture, Aggregate, duckFile));
        var ofOurFile = Sides.DuckDb(options.Threads, "", string.Format(CultureInfo.InvariantCulture, Aggregate, oursFile));
        Check("DuckDB reading our file", ofOurFile.Result, expected.Result);

        var duckRead = Sides.Best(options.Repeat, () => Sides.DuckDb(options.Threads, "", string.Format(CultureInfo.InvariantCulture, Aggregate, duckFile)));
        var oursRead = Sides.Best(options.Repeat, () => Sides.Ours("ours-read", duckFile, options.Threads.ToString(CultureInfo.InvariantCulture)));
        Check("our reading of DuckDB's file", oursRead.Result, expected.Result);

        // Peak memory must not grow with the file: the same work on a tenth of the rows, for comparison.
        // The same work for the read is reading a DuckDB-written file, whose page layout (one page per
        // column chunk) sizes the reader's scratch buffers differently from ours.
        var smallRows = Math.Max(options.RowGroupRows, options.Rows / 10);
        var smallFile = Path.Combine(options.OutputDirectory, "cdclake-small.parquet");
        var duckSmallFile = Path.Combine(options.OutputDirectory, "duckdb-small.parquet");
        var oursWriteSmall = Sides.Ours("ours-write", smallFile, smallRows.ToString(CultureInfo.InvariantCulture), options.RowGroupRows.ToString(CultureInfo.InvariantCulture));
        Sides.DuckDb(options.Threads, "",
            $"COPY ({Generate(smallRows)}) TO '{duckSmallFile}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE {options.RowGroupRows})");
        var oursReadSmall = Sides.Ours("ours-read", duckSmallFile, options.Threads.ToString(CultureInfo.InvariantCulture));

        Console.WriteLine();
        Console.WriteLine($"{"",-8}{"CdcLake",12}{"DuckDB",12}{"ratio",8}{"CdcLake peak",16}{"DuckDB peak",14}{$"peak @ {smallRows / 1e6:0.#}M rows",20}");
        Report("read", oursRead, duckRead, oursReadSmall);
        Report("write", oursWrite, duckWrite, oursWriteSmall);
        Console.WriteLine($"file sizes: CdcLake {Measurement.Describe(new FileInfo(oursFile).Length)}, DuckDB {Measurement.Describe(new FileInfo(duckFile).Length)}");
        Console.WriteLine("targets: read ratio <= 1.5, write ratio <= 2.0, peak memory independent of file size");
        return 0;
    }

    public static int OursRead(string file, int threads)
    {
        var watch = Stopwatch.StartNew();
        Int128 sumI = 0, sumL = 0, sumLength = 0, sumTs = 0, sumDec = 0;
        long count = 0;
        double sumD = 0;
        using (var reader = new ParquetReader(new LocalRandomAccessFile(file), new ParquetReadOptions { MaxDegreeOfParallelism = threads }))
        {
            // Each batch is aggregated before the next is read, so its buffers can be filled again.
            foreach (var batch in reader.ReadBatches(reuseBuffers: true))
            {
                count += batch.RowCount;
                sumI += Sum(((PrimitiveVector<int>)batch["i"]).Values.AsSpan(0, batch.RowCount));
                sumL += Sum(((PrimitiveVector<long>)batch["l"]).Values.AsSpan(0, batch.RowCount));
                foreach (var d in ((PrimitiveVector<double>)batch["d"]).Values.AsSpan(0, batch.RowCount))
                {
                    sumD += d;
                }

                var s = (BinaryVector)batch["s"];
                sumLength += s.Offsets[batch.RowCount] - s.Offsets[0];
                sumTs += Sum(((PrimitiveVector<long>)batch["ts"]).Values.AsSpan(0, batch.RowCount));
                sumDec += Sum(((PrimitiveVector<long>)batch["dec"]).Values.AsSpan(0, batch.RowCount));
            }
        }

        var seconds = watch.Elapsed.TotalSeconds;
        var result = new object[]
        {
            sumI.ToString(CultureInfo.InvariantCulture), sumL.ToString(CultureInfo.InvariantCulture),
            sumLength.ToString(CultureInfo.InvariantCulture), sumTs.ToString(CultureInfo.InvariantCulture),
            new ParquetDecimal((System.Numerics.BigInteger)sumDec, 4).ToString(), count.ToString(CultureInfo.InvariantCulture), sumD,
        };
        Console.WriteLine(JsonSerializer.Serialize(new { seconds, peakBytes = Measurement.PeakResidentBytes(), rows = new[] { result } }));
        return 0;
    }

    public static int OursWrite(string file, long rows, int rowGroupRows)
    {
        var watch = Stopwatch.StartNew();
        var schema = new ParquetSchema(Fields);
        var options = new ParquetWriteOptions { Codec = ParquetCodec.Snappy, RowGroupRows = rowGroupRows };
        using (var writer = ParquetWriter.Create(file, schema, options))
        {
            // The writer is done with a batch's buffers once Write returns, so one set serves every batch,
            // as a streaming producer would use it.
            var buffers = new BatchBuffers((int)Math.Min(rowGroupRows, rows));
            for (long start = 0; start < rows; start += rowGroupRows)
            {
                writer.Write(Batch(schema, start, (int)Math.Min(rowGroupRows, rows - start), buffers));
            }
        }

        Console.WriteLine(JsonSerializer.Serialize(new { seconds = watch.Elapsed.TotalSeconds, peakBytes = Measurement.PeakResidentBytes(), rows = Array.Empty<object>() }));
        return 0;
    }

    private sealed class BatchBuffers(int capacity)
    {
        public int[] I { get; } = new int[capacity];
        public long[] L { get; } = new long[capacity];
        public double[] D { get; } = new double[capacity];
        public long[] Ts { get; } = new long[capacity];
        public long[] Dec { get; } = new long[capacity];
        public int[] Offsets { get; } = new int[capacity + 1];
        public byte[] Data { get; } = new byte[capacity * 11];
    }

    /// <summary>The rows <see cref="Generate"/> describes, computed the same way, in <paramref name="buffers"/>.</summary>
    private static RecordBatch Batch(ParquetSchema schema, long start, int count, BatchBuffers buffers)
    {
        var (i, l, d, ts, dec, offsets, data) = (buffers.I, buffers.L, buffers.D, buffers.Ts, buffers.Dec, buffers.Offsets, buffers.Data);
        var used = 0;
        for (var r = 0; r < count; r++)
        {
            var k = start + r;
            i[r] = (int)(k * 7 % 1_000_000 - 500_000);
            l[r] = k * 1_000_003;
            d[r] = k / 7.0;
            ts[r] = 1_700_000_000_000_000 + (k * 1_000_000);
            dec[r] = k * 3 % 1_000_000_000;
            "cust-"u8.CopyTo(data.AsSpan(used));
            Utf8Formatter.TryFormat(k % 100_000, data.AsSpan(used + 5), out var written);
            used += 5 + written;
            offsets[r + 1] = used;
        }

        return new RecordBatch(schema,
        [
            new PrimitiveVector<int>(schema.Fields[0], i, count),
            new PrimitiveVector<long>(schema.Fields[1], l, count),
            new PrimitiveVector<double>(schema.Fields[2], d, count),
            new BinaryVector(schema.Fields[3], offsets, data, count),
            new PrimitiveVector<long>(schema.Fields[4], ts, count),
            new PrimitiveVector<long>(schema.Fields[5], dec, count),
        ], count);
    }

    private static Int128 Sum<T>(ReadOnlySpan<T> values)
        where T : System.Numerics.IBinaryInteger<T>
    {
        Int128 total = 0;
        foreach (var v in values)
        {
            total += Int128.CreateChecked(v);
        }

        return total;
    }

    private static void Check(string what, JsonElement actual, JsonElement expected)
    {
        var a = actual[0];
        var e = expected[0];
        for (var c = 0; c < 6; c++)
        {
            if (Sides.Text(a[c]) != Sides.Text(e[c]))
            {
                throw new InvalidOperationException($"{what}: aggregate {c} is {Sides.Text(a[c])}, DuckDB computes {Sides.Text(e[c])}");
            }
        }

        // Floating-point sums differ in the last digits with summation order.
        if (Math.Abs(a[6].GetDouble() - e[6].GetDouble()) > 1e-9 * Math.Abs(e[6].GetDouble()))
        {
            throw new InvalidOperationException($"{what}: sum(d) is {a[6]}, DuckDB computes {e[6]}");
        }
    }

    private static void Report(string name, Measurement ours, Measurement duck, Measurement oursSmall) =>
        Console.WriteLine($"{name,-8}{ours.Seconds,11:F2}s{duck.Seconds,11:F2}s{ours.Seconds / duck.Seconds,8:F2}{Measurement.Describe(ours.PeakBytes),16}{Measurement.Describe(duck.PeakBytes),14}{Measurement.Describe(oursSmall.PeakBytes),20}");
}
