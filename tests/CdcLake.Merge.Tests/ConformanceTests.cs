using System.Text.RegularExpressions;
using CdcLake.Cdc;
using CdcLake.Hudi;
using CdcLake.Storage;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Merge.Tests;

/// <summary>
/// Every scenario folder under Scenarios/: its runs merged by <see cref="MergeJob"/>, then the table compared with
/// the hand-written expected.jsonl (and, where the scenario says so, with DuckDB's <see cref="ExpectedState"/> SQL
/// over the same input files), validated as a Hudi table, read back by DuckDB from its latest base files, and
/// merged once more to show a rerun changes nothing.
/// </summary>
public partial class ConformanceTests
{
    public static TheoryData<string> Scenarios() => [.. Scenario.All()];

    [Fact]
    public void There_are_at_least_25_scenarios_each_with_rows_and_an_expectation()
    {
        var all = Scenario.All().ToList();
        all.Should().HaveCountGreaterThanOrEqualTo(25);
        foreach (var name in all)
        {
            var scenario = Scenario.Load(name);
            scenario.Description.Should().NotBeEmpty(name);
            scenario.Runs.Should().NotBeEmpty(name);
            scenario.Runs.SelectMany(r => r.Files).Should().NotBeEmpty(name);
        }
    }

    [Fact]
    public void Scenario_input_files_are_written_the_same_every_time()
    {
        using var a = new TempDirectory("scenario-a");
        using var b = new TempDirectory("scenario-b");
        foreach (var name in Scenario.All())
        {
            var scenario = Scenario.Load(name);
            foreach (var (file, i) in scenario.Runs.SelectMany(r => r.Files).Select((f, i) => (f, i)))
            {
                file.WriteTo(Path.Combine(a.Path, name, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), scenario);
                file.WriteTo(Path.Combine(b.Path, name, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), scenario);
            }
        }

        var files = Directory.EnumerateFiles(a.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a.Path, f)).ToList();
        files.Should().HaveCountGreaterThan(100);
        foreach (var file in files)
        {
            File.ReadAllBytes(Path.Combine(b.Path, file)).Should().Equal(File.ReadAllBytes(Path.Combine(a.Path, file)), file);
        }
    }

    [Fact]
    public async Task A_dry_run_plans_and_writes_nothing()
    {
        var scenario = Scenario.Load("06-last-change-wins-default-ordering");
        using var runner = new ScenarioRunner(scenario);
        var first = await runner.RunAsync(scenario.Runs[0].Files);
        first.Status.Should().Be(MergeStatus.Merged, first.Error);
        var before = TableState.Fingerprint(runner.Target);

        var planned = await runner.RunAsync(scenario.Runs[1].Files, options: new MergeOptions { Parallelism = 2, DryRun = true });
        planned.Status.Should().Be(MergeStatus.Planned, planned.Error);
        planned.Files.Should().Be(2);
        TableState.Fingerprint(runner.Target).Should().Equal(before, "a dry run writes nothing");

        (await runner.RunAsync([])).Status.Should().Be(MergeStatus.Merged, "the planned files are still new");
        (await TableState.ReadAsync(runner.Target)).DataRows.Should().Equal(
            scenario.Expected.Select(r => TableState.Render(r, TableState.IsData)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Progress_is_reported_through_to_done()
    {
        var scenario = Scenario.Load("06-last-change-wins-default-ordering");
        using var runner = new ScenarioRunner(scenario);
        var progress = new Recorder();
        var summary = await runner.RunAsync(scenario.Runs.SelectMany(r => r.Files), options: new MergeOptions { Parallelism = 2, Progress = progress });
        summary.Status.Should().Be(MergeStatus.Merged, summary.Error);

        progress.Reports.Should().NotBeEmpty();
        progress.Reports.Should().OnlyContain(p => p.Table == runner.Spec.Name);
        progress.Reports[^1].Stage.Should().Be("done");
        progress.Reports.Max(p => p.FilesTotal).Should().Be(4).And.Be(summary.Files);
        progress.Reports.Max(p => p.RowsRead).Should().Be(summary.RowsRead);
    }

    public static TheoryData<string> OracleScenarios() => [.. Scenario.All().Where(n => Scenario.Load(n).Oracle)];

    /// <summary>The hand-written expectations and DuckDB's SQL over the same files agree (no merge code involved).</summary>
    [Theory]
    [MemberData(nameof(OracleScenarios))]
    public void Hand_written_expectation_agrees_with_DuckDB(string name)
    {
        var scenario = Scenario.Load(name);
        using var dir = new TempDirectory("oracle-" + name);
        foreach (var run in scenario.Runs)
        {
            foreach (var path in run.Delete)
            {
                File.Delete(Path.Combine(dir.Path, path));
            }

            foreach (var file in run.Files)
            {
                file.WriteTo(dir.Path, scenario);
            }
        }

        var spec = scenario.Spec(dir.Path, dir.Path + "-lake");
        OracleRows(scenario, spec).Should().Equal(scenario.Expected.Select(r => TableState.Render(r, TableState.IsData)).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Scenario_ends_in_the_expected_table(string name)
    {
        var scenario = Scenario.Load(name);
        using var runner = new ScenarioRunner(scenario);
        await runner.RunAllAsync();

        var state = await TableState.ReadAsync(runner.Target);
        var because = $"{name}: {scenario.Description}";
        state.DataRows.Should().Equal(
            scenario.Expected.Select(r => TableState.Render(r, TableState.IsData)).Order(StringComparer.Ordinal), because);

        // Where the expectation spells out _cdc_order, it must be exactly that (ORDERING.md, computed by hand).
        foreach (var row in scenario.Expected.Where(r => r.ContainsKey(TableSpec.OrderColumn)))
        {
            state.DataRowsWithOrder.Should().Contain(TableState.Render(row), because);
        }

        state.CdcOrders.Should().OnlyContain(o => OrderFormat().IsMatch(o), "every _cdc_order has ORDERING.md's format");
        state.CdcOrders.Where(o => o.StartsWith('1')).Select(o => o.Length).Distinct().Should().HaveCountLessThanOrEqualTo(1, "CDC orders of one table have one width");

        if (state.BaseFiles.Count > 0)
        {
            using var store = ObjectStores.For(runner.Target);
            (await HudiTableValidator.ValidateAsync(store)).Problems.Should().BeEmpty(because);
            state.DuckDbRows().Should().Equal(state.Rows, "DuckDB reads the latest base files as our reader does");
            state.BaseFileSchemas().Distinct().Should().HaveCount(1, "every base file has the table's schema");
        }

        foreach (var (column, type) in scenario.ExpectedTypes)
        {
            state.Schema.Should().NotBeNull();
            state.Schema![column].TypeName.Should().Be(type, $"{name}: column {column}");
        }

        if (scenario.Oracle)
        {
            state.DataRows.Should().Equal(OracleRows(scenario, runner.Spec), $"{name}: DuckDB's SQL over the same files");
        }

        // Exactly once: merging again with nothing new changes nothing.
        var last = scenario.Runs[^1];
        var before = TableState.Fingerprint(runner.Target);
        var again = await runner.RunAsync([]);
        again.Status.Should().Be(last.Status == MergeStatus.Failed ? MergeStatus.Failed : MergeStatus.UpToDate, again.Error);
        TableState.Fingerprint(runner.Target).Should().Equal(before, "a rerun on the same input writes nothing");
    }

    /// <summary>DuckDB's final state of the scenario's DMS folder (<see cref="ExpectedState"/>), as <see cref="TableState.DataRows"/>.</summary>
    public static IReadOnlyList<string> OracleRows(Scenario scenario, TableSpec spec)
    {
        var columns = scenario.Expected.SelectMany(r => r.Select(p => p.Key)).Where(TableState.IsData).Distinct().ToList();
        var expected = ExpectedState.Query(DuckDb.Shared, new ExpectedStateSpec
        {
            Folder = spec.Source,
            RecordKey = [.. spec.RecordKey.Select(spec.SourceColumnOf)],
            Ordering = spec.Ordering ?? ["AR_H_CHANGE_SEQ"],
            BeforeImageKey = spec.BeforeImageKeyColumns,
            Columns = columns,
        });
        return [.. expected.Rows.Select(row => TableState.Render(expected.Columns.Select((c, i) => (c.Name, Canonical.Render(row[i]))))).Order(StringComparer.Ordinal)];
    }

    private sealed class Recorder : IProgress<MergeProgress>
    {
        public List<MergeProgress> Reports { get; } = [];

        public void Report(MergeProgress value)
        {
            lock (Reports)
            {
                Reports.Add(value);
            }
        }
    }

    [GeneratedRegex(@"^(0\|[012][0-9A-F]{16}\|[0-9A-F]{8}\|[0-9]{10}|1\|([0-9]{35}\|)*[0-9]{21}\|[0-9A-F]{8}\|[0-9]{10})$")]
    private static partial Regex OrderFormat();
}
