using System.Diagnostics;
using System.Globalization;
using System.Text;
using CdcLake.Cdc;

namespace CdcLake.Benchmarks;

/// <summary>
/// The CDC merge job (<see cref="MergeJob.MergeTableAsync"/>) on DMS files against DuckDB doing the same merge in
/// SQL, in three steps on one table: (a) the full load of N rows, (b) a CDC batch of N/10 changes (70% updates,
/// 20% inserts, 10% key-only deletes) on keys spread uniformly, (c) another such batch whose updates and deletes
/// fall on the newest tenth of the keys. DuckDB (2 threads, snappy, 120 MB files) keeps its table as plain Parquet:
/// (a) copies the LOAD files; (b), (c) keep the last change per key by AR_H_CHANGE_SEQ, anti-join the table with
/// the changed keys and union the surviving changes, rewriting the whole table. After each step DuckDB
/// fingerprints both tables (ours over its latest base files); they must hold the same rows.
/// </summary>
internal static class MergeBenchmark
{
    private const string Table = "orders";

    /// <summary>Rows per LOAD file (DMS cuts a full load by size; about 300 MB uncompressed here).</summary>
    private const long LoadFileRows = 2_500_000;

    /// <summary>CDC files per batch (DMS writes one per CdcMaxBatchInterval / CdcMinFileSize).</summary>
    private const int CdcFilesPerBatch = 10;

    private const string OutputOptions = "(FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 1000000, FILE_SIZE_BYTES '120MB')";

    // DMS's own Parquet settings: uncompressed, row groups of 10,000 rows.
    private const string DmsOptions = "(FORMAT parquet, COMPRESSION uncompressed, ROW_GROUP_SIZE 10000)";

    private sealed record Step(string Name, string Label, string Target, Measurement? Ours, Measurement Duck, string? Error);

    public static int Run(BenchOptions options)
    {
        var root = Path.Combine(options.OutputDirectory, "merge");
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        var source = Path.Combine(root, "dms", "sales", "public", Table);
        var target = Path.Combine(root, "lake", Table);
        Directory.CreateDirectory(source);
        Directory.CreateDirectory(Path.Combine(root, "duckdb"));
        var loadAtStart = Sides.LoadAverage();
        var rows = options.Rows;
        var changes = Math.Max(CdcFilesPerBatch, rows / 10);
        Console.WriteLine($"Merge benchmark: full load of {rows:N0} rows in {LoadFiles(rows)} LOAD files, then two CDC batches of {changes:N0} changes "
            + $"in {CdcFilesPerBatch} files each; {options.Threads} threads each (our Parallelism), snappy, 120 MB files, best of {options.Repeat}");

        var watch = Stopwatch.StartNew();
        Sides.DuckDb(options.Threads, "", LoadFilesSql(source, rows) + "SELECT 1");
        Console.WriteLine($"generated the full load in {watch.Elapsed.TotalSeconds:F1}s");

        var steps = new List<Step>();
        var duckA = Path.Combine(root, "duckdb", "a");
        steps.Add(RunStep("(a) load", $"full load {rows / 1e6:0.##}M", source, target, duckA, options.Threads, options.Repeat,
            $"COPY (SELECT * FROM read_parquet({Sides.Quote(Path.Combine(source, "LOAD*.parquet"))})) TO {Sides.Quote(duckA)} {OutputOptions}"));

        // (b) updates and deletes anywhere in [0, rows); inserts above it.
        var insertsB = Inserts(changes);
        var filesB = CdcBatch(source, rows, changes, batch: 0, insertBase: rows, $"(hash(j, 7) % {rows})::BIGINT", options.Threads);
        var duckB = Path.Combine(root, "duckdb", "b");
        steps.Add(RunStep("(b) uniform", $"{changes / 1e6:0.##}M uniform", source, target, duckB, options.Threads, options.Repeat, MergeSql(duckA, filesB, duckB)));

        // (c) updates and deletes on the newest tenth of the keys (the highest ids, those (b) inserted included).
        var newest = rows + insertsB - 1;
        var window = Math.Max(1, rows / 10);
        var filesC = CdcBatch(source, rows, changes, batch: 1, insertBase: rows + insertsB, $"{newest} - (hash(j, 11) % {window})::BIGINT", options.Threads);
        var duckC = Path.Combine(root, "duckdb", "c");
        steps.Add(RunStep("(c) newest", $"{changes / 1e6:0.##}M newest", source, target, duckC, options.Threads, options.Repeat, MergeSql(duckB, filesC, duckC)));

        Console.WriteLine();
        Console.WriteLine($"{"",-14}{"",-16}{"CdcLake",10}{"DuckDB",10}{"ratio",8}{"target",8}{"CPU ratio",11}{"CdcLake peak",15}{"DuckDB peak",14}");
        var targets = new[] { "<= 2", "<= 1.5", "< 1" };
        for (var i = 0; i < steps.Count; i++)
        {
            var s = steps[i];
            var ours = s.Ours is { } m ? $"{m.Seconds,9:F2}s" : $"{"failed",10}";
            var ratio = s.Ours is { } r ? $"{r.Seconds / s.Duck.Seconds,8:F2}" : $"{"-",8}";
            var cpuRatio = s.Ours is { } q ? $"{q.CpuSeconds / s.Duck.CpuSeconds,11:F2}" : $"{"-",11}";
            var peak = s.Ours is { } p ? Measurement.Describe(p.PeakBytes) : "-";
            Console.WriteLine($"{s.Name,-14}{s.Label,-16}{ours}{s.Duck.Seconds,9:F2}s{ratio}{targets[i],8}{cpuRatio}{peak,15}{Measurement.Describe(s.Duck.PeakBytes),14}");
        }

        Console.WriteLine($"load average (1 min) at the start {loadAtStart}, at the end {Sides.LoadAverage()} (2 cores)");
        Console.WriteLine("targets: peak memory < 2 GiB");
        foreach (var s in steps)
        {
            if (s.Ours is { } m)
            {
                var summary = m.Result[0];
                Console.WriteLine($"{s.Name}: CdcLake {Sides.Text(summary[1])} files, {Sides.Text(summary[2])} rows read, {Sides.Text(summary[3])} inserts, {Sides.Text(summary[4])} updates, "
                    + $"{Sides.Text(summary[5])} deletes, {Sides.Text(summary[7])} files written ({Sides.Text(summary[8])} rewritten, {Measurement.Describe(summary[9].GetInt64())}), "
                    + $"{Sides.Text(summary[10])} commit(s); phases: {Sides.Text(m.Result[1][0])}; table checked: {s.Target}");
            }
            else
            {
                Console.WriteLine($"{s.Name}: CdcLake failed: {s.Error}");
            }
        }

        return steps.All(s => s.Ours is not null) ? 0 : 1;
    }

    private static Step RunStep(string name, string label, string source, string target, string duckDir, int threads, int repeat, string duckSql)
    {
        // Each repetition of our side starts from the table as the previous step left it (its checkpoint included).
        var before = target + ".before";
        Sides.DeleteDirectory(before);
        if (repeat > 1 && Directory.Exists(target))
        {
            Sides.CopyDirectory(target, before);
        }

        Measurement ours, duck;
        try
        {
            (ours, duck) = Sides.Alternate(repeat, duckDir, () => Sides.DuckDb(threads, "", duckSql), i =>
            {
                if (i > 0)
                {
                    if (Directory.Exists(before))
                    {
                        Sides.CopyDirectory(before, target);
                    }
                    else
                    {
                        Sides.DeleteDirectory(target);
                    }
                }

                return Sides.Ours("ours-merge", source, target, threads.ToString(CultureInfo.InvariantCulture));
            });
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine($"{name}: CdcLake's merge failed: {e.Message}");
            Sides.DeleteDirectory(duckDir);
            return new Step(name, label, "-", null, Sides.DuckDb(threads, "", duckSql), e.Message.Split('\n')[0]);
        }

        var files = HudiBenchmark.LatestBaseFiles(target);
        var ourPrint = Sides.DuckDb(threads, "", OrderRows.Fingerprint($"read_parquet({Sides.FileList(files)})")).Result[0];
        var duckPrint = Sides.DuckDb(threads, "", OrderRows.Fingerprint($"read_parquet({Sides.Quote(Path.Combine(duckDir, "*.parquet"))})")).Result[0];
        for (var c = 0; c < duckPrint.GetArrayLength(); c++)
        {
            if (Sides.Text(ourPrint[c]) != Sides.Text(duckPrint[c]))
            {
                throw new InvalidOperationException($"{name}: our table's aggregate {c} (count, sum(id), sum(hash(row)), sum(amount)) is {Sides.Text(ourPrint[c])}, DuckDB's is {Sides.Text(duckPrint[c])}");
            }
        }

        Console.WriteLine($"{name}: {ours.Seconds:F2}s (DuckDB {duck.Seconds:F2}s); both tables hold {Sides.Text(duckPrint[0])} rows, same fingerprint");
        return new Step(name, label, $"{Sides.Text(duckPrint[0])} rows, same fingerprint", ours, duck, null);
    }

    /// <summary>Child process: one run of the merge job over the table's DMS folder.</summary>
    public static async Task<int> OursMergeAsync(string source, string target, int threads)
    {
        var cpu = Sides.CpuSeconds();
        var phases = new PhaseClock();
        var spec = new TableSpec { Name = Table, Database = "sales", Source = source, Target = target, RecordKey = ["id"], Ordering = ["AR_H_CHANGE_SEQ"] };
        var options = new MergeOptions { Parallelism = threads, Progress = phases, WriteObserver = phases };
        var summary = await MergeJob.MergeTableAsync(spec, options);
        var seconds = phases.Elapsed;
        if (summary.Status != MergeStatus.Merged)
        {
            await Console.Error.WriteLineAsync($"merge ended {summary.Status}: {summary.Error}");
            return 1;
        }

        Sides.Report(seconds, cpu, new object[]
        {
            new object[]
            {
                summary.Status.ToString(), summary.Files, summary.RowsRead, summary.Inserts, summary.Updates, summary.Deletes,
                summary.StaleIgnored, summary.FilesWritten, summary.FilesRewritten, summary.BytesWritten, summary.Commits.Count,
            },
            new object[] { phases.Describe() },
        });
        return 0;
    }

    private static long LoadFiles(long rows) => (rows + LoadFileRows - 1) / LoadFileRows;

    /// <summary>The full load: LOAD00000001.parquet… (hex counter), ids 0..rows-1, AR_H_CHANGE_SEQ empty as in DMS full loads.</summary>
    private static string LoadFilesSql(string source, long rows)
    {
        var sql = new StringBuilder();
        for (long f = 0, lo = 0; lo < rows; f++, lo += LoadFileRows)
        {
            var keys = $"SELECT k AS id, 0 AS v FROM range({lo}, {Math.Min(rows, lo + LoadFileRows)}) t(k)";
            var select = OrderRows.Select(keys, "'' AS AR_H_CHANGE_SEQ, strftime(TIMESTAMP '2025-03-01 08:00:00' + to_microseconds(id // 1000), '%Y-%m-%d %H:%M:%S.%f') AS DMS_TIMESTAMP,");
            sql.Append(CultureInfo.InvariantCulture, $"COPY ({select}) TO {Sides.Quote(Path.Combine(source, $"LOAD{f + 1:X8}.parquet"))} {DmsOptions};\n");
        }

        return sql.ToString();
    }

    /// <summary>Inserts among the first <paramref name="changes"/> changes: change j inserts when j % 10 is 7 or 8.</summary>
    private static long Inserts(long changes) => (changes / 10 * 2) + Math.Clamp((changes % 10) - 7, 0, 2);

    /// <summary>
    /// Writes one CDC batch as DMS does: files named by time, Op / AR_H_CHANGE_SEQ / DMS_TIMESTAMP first, then the
    /// columns; updates are after images, deletes carry only the key. Change j is an update when j % 10 &lt; 7, an
    /// insert of a new key (counting up from <paramref name="insertBase"/>) when &lt; 9, else a delete; updates and
    /// deletes take the key <paramref name="keyOf"/> (SQL over j). Several changes of one key in one batch happen
    /// (the key choice repeats), with increasing sequence numbers; five changes share a commit timestamp. Returns the files.
    /// </summary>
    private static IReadOnlyList<string> CdcBatch(string source, long rows, long changes, int batch, long insertBase, string keyOf, int threads)
    {
        var watch = Stopwatch.StartNew();
        var hour = 10 + batch;
        var version = 1 + (batch * changes); // every change has its own values
        var keys = $"""
            SELECT j, op, CASE WHEN op = 'I' THEN {insertBase} + (j // 10) * 2 + (j % 10 - 7) ELSE {keyOf} END AS id, {version} + j AS v
            FROM (SELECT j, CASE WHEN j % 10 < 7 THEN 'U' WHEN j % 10 < 9 THEN 'I' ELSE 'D' END AS op FROM range({changes}) t(j))
            """;
        var leading = $"j, op AS Op, '20250301{hour}000000' || lpad(({version} + j)::VARCHAR, 19, '0') AS AR_H_CHANGE_SEQ, "
            + $"strftime(TIMESTAMP '2025-03-01 {hour}:00:00' + to_microseconds((j // 5) * 1000), '%Y-%m-%d %H:%M:%S.%f') AS DMS_TIMESTAMP,";
        var keyOnly = string.Join(", ", OrderRows.Columns.Split(", ").Select(c => c == "id" ? c : $"CASE WHEN Op = 'D' THEN NULL ELSE {c} END AS {c}"));
        var sql = new StringBuilder($"CREATE TABLE changes AS SELECT j, Op, AR_H_CHANGE_SEQ, DMS_TIMESTAMP, {keyOnly} FROM ({OrderRows.Select(keys, leading)});\n");
        var files = new List<string>();
        var perFile = (changes + CdcFilesPerBatch - 1) / CdcFilesPerBatch;
        for (var f = 0; f < CdcFilesPerBatch; f++)
        {
            var file = Path.Combine(source, $"20250301-{hour}{f:00}00000.parquet");
            files.Add(file);
            sql.Append(CultureInfo.InvariantCulture,
                $"COPY (SELECT * EXCLUDE (j) FROM changes WHERE j >= {f * perFile} AND j < {(f + 1) * perFile} ORDER BY j) TO {Sides.Quote(file)} {DmsOptions};\n");
        }

        Sides.DuckDb(threads, "", sql + "SELECT 1");
        Console.WriteLine($"generated CDC batch {batch + 1} ({changes:N0} changes over {rows:N0} keys) in {watch.Elapsed.TotalSeconds:F1}s");
        return files;
    }

    /// <summary>DuckDB's merge: last change per key, the table without the changed keys, plus the surviving changes.</summary>
    private static string MergeSql(string tableDir, IReadOnlyList<string> cdcFiles, string outDir) => $"""
        COPY (
          WITH last AS (
            SELECT * FROM read_parquet({Sides.FileList(cdcFiles)})
            QUALIFY row_number() OVER (PARTITION BY id ORDER BY AR_H_CHANGE_SEQ DESC) = 1)
          SELECT t.* FROM read_parquet({Sides.Quote(Path.Combine(tableDir, "*.parquet"))}) t ANTI JOIN last ON t.id = last.id
          UNION ALL BY NAME SELECT * EXCLUDE (Op) FROM last WHERE Op <> 'D'
        ) TO {Sides.Quote(outDir)} {OutputOptions}
        """;
}
