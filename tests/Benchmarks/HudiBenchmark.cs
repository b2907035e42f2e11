using System.Diagnostics;
using System.Globalization;
using CdcLake.Hudi;
using CdcLake.Parquet;
using CdcLake.Storage;

namespace CdcLake.Benchmarks;

/// <summary>
/// Hudi copy-on-write writes against DuckDB writing the same rows to Parquet: a bulk insert of N rows into a new
/// table, then a 1% upsert (half updates of keys spread over the whole table, half new keys between them). DuckDB's
/// upsert is the equivalent plain-Parquet work: read the table, anti-join the changed keys, union the changes,
/// write it all. Same codec (snappy), same 120 MB target file size, 2 threads for DuckDB. Both tables are
/// fingerprinted by DuckDB after each step (our table over its latest base files) and must hold the same rows.
/// </summary>
internal static class HudiBenchmark
{
    private const string TableName = "orders";

    public static int Run(BenchOptions options)
    {
        var root = Path.Combine(options.OutputDirectory, "hudi");
        var ours = Path.Combine(root, "cdclake-table");
        var duckBulk = Path.Combine(root, "duckdb-bulk");
        var duckUpsert = Path.Combine(root, "duckdb-upsert");
        foreach (var dir in new[] { ours, ours + ".bulk", duckBulk, duckUpsert })
        {
            Sides.DeleteDirectory(dir);
        }

        Directory.CreateDirectory(root);
        var loadAtStart = Sides.LoadAverage();
        var rows = options.Rows;
        var (updates, inserts) = ChangeCounts(rows);
        Console.WriteLine($"Hudi benchmark: bulk insert of {rows:N0} rows, then an upsert of {updates:N0} updates + {inserts:N0} inserts; snappy, 120 MB files, {options.Threads} threads each (our WriteParallelism), best of {options.Repeat}");

        var rowsText = rows.ToString(CultureInfo.InvariantCulture);
        var threadsText = options.Threads.ToString(CultureInfo.InvariantCulture);
        var copyOptions = $"(FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 1000000, FILE_SIZE_BYTES '120MB')";
        var (oursBulkRun, duckBulkRun) = Sides.Alternate(options.Repeat, duckBulk,
            () => Sides.DuckDb(options.Threads, "", $"COPY ({OrderRows.Select(BulkKeys(rows))}) TO {Sides.Quote(duckBulk)} {copyOptions}"),
            _ =>
            {
                Sides.DeleteDirectory(ours);
                return Sides.Ours("ours-hudi-bulk", ours, rowsText, threadsText);
            });
        Verify("after the bulk insert", ours, duckBulk, options.Threads);

        var upsertSql = $"""
            COPY (
              WITH changes AS ({OrderRows.Select(ChangeKeys(rows))})
              SELECT t.* FROM read_parquet({Sides.Quote(Path.Combine(duckBulk, "*.parquet"))}) t ANTI JOIN changes c ON t.id = c.id
              UNION ALL SELECT * FROM changes
            ) TO {Sides.Quote(duckUpsert)} {copyOptions}
            """;
        var bulkState = ours + ".bulk";
        if (options.Repeat > 1)
        {
            Sides.CopyDirectory(ours, bulkState);
        }

        var (oursUpsertRun, duckUpsertRun) = Sides.Alternate(options.Repeat, duckUpsert,
            () => Sides.DuckDb(options.Threads, "", upsertSql),
            i =>
            {
                if (i > 0)
                {
                    Sides.CopyDirectory(bulkState, ours);
                }

                return Sides.Ours("ours-hudi-upsert", ours, rowsText, threadsText);
            });
        var fingerprint = Verify("after the upsert", ours, duckUpsert, options.Threads);

        // Where the bulk insert's time goes: making the rows, and plain Parquet encoding of them (our writer, one
        // thread as in the Hudi writer, no meta columns, keys or bloom filters); the rest is Hudi's.
        var generateOnly = Sides.Ours("ours-orders-parquet", "-", rowsText, "1");
        var parquetOnly = Sides.Ours("ours-orders-parquet", Path.Combine(root, "cdclake-plain.parquet"), rowsText, "1");

        Console.WriteLine();
        Console.WriteLine($"{"",-14}{"CdcLake",10}{"DuckDB",10}{"ratio",8}{"CPU ratio",11}{"CdcLake peak",15}{"DuckDB peak",14}");
        Report("bulk insert", oursBulkRun, duckBulkRun);
        Report("upsert 1%", oursUpsertRun, duckUpsertRun);
        Console.WriteLine($"bulk insert breakdown (separate runs): making the rows {generateOnly.Seconds:F2}s, + writing them as plain Parquet (1 thread) {parquetOnly.Seconds:F2}s, "
            + $"Hudi bulk insert {oursBulkRun.Seconds:F2}s");
        Console.WriteLine($"CdcLake bulk insert: {Sides.Text(oursBulkRun.Result[0][0])} rows in {Sides.Text(oursBulkRun.Result[0][1])} files, {Measurement.Describe(oursBulkRun.Result[0][2].GetInt64())}; "
            + $"DuckDB: {Directory.GetFiles(duckBulk).Length} files, {Measurement.Describe(Directory.GetFiles(duckBulk).Sum(f => new FileInfo(f).Length))}");
        Console.WriteLine($"CdcLake upsert: {Sides.Text(oursUpsertRun.Result[0][0])} updates, {Sides.Text(oursUpsertRun.Result[0][1])} inserts, "
            + $"{Sides.Text(oursUpsertRun.Result[0][2])} file groups rewritten, {Sides.Text(oursUpsertRun.Result[0][3])} created, {Measurement.Describe(oursUpsertRun.Result[0][4].GetInt64())} written; "
            + $"index: {Sides.Text(oursUpsertRun.Result[0][6])} footers read, {Sides.Text(oursUpsertRun.Result[0][7])} files' keys read");
        Console.WriteLine($"CdcLake bulk insert profile: {Sides.Text(oursBulkRun.Result[0][3])}");
        Console.WriteLine($"CdcLake upsert profile: {Sides.Text(oursUpsertRun.Result[0][5])}");
        Console.WriteLine($"load average (1 min) at the start {loadAtStart}, at the end {Sides.LoadAverage()} (2 cores)");
        Console.WriteLine($"checked: both tables hold {fingerprint} rows with equal fingerprints (count, sum(id), sum(hash(row)), sum(amount)) after each step");
        return 0;
    }

    /// <summary>Child process: creates the table and bulk-inserts the rows.</summary>
    public static async Task<int> OursBulkAsync(string tableDir, long rows, int threads)
    {
        var cpu = Sides.CpuSeconds();
        var watch = Stopwatch.StartNew();
        Directory.CreateDirectory(tableDir);
        using var store = ObjectStores.For(tableDir);
        await HudiWriteClient.CreateTableAsync(store, "", new NewTableOptions { TableName = TableName, RecordKeyFields = ["id"], PrecombineField = "updated_at" }, OrderRows.Schema);
        var clock = new PhaseClock();
        var result = await Client(store, clock, threads).BulkInsertAsync(OrderRows.Batches(rows, k => 2 * k, version: 0));
        Sides.Report(watch.Elapsed.TotalSeconds, cpu, new[] { new object[] { result.Inserts, result.FilesWritten, result.BytesWritten, clock.Describe() } });
        return 0;
    }

    /// <summary>Child process: upserts the changes (updates first, then inserts, in one input).</summary>
    public static async Task<int> OursUpsertAsync(string tableDir, long rows, int threads)
    {
        var cpu = Sides.CpuSeconds();
        var watch = Stopwatch.StartNew();
        using var store = ObjectStores.For(tableDir);
        var (updates, inserts) = ChangeCounts(rows);
        var clock = new PhaseClock();
        var result = await Client(store, clock, threads).UpsertAsync(OrderRows.Batches(updates + inserts, j => ChangeKey(rows, j), version: 1));
        Sides.Report(watch.Elapsed.TotalSeconds, cpu, new[]
        {
            new object[] { result.Updates, result.Inserts, result.FileGroupsRewritten, result.FileGroupsCreated, result.BytesWritten, clock.Describe(), result.IndexFootersRead, result.IndexFilesProbed },
        });
        return 0;
    }

    /// <summary>Child process: the same rows as the bulk insert written with ParquetWriter alone (file "-": only made).</summary>
    public static int OursPlainParquet(string file, long rows, int threads)
    {
        var cpu = Sides.CpuSeconds();
        var watch = Stopwatch.StartNew();
        var batches = OrderRows.Batches(rows, k => 2 * k, version: 0);
        if (file == "-")
        {
            long count = 0;
            foreach (var batch in batches)
            {
                count += batch.RowCount;
            }

            Sides.Report(watch.Elapsed.TotalSeconds, cpu, new[] { new object[] { count } });
            return 0;
        }

        using (var writer = ParquetWriter.Create(file, OrderRows.Schema, new ParquetWriteOptions { Codec = ParquetCodec.Snappy, RowGroupRows = 1_000_000, MaxDegreeOfParallelism = threads }))
        {
            foreach (var batch in batches)
            {
                writer.Write(batch);
            }
        }

        Sides.Report(watch.Elapsed.TotalSeconds, cpu, new[] { new object[] { rows } });
        return 0;
    }

    private static HudiWriteClient Client(IObjectStore store, IWriteObserver observer, int threads) =>
        new(store, "", new HudiWriteOptions { LockProvider = new LocalFileLockProvider(), Codec = ParquetCodec.Snappy, Observer = observer, WriteParallelism = threads });

    /// <summary>Stored keys are even (0, 2, …); the upsert's new keys are odd, so they fall between stored ones.</summary>
    private static string BulkKeys(long rows) => $"SELECT 2 * k AS id, 0 AS v FROM range({rows}) t(k)";

    private static (long Updates, long Inserts) ChangeCounts(long rows)
    {
        var changes = Math.Max(2, rows / 100);
        return (changes / 2, changes - (changes / 2));
    }

    // Change j < updates updates the j-th of `updates` equal slices of the stored keys, at a spot within the slice
    // that varies; the inserts fill odd keys the same way.
    private static long ChangeKey(long rows, long j)
    {
        var (updates, inserts) = ChangeCounts(rows);
        return j < updates ? 2 * Spread(j, rows / updates) : (2 * Spread(j - updates, rows / inserts)) + 1;
    }

    private static long Spread(long i, long stride) => (i * stride) + (i * 7919 % stride);

    private static string ChangeKeys(long rows)
    {
        var (updates, inserts) = ChangeCounts(rows);
        var (s1, s2) = (rows / updates, rows / inserts);
        return $"SELECT 2 * (k * {s1} + k * 7919 % {s1}) AS id, 1 AS v FROM range({updates}) t(k) "
            + $"UNION ALL SELECT 2 * (k * {s2} + k * 7919 % {s2}) + 1 AS id, 1 AS v FROM range({inserts}) t(k)";
    }

    /// <summary>DuckDB fingerprints our table (its latest base files) and DuckDB's output; they must be equal.</summary>
    private static string Verify(string when, string ourTable, string duckDir, int threads)
    {
        var files = LatestBaseFiles(ourTable);
        var ours = Sides.DuckDb(threads, "", OrderRows.Fingerprint($"read_parquet({Sides.FileList(files)})")).Result[0];
        var duck = Sides.DuckDb(threads, "", OrderRows.Fingerprint($"read_parquet({Sides.Quote(Path.Combine(duckDir, "*.parquet"))})")).Result[0];
        for (var c = 0; c < duck.GetArrayLength(); c++)
        {
            if (Sides.Text(ours[c]) != Sides.Text(duck[c]))
            {
                throw new InvalidOperationException($"{when}: our table's aggregate {c} is {Sides.Text(ours[c])}, DuckDB's is {Sides.Text(duck[c])}");
            }
        }

        return Sides.Text(duck[0]);
    }

    public static IReadOnlyList<string> LatestBaseFiles(string tableDir)
    {
        using var store = ObjectStores.For(tableDir);
        var table = HudiTable.OpenAsync(store).GetAwaiter().GetResult();
        var slices = table.GetFileSlicesAsync().GetAwaiter().GetResult();
        return [.. slices.Select(s => Path.Combine(tableDir, s.BaseFile.Path))];
    }

    private static void Report(string name, Measurement ours, Measurement duck) =>
        Console.WriteLine($"{name,-14}{ours.Seconds,9:F2}s{duck.Seconds,9:F2}s{ours.Seconds / duck.Seconds,8:F2}{ours.CpuSeconds / duck.CpuSeconds,11:F2}{Measurement.Describe(ours.PeakBytes),15}{Measurement.Describe(duck.PeakBytes),14}");
}
