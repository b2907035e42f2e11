using CdcLake.Cdc;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Cli.Tests;

public class SampleCommandTests
{
    [Fact]
    public void Sample_writes_a_dms_bucket_and_a_pipeline_that_resolves()
    {
        using var dir = new TempDirectory();

        var result = Cli.Run("sample", "--out", dir.Path, "--rows", "40", "--batches", "3", "--seed", "9");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Stderr.Should().BeEmpty();
        result.StdoutLines[0].Should().Be($"sample DMS bucket in {dir.Path} (seed 9, 40 rows, 3 CDC batches):");
        result.StdoutLines.Should().Contain(l => l.TrimStart().StartsWith("orders", StringComparison.Ordinal) && l.Contains("11 LOAD files (40 rows)", StringComparison.Ordinal));
        result.StdoutLines[^1].Should().Be($"pipeline: {Path.Combine(dir.Path, "pipeline.json")}");

        var tables = PipelineConfig.LoadAndResolve(Path.Combine(dir.Path, "pipeline.json"));
        tables.Select(t => t.Name).Should().Equal("customers", "orders", "order_lines");
        tables.Should().OnlyContain(t => t.Target.StartsWith(Path.Combine(dir.Path, "lake", "sales"), StringComparison.Ordinal));
        Directory.EnumerateFiles(tables[1].Source, "*.parquet", SearchOption.AllDirectories).Should().Contain(f => f.Contains("/2024/03/02/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--rows", "0")]
    [InlineData("--rows", "many")]
    [InlineData("--batches", "-1")]
    [InlineData("--seed", "1.5")]
    public void Bad_numbers_are_usage_errors(string option, string value)
    {
        using var dir = new TempDirectory();

        var result = Cli.Run("sample", "--out", dir.Path, option, value);

        result.ExitCode.Should().Be(2);
        result.StderrLines[0].Should().StartWith($"cdclake: {option} must be a");
    }

    [Fact]
    public void Out_is_required()
    {
        var result = Cli.Run("sample");

        result.ExitCode.Should().Be(2);
        result.Stderr.Should().Contain("--out");
    }
}
