using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CdcLake.Hudi;
using CdcLake.Parquet;
using CdcLake.Storage;

namespace CdcLake.Benchmarks;

/// <summary>
/// A whole-table insert-overwrite of N rows (a DMS full reload) as it streams, against the same overwrite done the
/// in-memory way (<see cref="HudiWriteOptions.InsertOverwriteCombine"/>) in the same run: time and peak memory, each
/// side in its own process. The input is generated lazily in batches, as a reader of DMS files would produce it.
/// </summary>
internal static class HudiOverwriteBenchmark
{
    private const int BatchRows = 100_000;

    private static readonly ParquetSchema Schema = new(
    [
        new PrimitiveField("id", PhysicalType.Int64, repetition: Repetition.Required),
        new PrimitiveField("part", PhysicalType.ByteArray, LogicalType.String),
        new PrimitiveField("ts", PhysicalType.Int64),
        new PrimitiveField("name", PhysicalType.ByteArray, LogicalType.String),
        new PrimitiveField("amount", PhysicalType.Double),
    ]);

    public static int Run(BenchOptions options)
    {
        var (rows, repeat, outputDirectory) = (options.Rows, options.Repeat, options.OutputDirectory);
        Console.WriteLine($"hudi insert-overwrite (whole table) of {rows:N0} rows in batches of {BatchRows:N0}, best of {repeat}");
        Console.WriteLine($"{"mode",-10}{"time",10}{"peak memory",16}");
        var streaming = Best(repeat, () => Child(outputDirectory, rows, combine: false));
        var combining = Best(repeat, () => Child(outputDirectory, rows, combine: true));
        Console.WriteLine($"{"streaming",-10}{streaming.Seconds,9:F2}s{Measurement.Describe(streaming.PeakBytes),16}");
        Console.WriteLine($"{"combining",-10}{combining.Seconds,9:F2}s{Measurement.Describe(combining.PeakBytes),16}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio streaming/combining: time {streaming.Seconds / combining.Seconds:F2}, peak memory {(double)streaming.PeakBytes / combining.PeakBytes:F2}"));
        return 0;
    }

    /// <summary>One side, in this process: prints one JSON line {seconds, peakBytes, rows}.</summary>
    public static async Task<int> OursAsync(string folder, long rows, bool combine)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        Directory.CreateDirectory(folder);
        using var store = ObjectStores.For(folder);
        await HudiWriteClient.CreateTableAsync(store, "", new NewTableOptions { TableName = "bench", RecordKeyFields = ["id"], PrecombineField = "ts", PartitionFields = ["part"] }, Schema);
        var client = new HudiWriteClient(store, "", new HudiWriteOptions { LockProvider = new LocalFileLockProvider(), InsertOverwriteCombine = combine, Codec = ParquetCodec.Snappy });
        var watch = Stopwatch.StartNew();
        var result = await client.InsertOverwriteAsync(Batches(rows), wholeTable: true);
        var seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine(JsonSerializer.Serialize(new { seconds, peakBytes = Measurement.PeakResidentBytes(), rows = new[] { result.Inserts, result.FileGroupsCreated } }));
        return result.Inserts == rows ? 0 : 1;
    }

    private static IEnumerable<RecordBatch> Batches(long rows)
    {
        for (long start = 0; start < rows; start += BatchRows)
        {
            var n = (int)Math.Min(BatchRows, rows - start);
            var ids = new long[n];
            var ts = new long[n];
            var amounts = new double[n];
            var parts = new StringBuilder();
            var names = new StringBuilder();
            var partOffsets = new int[n + 1];
            var nameOffsets = new int[n + 1];
            for (var i = 0; i < n; i++)
            {
                var k = start + i;
                ids[i] = k;
                ts[i] = 1_700_000_000_000 + k;
                amounts[i] = k / 7.0;
                parts.Append(CultureInfo.InvariantCulture, $"p{k % 4}");
                names.Append(CultureInfo.InvariantCulture, $"customer-{k % 100_000}");
                partOffsets[i + 1] = parts.Length;
                nameOffsets[i + 1] = names.Length;
            }

            yield return new RecordBatch(Schema,
            [
                new PrimitiveVector<long>(Schema.Fields[0], ids, n),
                new BinaryVector(Schema.Fields[1], partOffsets, Encoding.ASCII.GetBytes(parts.ToString()), n),
                new PrimitiveVector<long>(Schema.Fields[2], ts, n),
                new BinaryVector(Schema.Fields[3], nameOffsets, Encoding.ASCII.GetBytes(names.ToString()), n),
                new PrimitiveVector<double>(Schema.Fields[4], amounts, n),
            ], n);
        }
    }

    private static Measurement Child(string outputDirectory, long rows, bool combine) =>
        Measurement.RunChild("dotnet",
        [
            typeof(HudiOverwriteBenchmark).Assembly.Location,
            "ours-hudi-overwrite",
            Path.Combine(outputDirectory, combine ? "hudi-combining" : "hudi-streaming"),
            rows.ToString(CultureInfo.InvariantCulture),
            combine ? "combine" : "stream",
        ]);

    private static Measurement Best(int repeat, Func<Measurement> run)
    {
        var results = Enumerable.Range(0, Math.Max(1, repeat)).Select(_ => run()).ToList();
        return results.MinBy(r => r.Seconds)! with { PeakBytes = results.Min(r => r.PeakBytes) };
    }
}
