using System.Globalization;

namespace CdcLake.Benchmarks;

internal sealed record BenchOptions(long Rows, int RowGroupRows, int Threads, int Repeat, string OutputDirectory)
{
    public static BenchOptions Parse(string[] args, int defaultRepeat)
    {
        var options = new BenchOptions(10_000_000, 1_000_000, 2, defaultRepeat, Path.Combine(Path.GetTempPath(), "cdclake-bench"));
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--rows" => options with { Rows = long.Parse(value, CultureInfo.InvariantCulture) },
                "--row-group-rows" => options with { RowGroupRows = int.Parse(value, CultureInfo.InvariantCulture) },
                "--threads" => options with { Threads = int.Parse(value, CultureInfo.InvariantCulture) },
                "--repeat" => options with { Repeat = int.Parse(value, CultureInfo.InvariantCulture) },
                "--out" => options with { OutputDirectory = value },
                var unknown => throw new ArgumentException($"unknown option {unknown}"),
            };
        }

        return options;
    }
}
