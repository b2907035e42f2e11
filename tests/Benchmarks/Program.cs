using CdcLake.Benchmarks;

// Benchmarks set CdcLake beside DuckDB doing the same work on the same machine in the same run, and
// report ratios (ours / DuckDB) and peak memory. Each measured side runs in its own process so that
// peak memory is that side's alone.
return args switch
{
    ["parquet", .. var rest] => ParquetBenchmark.Run(BenchOptions.Parse(rest)),
    ["ours-read", var file, var threads] => ParquetBenchmark.OursRead(file, int.Parse(threads, System.Globalization.CultureInfo.InvariantCulture)),
    ["ours-write", var file, var rows, var rowGroupRows] => ParquetBenchmark.OursWrite(
        file,
        long.Parse(rows, System.Globalization.CultureInfo.InvariantCulture),
        int.Parse(rowGroupRows, System.Globalization.CultureInfo.InvariantCulture)),
    ["hudi-overwrite", .. var rest] => HudiOverwriteBenchmark.Run(BenchOptions.Parse(rest)),
    ["ours-hudi-overwrite", var folder, var rows, var mode] => HudiOverwriteBenchmark.OursAsync(
        folder,
        long.Parse(rows, System.Globalization.CultureInfo.InvariantCulture),
        combine: mode == "combine").GetAwaiter().GetResult(),
    _ => Usage(),
};

static int Usage()
{
    Console.WriteLine("""
        CdcLake benchmarks — each compares CdcLake with DuckDB doing the same work in the same run.

        Usage:
          ./build.sh --target=Bench [--bench-args="parquet --rows 10000000"]
          dotnet run -c Release --project tests/Benchmarks -- parquet [--rows N] [--row-group-rows N] [--threads N] [--repeat N] [--out DIR]

        parquet   full read (every value of every column aggregated) and full write of N rows of
                  int, bigint, double, varchar, timestamp and decimal(18,4), snappy, same row-group size.
        hudi-overwrite [--rows N] [--repeat N] [--out DIR]
                  a whole-table Hudi insert-overwrite of N rows streamed (the default) against the same
                  overwrite combined in memory (InsertOverwriteCombine): time and peak memory.
        """);
    return 2;
}
