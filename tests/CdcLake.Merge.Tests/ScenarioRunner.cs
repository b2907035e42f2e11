using System.Text.Json.Nodes;
using CdcLake.Cdc;
using CdcLake.Testing;
using FluentAssertions;

namespace CdcLake.Merge.Tests;

/// <summary>The real clock moved by a fixed offset (tombstone retention is measured with it).</summary>
public sealed class OffsetClock(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow + offset;
}

/// <summary>Runs a scenario's runs against a fresh DMS folder and Hudi target, checking each run's summary.</summary>
public sealed class ScenarioRunner : IDisposable
{
    private readonly TempDirectory _dir;

    public ScenarioRunner(Scenario scenario, Action<JsonObject>? editTable = null)
    {
        Scenario = scenario;
        _dir = new TempDirectory("merge-" + scenario.Name);
        Source = Path.Combine(_dir.Path, "dms", "public", "t");
        Target = Path.Combine(_dir.Path, "lake", "t");
        Directory.CreateDirectory(Source);
        Spec = scenario.Spec(Source, Target, editTable);
    }

    public Scenario Scenario { get; }

    public string Source { get; }

    public string Target { get; }

    public TableSpec Spec { get; set; }

    public List<TableSummary> Summaries { get; } = [];

    /// <summary>Where quarantined rows go: under .hoodie/.aux, which table readers never list.</summary>
    public string QuarantineFolder => Path.Combine(Target, ".hoodie", ".aux", "cdclake", "quarantine");

    /// <summary>Lands <paramref name="files"/> (and removes <paramref name="delete"/>), then merges.</summary>
    public async Task<TableSummary> RunAsync(IEnumerable<ScenarioFile> files, IEnumerable<string>? delete = null, double clockDays = 0, MergeOptions? options = null)
    {
        foreach (var path in delete ?? [])
        {
            File.Delete(Path.Combine(Source, path));
        }

        foreach (var file in files)
        {
            file.WriteTo(Source, Scenario);
        }

        options = (options ?? new MergeOptions { Parallelism = 2 }) with { Clock = new OffsetClock(TimeSpan.FromDays(clockDays)) };
        var summary = await MergeJob.MergeTableAsync(Spec, options);
        Summaries.Add(summary);
        return summary;
    }

    /// <summary>Every run of the scenario as written, each summary checked; a failed run must leave the table byte-for-byte as it was.</summary>
    public async Task RunAllAsync()
    {
        for (var i = 0; i < Scenario.Runs.Count; i++)
        {
            var run = Scenario.Runs[i];
            var before = TableState.Fingerprint(Target);
            var summary = await RunAsync(run.Files, run.Delete, run.ClockDays);
            var because = $"run {i + 1} of {Scenario.Name}: {summary.Error}";
            summary.Status.Should().Be(run.Status, because);
            if (run.Status == MergeStatus.Failed)
            {
                summary.Error.Should().NotBeNullOrEmpty();
                foreach (var text in run.ErrorContains)
                {
                    summary.Error.Should().Contain(text, because);
                }

                TableState.Fingerprint(Target).Should().Equal(before, "a failed run writes nothing: " + because);
            }
            else
            {
                summary.Error.Should().BeNull(because);
            }

            if (run.Status == MergeStatus.UpToDate)
            {
                TableState.Fingerprint(Target).Should().Equal(before, "a run with nothing new writes nothing: " + because);
            }

            if (run.Warning is not null)
            {
                var expected = run.Warning;
                summary.Warnings.Should().Contain(w => w.Contains(expected, StringComparison.OrdinalIgnoreCase), $"a warning naming '{expected}' ({because})");
            }

            if (run.Counts.Count > 0)
            {
                var json = JsonNode.Parse(new RunSummary([summary]).ToJson())!["tables"]![0]!.AsObject();
                foreach (var (name, count) in run.Counts)
                {
                    json[name]!.GetValue<long>().Should().Be(count, $"summary.{name}: {because}");
                }
            }

            if (run.Quarantined is { } quarantined)
            {
                summary.Quarantined.Should().Be(quarantined, because);
                Directory.EnumerateFiles(QuarantineFolder, "*.parquet", SearchOption.AllDirectories).Should().NotBeEmpty(because);
            }

            if (run.FullReload is { } reload)
            {
                summary.FullReload.Should().Be(reload, because);
            }
        }
    }

    public void Dispose() => _dir.Dispose();
}
