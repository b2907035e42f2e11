using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CdcLake.Parquet;

namespace CdcLake.Benchmarks;

/// <summary>
/// Our Parquet writer and reader on the shapes the merge job writes and reads, beside DuckDB doing the same:
/// (1) writing N rows of a Hudi base file of the merged table (5 meta strings, the order columns, the DMS columns;
/// snappy, row groups of 250,000, batches of 10,000), (2) reading that file back, all columns and the record key
/// alone, (3) reading a DMS-style file (uncompressed, row groups of 10,000, written by DuckDB). Each side reads its
/// own file; DuckDB fingerprints both written files, which must hold the same rows.
/// </summary>
internal static class ParquetHudiBenchmark
{
    public const int RowGroupRows = 250_000;
    public const int BatchRows = 10_000;
    private const string CommitTime = "20251122090000123";
    private const string FileName = "f3a1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d-0_0-12-34_20251122090000123.parquet";

    private static readonly string[] MetaNames =
        ["_hoodie_commit_time", "_hoodie_commit_seqno", "_hoodie_record_key", "_hoodie_partition_path", "_hoodie_file_name"];

    private static readonly string[] DmsNames = ["AR_H_CHANGE_SEQ", "DMS_TIMESTAMP", "_cdc_order"];

    public static readonly ParquetSchema Schema = new(
    [
        .. MetaNames.Select(n => new PrimitiveField(n, PhysicalType.ByteArray, LogicalType.String)),
        .. OrderRows.Schema.Fields,
        .. DmsNames.Select(n => new PrimitiveField(n, PhysicalType.ByteArray, LogicalType.String)),
    ]);

    private static string StringColumns => string.Join(" + ", Schema.Fields.OfType<PrimitiveField>()
        .Where(f => f.PhysicalType == PhysicalType.ByteArray).Select(f => $"strlen({f.Name})"));

    /// <summary>count, sum(id), bytes of every string column, sum(quantity): what each side's full read computes.</summary>
    private static string ReadAll(string file) =>
        $"SELECT count(*)::BIGINT, sum(id)::HUGEINT, sum({StringColumns})::HUGEINT, sum(quantity)::HUGEINT, {OtherColumns} FROM read_parquet({Sides.Quote(file)})";

    /// <summary>Aggregates DuckDB computes (and we do not compare) so that it decodes every column, as our side does.</summary>
    private const string OtherColumns = "sum(amount), sum(price), max(created_at), max(updated_at)";

    private static string ReadKey(string file) =>
        $"SELECT count(*)::BIGINT, sum(strlen(_hoodie_record_key))::HUGEINT FROM read_parquet({Sides.Quote(file)})";

    private static string DmsRead(string file) =>
        $"SELECT count(*)::BIGINT, sum(id)::HUGEINT, sum(strlen(Op) + strlen(AR_H_CHANGE_SEQ) + strlen(DMS_TIMESTAMP) + strlen(customer) + strlen(email) + strlen(city) + strlen(status))::HUGEINT, sum(quantity)::HUGEINT, {OtherColumns} FROM read_parquet({Sides.Quote(file)})";

    private static string Fingerprint(string file) =>
        $"SELECT count(*)::BIGINT, sum(hash({string.Join(", ", Schema.Fields.Select(f => f.Name))}))::HUGEINT FROM read_parquet({Sides.Quote(file)})";

    /// <summary>The rows, in DuckDB SQL: key k for k in 0..rows-1, version 0.</summary>
    private static string Select(long rows) => $"""
        SELECT '{CommitTime}' AS _hoodie_commit_time, '{CommitTime}_0_' || id::VARCHAR AS _hoodie_commit_seqno,
               id::VARCHAR AS _hoodie_record_key, '' AS _hoodie_partition_path, '{FileName}' AS _hoodie_file_name,
               {OrderRows.Columns},
               '20250301' || lpad(id::VARCHAR, 27, '0') AS AR_H_CHANGE_SEQ,
               strftime(TIMESTAMP '2025-03-01 08:00:00' + to_microseconds(id // 1000), '%Y-%m-%d %H:%M:%S.%f') AS DMS_TIMESTAMP,
               '20250301080000000000' || lpad(id::VARCHAR, 19, '0') AS _cdc_order
        FROM ({OrderRows.Select($"SELECT k AS id, 0 AS v FROM range({rows}) t(k)")})
        """;

    public static int Run(BenchOptions options)
    {
        Directory.CreateDirectory(options.OutputDirectory);
        var duckFile = Path.Combine(options.OutputDirectory, "hudi-shape-duckdb.parquet");
        var oursFile = Path.Combine(options.OutputDirectory, "hudi-shape-cdclake.parquet");
        var dmsFile = Path.Combine(options.OutputDirectory, "dms-shape-duckdb.parquet");
        var rows = options.Rows.ToString(CultureInfo.InvariantCulture);
        var threads = options.Threads.ToString(CultureInfo.InvariantCulture);
        Console.WriteLine($"Parquet, Hudi base-file shape: {options.Rows:N0} rows x {Schema.Fields.Count} columns, snappy, row groups of {RowGroupRows:N0}, batches of {BatchRows:N0}; {options.Threads} thread(s) each, best of {options.Repeat}; load {Sides.LoadAverage()}");

        var generate = Sides.Best(options.Repeat, () => Sides.Ours("ours-hudi-shape-write", "-", rows, threads));
        var (oursWrite, duckWrite) = Sides.Alternate(options.Repeat, Path.Combine(options.OutputDirectory, "none"),
            // DuckDB's rows are made before its timer starts (its string functions cost more than its writer); ours
            // are made as they are written, and the time making them alone is reported beside.
            () => Sides.DuckDb(options.Threads, $"CREATE TABLE t AS {Select(options.Rows)}", $"COPY t TO {Sides.Quote(duckFile)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE {RowGroupRows})"),
            _ => Sides.Ours("ours-hudi-shape-write", oursFile, rows, threads));
        var theirs = Sides.DuckDb(2, "", Fingerprint(duckFile));
        var mine = Sides.DuckDb(2, "", Fingerprint(oursFile));
        Check("DuckDB's fingerprint of our file", mine.Result, theirs.Result);

        var (oursRead, duckRead) = Sides.Alternate(options.Repeat, Path.Combine(options.OutputDirectory, "none"),
            () => Sides.DuckDb(options.Threads, "", ReadAll(duckFile)),
            _ => Sides.Ours("ours-hudi-shape-read", oursFile, "all", threads));
        Check("our read of our file", oursRead.Result, Sides.DuckDb(2, "", ReadAll(oursFile)).Result);
        var (oursKey, duckKey) = Sides.Alternate(options.Repeat, Path.Combine(options.OutputDirectory, "none"),
            () => Sides.DuckDb(options.Threads, "", ReadKey(duckFile)),
            _ => Sides.Ours("ours-hudi-shape-read", oursFile, "key", threads));
        Check("our read of the record key", oursKey.Result, Sides.DuckDb(2, "", ReadKey(oursFile)).Result);

        // A DMS CDC file as DuckDB writes it (the merge job's input): uncompressed, row groups of 10,000.
        var dmsSql = $"""
            COPY (SELECT 'U' AS Op, AR_H_CHANGE_SEQ, DMS_TIMESTAMP, {OrderRows.Columns} FROM ({Select(options.Rows)}))
            TO {Sides.Quote(dmsFile)} (FORMAT parquet, COMPRESSION uncompressed, ROW_GROUP_SIZE 10000)
            """;
        Sides.DuckDb(2, "", dmsSql);
        var (oursDms, duckDms) = Sides.Alternate(options.Repeat, Path.Combine(options.OutputDirectory, "none"),
            () => Sides.DuckDb(options.Threads, "", DmsRead(dmsFile)),
            _ => Sides.Ours("ours-hudi-shape-read", dmsFile, "dms", threads));
        Check("our read of the DMS file", oursDms.Result, duckDms.Result);

        Console.WriteLine();
        Console.WriteLine($"{"",-22}{"CdcLake",10}{"DuckDB",10}{"ratio",8}{"CPU ours",10}{"CPU duck",10}{"CPU ratio",10}  ours: allocated, GC pause, gen2");
        Report("write (incl. rows)", oursWrite, duckWrite);
        Console.WriteLine($"{"  of which making rows",-22}{generate.Seconds,9:F2}s{"",19}{generate.CpuSeconds,9:F2}s");
        Console.WriteLine($"{"write alone",-22}{oursWrite.Seconds - generate.Seconds,9:F2}s{duckWrite.Seconds,9:F2}s{(oursWrite.Seconds - generate.Seconds) / duckWrite.Seconds,8:F2}{oursWrite.CpuSeconds - generate.CpuSeconds,9:F2}s{duckWrite.CpuSeconds,9:F2}s{(oursWrite.CpuSeconds - generate.CpuSeconds) / duckWrite.CpuSeconds,10:F2}");
        Report("read all columns", oursRead, duckRead);
        Report("read record key", oursKey, duckKey);
        Report("read DMS file", oursDms, duckDms);
        Console.WriteLine($"file sizes: CdcLake {Measurement.Describe(new FileInfo(oursFile).Length)}, DuckDB {Measurement.Describe(new FileInfo(duckFile).Length)}, DMS {Measurement.Describe(new FileInfo(dmsFile).Length)}; load {Sides.LoadAverage()}");
        Console.WriteLine("target: write <= 1.3x DuckDB on 1 thread each");
        return 0;
    }

    /// <summary>Child: writes the rows to <paramref name="file"/> ("-": only makes them).</summary>
    public static int OursWrite(string file, long rows, int threads)
    {
        var cpu = Sides.CpuSeconds();
        var gc = GcCounters.Start();
        var watch = Stopwatch.StartNew();
        var meta = new MetaColumns();
        ParquetWriter? writer = file == "-" ? null
            : ParquetWriter.Create(file, Schema, new ParquetWriteOptions { Codec = ParquetCodec.Snappy, RowGroupRows = RowGroupRows, MaxDegreeOfParallelism = threads });
        using (writer)
        {
            long start = 0;
            foreach (var data in OrderRows.Batches(rows, k => k, version: 0, batchRows: BatchRows))
            {
                var batch = meta.Batch(data, start);
                writer?.Write(batch);
                start += data.RowCount;
            }
        }

        Report(watch.Elapsed.TotalSeconds, cpu, gc, [rows]);
        return 0;
    }

    /// <summary>Child: reads <paramref name="file"/>: "all" columns, the record "key" alone, or a "dms" file.</summary>
    public static int OursRead(string file, string what, int threads)
    {
        // The merge job reads many files in one process: compile the reader's paths on a first row group untimed,
        // as DuckDB's are compiled ahead of time.
        using (var warmUp = new ParquetReader(new LocalRandomAccessFile(file), new ParquetReadOptions { MaxDegreeOfParallelism = threads }))
        {
            warmUp.ReadRowGroup(0, what == "key" ? ["_hoodie_record_key"] : null);
        }

        var cpu = Sides.CpuSeconds();
        var gc = GcCounters.Start();
        var watch = Stopwatch.StartNew();
        long count = 0;
        Int128 sumId = 0, bytes = 0, sumQuantity = 0;
        using (var reader = new ParquetReader(new LocalRandomAccessFile(file), new ParquetReadOptions { MaxDegreeOfParallelism = threads }))
        {
            IReadOnlyList<string>? columns = what == "key" ? ["_hoodie_record_key"] : null;
            foreach (var batch in reader.ReadBatches(columns, reuseBuffers: true))
            {
                var n = batch.RowCount;
                count += n;
                for (var c = 0; c < batch.Columns.Count; c++)
                {
                    if (batch.Columns[c] is BinaryVector { Field: PrimitiveField { PhysicalType: PhysicalType.ByteArray } } s)
                    {
                        bytes += s.Offsets[n] - s.Offsets[0];
                    }
                }

                if (what != "key")
                {
                    foreach (var v in ((PrimitiveVector<long>)batch["id"]).Values.AsSpan(0, n))
                    {
                        sumId += v;
                    }

                    foreach (var v in ((PrimitiveVector<int>)batch["quantity"]).Values.AsSpan(0, n))
                    {
                        sumQuantity += v;
                    }
                }
            }
        }

        object[] result = what == "key"
            ? [count, bytes.ToString(CultureInfo.InvariantCulture)]
            : [count, sumId.ToString(CultureInfo.InvariantCulture), bytes.ToString(CultureInfo.InvariantCulture), sumQuantity.ToString(CultureInfo.InvariantCulture)];
        Report(watch.Elapsed.TotalSeconds, cpu, gc, result);
        return 0;
    }

    private static void Report(double seconds, double cpuAtStart, GcCounters gc, object[] row) =>
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            seconds,
            cpuSeconds = Sides.CpuSeconds() - cpuAtStart,
            peakBytes = Measurement.PeakResidentBytes(),
            // The GC figures ride last in the row; checks compare only DuckDB's columns.
            rows = new[] { row.Append(gc.Describe()).ToArray() },
        }));

    private static void Report(string name, Measurement ours, Measurement duck) =>
        Console.WriteLine($"{name,-22}{ours.Seconds,9:F2}s{duck.Seconds,9:F2}s{ours.Seconds / duck.Seconds,8:F2}{ours.CpuSeconds,9:F2}s{duck.CpuSeconds,9:F2}s{ours.CpuSeconds / duck.CpuSeconds,10:F2}  {Gc(ours)}");

    private static string Gc(Measurement ours) => Gc(ours.Result);

    private static string Gc(JsonElement rows) =>
        rows[0].GetArrayLength() > 1 && rows[0][rows[0].GetArrayLength() - 1] is { ValueKind: JsonValueKind.String } g && g.GetString()!.Contains("iB", StringComparison.Ordinal) ? g.GetString()! : "";

    private static void Check(string what, JsonElement actual, JsonElement expected)
    {
        // Our rows end with the GC figures, DuckDB's with aggregates we do not compute: compare what both have.
        var common = Math.Min(expected[0].GetArrayLength(), actual[0].GetArrayLength() - (Gc(actual) == "" ? 0 : 1));
        var e = string.Join(", ", expected[0].EnumerateArray().Take(common).Select(Sides.Text));
        var a = string.Join(", ", actual[0].EnumerateArray().Take(common).Select(Sides.Text));
        if (a != e)
        {
            throw new InvalidOperationException($"{what}: [{a}], DuckDB: [{e}]");
        }
    }

    private sealed record GcCounters(long Allocated, TimeSpan Pauses, int Gen2)
    {
        public static GcCounters Start() => new(GC.GetTotalAllocatedBytes(), GC.GetTotalPauseDuration(), GC.CollectionCount(2));

        public string Describe() =>
            $"{Measurement.Describe(GC.GetTotalAllocatedBytes() - Allocated)}, {(GC.GetTotalPauseDuration() - Pauses).TotalSeconds:F2}s, {GC.CollectionCount(2) - Gen2}";
    }

    /// <summary>The meta and DMS columns of each batch, in buffers reused batch after batch, as the Hudi writer does.</summary>
    private sealed class MetaColumns
    {
        private readonly Strings _commitTime = new();
        private readonly Strings _seqNo = new();
        private readonly Strings _key = new();
        private readonly Strings _partition = new();
        private readonly Strings _fileName = new();
        private readonly Strings _changeSeq = new();
        private readonly Strings _dmsTimestamp = new();
        private readonly Strings _cdcOrder = new();

        public RecordBatch Batch(RecordBatch data, long start)
        {
            var n = data.RowCount;
            foreach (var s in new[] { _commitTime, _seqNo, _key, _partition, _fileName, _changeSeq, _dmsTimestamp, _cdcOrder })
            {
                s.Reset(n);
            }

            Span<byte> digits = stackalloc byte[32];
            for (var r = 0; r < n; r++)
            {
                var k = start + r;
                Utf8Formatter.TryFormat(k, digits, out var length);
                var number = digits[..length];
                _commitTime.Append(CommitTime);
                _seqNo.Append(CommitTime + "_0_", number);
                _key.Append("", number);
                _partition.Append("");
                _fileName.Append(FileName);
                _changeSeq.AppendPadded("20250301", number, 27);
                Utf8Formatter.TryFormat(k / 1000, digits, out var micros, new System.Buffers.StandardFormat('D', 6));
                _dmsTimestamp.Append("2025-03-01 08:00:00.", digits[..micros]);
                Utf8Formatter.TryFormat(k, digits, out length);
                _cdcOrder.AppendPadded("20250301080000000000", digits[..length], 19);
            }

            var f = Schema.Fields;
            var m = OrderRows.Schema.Fields.Count;
            return new RecordBatch(Schema,
            [
                _commitTime.Vector(f[0]), _seqNo.Vector(f[1]), _key.Vector(f[2]), _partition.Vector(f[3]), _fileName.Vector(f[4]),
                .. data.Columns,
                _changeSeq.Vector(f[5 + m]), _dmsTimestamp.Vector(f[6 + m]), _cdcOrder.Vector(f[7 + m]),
            ], n);
        }
    }

    private sealed class Strings
    {
        private int[] _offsets = new int[1];
        private byte[] _data = new byte[1024];
        private int _rows;

        public void Reset(int rows)
        {
            if (_offsets.Length < rows + 1)
            {
                _offsets = new int[rows + 1];
            }

            _rows = 0;
        }

        public void Append(string prefix, ReadOnlySpan<byte> tail = default)
        {
            var used = _offsets[_rows];
            Ensure(used + prefix.Length + tail.Length);
            for (var i = 0; i < prefix.Length; i++)
            {
                _data[used + i] = (byte)prefix[i];
            }

            tail.CopyTo(_data.AsSpan(used + prefix.Length));
            _offsets[++_rows] = used + prefix.Length + tail.Length;
        }

        public void AppendPadded(string prefix, ReadOnlySpan<byte> number, int width)
        {
            Span<byte> padded = stackalloc byte[Math.Max(width, number.Length)];
            padded[..^number.Length].Fill((byte)'0');
            number.CopyTo(padded[^number.Length..]);
            Append(prefix, padded);
        }

        public BinaryVector Vector(Field field) => new(field, _offsets, _data, _rows);

        private void Ensure(int bytes)
        {
            if (bytes > _data.Length)
            {
                Array.Resize(ref _data, Math.Max(_data.Length * 2, bytes));
            }
        }
    }
}
