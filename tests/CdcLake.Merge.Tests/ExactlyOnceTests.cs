using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CdcLake.Cdc;
using CdcLake.Hudi;
using CdcLake.Storage;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Merge.Tests;

/// <summary>
/// Exactly once: the same DMS files fed in different splits across runs — all at once, one file per run, random
/// chunks in random arrival order (late files after later ones, inside the late-file window), newest first — end in
/// the same table (data and <c>_cdc_order</c>) as one run, and as the scenario's hand-written expectation.
/// </summary>
public partial class ExactlyOnceTests
{
    /// <summary>The scenarios whose files can arrive in any split: plain merges, no clock, reload, failure or quarantine.</summary>
    public static TheoryData<string> SplittableScenarios() =>
    [
        .. Scenario.All().Where(name =>
        {
            var scenario = Scenario.Load(name);
            var paths = scenario.Runs.SelectMany(r => r.Files).Select(f => f.Path).ToList();
            return scenario.Runs.All(r => r.Status == MergeStatus.Merged && r.ClockDays == 0 && r.FullReload is null && r.Quarantined is null && r.Delete.Count == 0)
                && paths.Distinct().Count() == paths.Count;
        }),
    ];

    [Theory]
    [MemberData(nameof(SplittableScenarios))]
    public async Task Any_split_of_a_scenarios_files_ends_in_the_same_table(string name)
    {
        var scenario = Scenario.Load(name);
        var files = scenario.Runs.SelectMany(r => r.Files).ToList();
        var first = files.Where(f => !IsCdc(f.Path)).ToList();
        var cdc = files.Where(f => IsCdc(f.Path)).OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        var expected = scenario.Expected.Select(r => TableState.Render(r, TableState.IsData)).Order(StringComparer.Ordinal).ToList();

        var splits = new List<(string Name, List<List<ScenarioFile>> Runs)>
        {
            ("one run", [[.. first, .. cdc]]),
            ("one run, a commit per file (tiny memory budget)", [[.. first, .. cdc]]),
            ("file by file", [first, .. cdc.Select(f => new List<ScenarioFile> { f })]),
            ("newest first", [first, .. cdc.AsEnumerable().Reverse().Select(f => new List<ScenarioFile> { f })]),
        };
        for (var seed = 1; seed <= 2; seed++)
        {
            splits.Add(($"random seed {seed}", RandomSplit(first, cdc, new Random(seed))));
        }

        IReadOnlyList<string>? reference = null;
        foreach (var (split, runs) in splits)
        {
            // A late file must be inside the window: make it a day.
            using var runner = new ScenarioRunner(scenario, t => t["lateFileWindowMinutes"] = 1440);
            var options = new MergeOptions { Parallelism = 2, MemoryBudgetBytes = split.Contains("tiny", StringComparison.Ordinal) ? 1 : MergeOptions.Default.MemoryBudgetBytes };
            foreach (var run in runs.Where(r => r.Count > 0))
            {
                var summary = await runner.RunAsync(run, options: options);
                if (split.Contains("tiny", StringComparison.Ordinal) && cdc.Count > 1)
                {
                    summary.Commits.Count.Should().BeGreaterThan(1, "a budget smaller than any file makes one commit per CDC file");
                }

                summary.Status.Should().BeOneOf([MergeStatus.Merged, MergeStatus.UpToDate], $"{name}, {split}: {summary.Error}");
            }

            var state = await TableState.ReadAsync(runner.Target);
            state.DataRows.Should().Equal(expected, $"{name}, {split}");
            if (reference is null)
            {
                reference = state.DataRowsWithOrder;
            }
            else
            {
                state.DataRowsWithOrder.Should().Equal(reference, $"{name}, {split}: the same rows with the same _cdc_order as one run");
            }

            using var store = ObjectStores.For(runner.Target);
            (await HudiTableValidator.ValidateAsync(store)).Problems.Should().BeEmpty($"{name}, {split}");
        }
    }

    [Fact]
    public async Task The_sample_bucket_merges_to_DuckDBs_state_and_reruns_change_nothing()
    {
        using var dir = new TempDirectory("merge-sample");
        var sample = DmsSample.Write(dir.Path, new DmsSampleOptions { Rows = 150, Batches = 3, Seed = 3 });
        var tables = PipelineConfig.LoadAndResolve(sample.PipelineFile);

        var run = await MergeJob.RunAsync(tables, new MergeOptions { Parallelism = 2 });
        run.Succeeded.Should().BeTrue(string.Join("; ", run.Tables.Select(t => t.Error)));
        foreach (var table in tables)
        {
            var state = await TableState.ReadAsync(table.Target);
            SourceRows(table, state).Should().Equal(SampleOracle(table, state), table.Name);
            state.DataRows.Should().HaveCountGreaterThan(50);
            using var store = ObjectStores.For(table.Target);
            (await HudiTableValidator.ValidateAsync(store)).Problems.Should().BeEmpty(table.Name);
            state.DuckDbRows().Should().Equal(state.Rows, table.Name);
        }

        var before = tables.ToDictionary(t => t.Name, t => TableState.Fingerprint(t.Target));
        var again = await MergeJob.RunAsync(tables, new MergeOptions { Parallelism = 2 });
        again.Tables.Should().OnlyContain(t => t.Status == MergeStatus.UpToDate);
        foreach (var table in tables)
        {
            TableState.Fingerprint(table.Target).Should().Equal(before[table.Name], $"{table.Name}: a rerun writes nothing");
        }
    }

    [Theory]
    [InlineData("file by file")]
    [InlineData("random seed 7")]
    [InlineData("newest first")]
    public async Task The_sample_fed_in_splits_ends_as_one_run(string split)
    {
        using var dir = new TempDirectory("merge-sample-split");
        var sample = DmsSample.Write(Path.Combine(dir.Path, "bucket"), new DmsSampleOptions { Rows = 100, Batches = 3, Seed = 5 });
        var tables = PipelineConfig.LoadAndResolve(sample.PipelineFile);
        foreach (var table in tables)
        {
            var oneRun = await MergeJob.MergeTableAsync(table, new MergeOptions { Parallelism = 2 });
            oneRun.Status.Should().Be(MergeStatus.Merged, oneRun.Error);
            var reference = await TableState.ReadAsync(table.Target);

            // The same files land in a fresh folder in pieces, each piece merged into a fresh table.
            var staged = table with
            {
                Source = Path.Combine(dir.Path, "staged", table.Name),
                Target = Path.Combine(dir.Path, "staged-lake", table.Name),
                LateFileWindow = TimeSpan.FromDays(30),
            };
            var files = Directory.EnumerateFiles(table.Source, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(table.Source, f)).ToList();
            var load = files.Where(f => !IsCdc(f)).Order(StringComparer.Ordinal).ToList();
            var cdc = files.Where(IsCdc).OrderBy(Path.GetFileName, StringComparer.Ordinal).ToList();
            List<List<string>> pieces = split switch
            {
                "file by file" => [load, .. cdc.Select(f => new List<string> { f })],
                "newest first" => [load, .. cdc.AsEnumerable().Reverse().Select(f => new List<string> { f })],
                _ => RandomSplit(load, cdc, new Random(7)),
            };

            foreach (var piece in pieces.Where(p => p.Count > 0))
            {
                foreach (var file in piece)
                {
                    var to = Path.Combine(staged.Source, file);
                    Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                    File.Copy(Path.Combine(table.Source, file), to);
                    File.SetLastWriteTimeUtc(to, File.GetLastWriteTimeUtc(Path.Combine(table.Source, file)));
                }

                var summary = await MergeJob.MergeTableAsync(staged, new MergeOptions { Parallelism = 2 });
                summary.Status.Should().Be(MergeStatus.Merged, $"{table.Name}, {split}: {summary.Error}");
            }

            var state = await TableState.ReadAsync(staged.Target);
            state.DataRowsWithOrder.Should().Equal(reference.DataRowsWithOrder, $"{table.Name}, {split}");
            SourceRows(staged, state).Should().Equal(SampleOracle(staged, state), $"{table.Name}, {split}");
        }
    }

    /// <summary>DuckDB's final state of a sample table over its files, in the table's data columns but the derived date column (not in the files).</summary>
    private static IReadOnlyList<string> SampleOracle(TableSpec table, TableState state)
    {
        var derived = table.DatePartition?.Column;
        var columns = state.Schema!.Fields.Select(f => f.Name).Where(TableState.IsData).Where(c => c != derived).ToList();
        var result = ExpectedState.Query(DuckDb.Shared, new ExpectedStateSpec
        {
            Folder = table.Source,
            RecordKey = [.. table.RecordKey.Select(table.SourceColumnOf)],
            Ordering = table.Ordering ?? ["AR_H_CHANGE_SEQ"],
            BeforeImageKey = table.BeforeImageKeyColumns,
            Columns = columns,
        });
        return [.. result.Rows.Select(row => TableState.Render(result.Columns.Select((c, i) => (c.Name, Canonical.Render(row[i]))))).Order(StringComparer.Ordinal)];
    }

    /// <summary>The table's data rows without the derived date column, to compare with <see cref="SampleOracle"/>.</summary>
    private static IReadOnlyList<string> SourceRows(TableSpec table, TableState state) =>
        table.DatePartition?.Column is { } derived
            ? [.. state.DataRows.Select(r =>
            {
                var row = JsonNode.Parse(r)!.AsObject();
                row.Remove(derived).Should().BeTrue("the table holds the derived date column");
                return TableState.Render(row);
            }).Order(StringComparer.Ordinal)]
            : state.DataRows;

    private static List<List<T>> RandomSplit<T>(List<T> first, List<T> cdc, Random random)
    {
        var shuffled = cdc.OrderBy(_ => random.Next()).ToList();
        var runs = new List<List<T>> { new(first) };
        var i = 0;
        while (i < shuffled.Count)
        {
            var take = random.Next(1, 4);
            runs.Add(shuffled.Skip(i).Take(take).ToList());
            i += take;
        }

        return runs;
    }

    private static bool IsCdc(string path) => CdcName().IsMatch(Path.GetFileName(path)) && !path.Split('/', '\\').Any(s => s.StartsWith('.') || s.StartsWith('_'));

    [GeneratedRegex(@"^[0-9]{8}-[0-9]{6,15}\.parquet$")]
    private static partial Regex CdcName();
}
