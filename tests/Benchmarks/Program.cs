using System.Globalization;
using CdcLake.Benchmarks;

// Benchmarks set CdcLake beside DuckDB doing the same work on the same machine in the same run, and
// report ratios (ours / DuckDB) and peak memory. Each measured side runs in its own process so that
// peak memory is that side's alone.
return args switch
{
    ["parquet", .. var rest] => ParquetBenchmark.Run(BenchOptions.Parse(rest, defaultRepeat: 3)),
    ["parquet-hudi", .. var rest] => ParquetHudiBenchmark.Run(BenchOptions.Parse(rest, defaultRepeat: 2) is var o && !rest.Contains("--threads") ? o with { Threads = 1 } : o),
    ["hudi", .. var rest] => HudiBenchmark.Run(BenchOptions.Parse(rest, defaultRepeat: 1)),
    ["merge", .. var rest] => MergeBenchmark.Run(BenchOptions.Parse(rest, defaultRepeat: 1)),
    ["hudi-overwrite", .. var rest] => HudiOverwriteBenchmark.Run(BenchOptions.Parse(rest, defaultRepeat: 1)),

    // The measured sides, run as child processes by the benchmarks above.
    ["ours-read", var file, var threads] => ParquetBenchmark.OursRead(file, Int(threads)),
    ["ours-write", var file, var rows, var rowGroupRows] => ParquetBenchmark.OursWrite(file, Long(rows), Int(rowGroupRows)),
    ["ours-hudi-shape-write", var file, var rows, var threads] => ParquetHudiBenchmark.OursWrite(file, Long(rows), Int(threads)),
    ["ours-hudi-shape-read", var file, var what, var threads] => ParquetHudiBenchmark.OursRead(file, what, Int(threads)),
    ["ours-hudi-bulk", var table, var rows, var threads] => await HudiBenchmark.OursBulkAsync(table, Long(rows), Int(threads)),
    ["ours-hudi-upsert", var table, var rows, var threads] => await HudiBenchmark.OursUpsertAsync(table, Long(rows), Int(threads)),
    ["ours-orders-parquet", var file, var rows, var threads] => HudiBenchmark.OursPlainParquet(file, Long(rows), Int(threads)),
    ["ours-merge", var source, var target, var threads] => await MergeBenchmark.OursMergeAsync(source, target, Int(threads)),
    ["ours-hudi-overwrite", var folder, var rows, var mode] => await HudiOverwriteBenchmark.OursAsync(folder, Long(rows), combine: mode == "combine"),
    _ => Usage(),
};

static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

static long Long(string s) => long.Parse(s, CultureInfo.InvariantCulture);

static int Usage()
{
    Console.WriteLine("""
        CdcLake benchmarks — each compares CdcLake with DuckDB doing the same work in the same run.

        Usage:
          ./build.sh --target=Bench [--bench-args="parquet --rows 10000000"]
          dotnet run -c Release --project tests/Benchmarks -- parquet|hudi|merge [--rows N] [--threads N] [--repeat N] [--out DIR]

        parquet   full read (every value of every column aggregated) and full write of N rows of
                  int, bigint, double, varchar, timestamp and decimal(18,4), snappy, same row-group size
                  (also --row-group-rows N; default best of 3 runs).
        parquet-hudi
                  our writer and reader on the merge job's shapes: N rows of a Hudi base file (meta, order and
                  DMS columns; snappy, row groups of 250,000, batches of 10,000) written and read back (all
                  columns, the record key alone), and a DuckDB-written DMS file read; 1 thread each unless --threads.
        hudi      bulk insert of N rows (10 columns) into a new Hudi copy-on-write table, then an upsert of
                  N/100 rows (half updates spread over the table, half new keys), beside DuckDB writing the
                  same rows to Parquet (upsert: anti-join + union over its table, rewritten); snappy, 120 MB files.
        merge     the CDC merge job on DMS files: (a) full load of N rows, (b) a CDC batch of N/10 changes
                  (70% updates, 20% inserts, 10% deletes) spread over the keys, (c) the same on the newest keys,
                  beside DuckDB doing the same merge in SQL (dedupe by key, anti-join + union, rewrite).
        hudi-overwrite
                  a whole-table Hudi insert-overwrite of N rows streamed (the default) against the same
                  overwrite combined in memory (InsertOverwriteCombine): time and peak memory.

        Defaults: --rows 10000000, --threads 2 (DuckDB's threads; ours: the Hudi writer's WriteParallelism, the merge job's Parallelism), --out $TMPDIR/cdclake-bench.
        """);
    return 2;
}
