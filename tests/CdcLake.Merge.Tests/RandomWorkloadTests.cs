using System.Globalization;
using System.Text.Json;
using CdcLake.Cdc;
using CdcLake.Hudi;
using CdcLake.Parquet;
using CdcLake.Storage;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Merge.Tests;

/// <summary>
/// Seeded random DMS workloads — a full load (one to three files, now and then a key in two of them), then CDC files of inserts, updates, key-only deletes and re-inserts of a
/// few keys, with change sequences unrelated to file order — merged in random splits and arrival orders, each ending
/// in the state DuckDB's <see cref="ExpectedState"/> SQL computes over the same files.
/// </summary>
public sealed class RandomWorkloadTests : IDisposable
{
    private readonly TempDirectory _dir = new("merge-random");

    public void Dispose() => _dir.Dispose();

    /// <param name="seed">The workload and the arrival order.</param>
    /// <param name="partitioned">Partitioned by region (hive-style, global index): updates move keys between partitions.</param>
    /// <param name="shuffled">Change sequences unrelated to file order, files arriving in random order (late files), or both in order.</param>
    /// <param name="beforeImage">Some updates change the primary key, with BI_id before images (the old key is deleted).</param>
    /// <param name="tinyBudget">A memory budget below any file: one commit per CDC file.</param>
    /// <param name="evolve">Later CDC files widen score (float to double) and add a column (tier).</param>
    [Theory]
    [InlineData(1, false, true, false, false)]
    [InlineData(2, false, true, false, false)]
    [InlineData(3, false, true, false, false)]
    [InlineData(4, false, true, false, false)]
    [InlineData(1, true, false, false, false)]
    [InlineData(2, true, false, false, false)]
    [InlineData(5, true, true, false, false)]
    [InlineData(6, true, true, false, false)]
    [InlineData(7, false, true, true, false)]
    [InlineData(8, false, true, true, true)]
    [InlineData(9, true, true, true, true)]
    [InlineData(10, false, true, false, false, true)]
    [InlineData(11, true, true, true, false, true)]
    public async Task A_random_workload_ends_in_DuckDBs_state(int seed, bool partitioned, bool shuffled, bool beforeImage, bool tinyBudget, bool evolve = false)
    {
        var random = new Random(seed);
        var spec = Spec($"w{seed}_{partitioned}_{shuffled}_{beforeImage}_{tinyBudget}_{evolve}", partitioned) with
        {
            BeforeImageKeyColumns = beforeImage ? ["BI_id"] : null,
        };
        var files = Workload(random, shuffled, partitioned, beforeImage, evolve, out var loadCount);

        // The LOAD files first (a later one may land in a later run: a load still running), then the CDC files in random
        // order (every late file inside the window) or in time order, in random batches.
        List<(string, Action<string>)> arrival = shuffled ? [.. files.Take(loadCount), .. files.Skip(loadCount).OrderBy(_ => random.Next())] : files;
        var options = new MergeOptions { Parallelism = 2, MemoryBudgetBytes = tinyBudget ? 1 : MergeOptions.Default.MemoryBudgetBytes };
        var summaries = await MergeInPiecesAsync(spec, arrival, random, options);
        summaries.Sum(s => s.Deletes).Should().BeGreaterThan(0);
        if (shuffled)
        {
            summaries.Sum(s => s.StaleIgnored).Should().BeGreaterThan(0, "late, older changes were ignored: the workload exercises the stored-row comparison");
        }

        await ShouldMatchDuckDbAsync(spec, ["id", "region", "name", "qty", "AR_H_CHANGE_SEQ", "DMS_TIMESTAMP", .. evolve ? new[] { "score", "tier" } : []]);
        if (evolve)
        {
            var state = await TableState.ReadAsync(spec.Target);
            state.Schema!["score"].TypeName.Should().Be("double");
            state.BaseFileSchemas().Distinct().Should().HaveCount(1, "every base file is rewritten to the widened schema");
        }
    }

    /// <summary>
    /// A random workload, then DMS reloads the table: its LOAD files are rewritten (fewer of them, say — the others are
    /// stale leftovers) and new CDC follows, with change sequences that start over. The table must end as DuckDB computes
    /// over the reload's files alone: nothing of before the reload survives, tombstones included.
    /// </summary>
    [Theory]
    [InlineData(21, false)]
    [InlineData(22, true)]
    [InlineData(23, false)]
    public async Task A_random_workload_reloaded_ends_as_the_reload_alone(int seed, bool partitioned)
    {
        var random = new Random(seed);
        var spec = Spec($"reload{seed}_{partitioned}", partitioned);
        var before = Workload(random, shuffledSequences: true, partitioned, beforeImage: false, evolve: false, out var beforeLoads);
        List<(string, Action<string>)> arrival = [.. before.Take(beforeLoads), .. before.Skip(beforeLoads).OrderBy(_ => random.Next())];
        await MergeInPiecesAsync(spec, arrival, random, new MergeOptions { Parallelism = 2 });

        var reload = Workload(random, shuffledSequences: true, partitioned, beforeImage: false, evolve: false, out var reloadLoads, day: "2024-03-02");
        arrival = [.. reload.Take(reloadLoads), .. reload.Skip(reloadLoads).OrderBy(_ => random.Next())];
        var reloadedAt = new DateTime(2024, 3, 2, 0, 0, 0, DateTimeKind.Utc);
        var summaries = await MergeInPiecesAsync(spec, arrival, random, new MergeOptions { Parallelism = 2 }, reloadedAt, firstPiece: reloadLoads);
        summaries[0].FullReload.Should().BeTrue(summaries[0].Warnings.FirstOrDefault());
        summaries.Skip(1).Should().OnlyContain(s => !s.FullReload);

        // The oracle: the reload's files alone, as DMS would have written them to an empty folder.
        var oracle = Path.Combine(_dir.Path, "oracle", spec.Name);
        foreach (var (path, write) in reload)
        {
            Directory.CreateDirectory(oracle);
            write(Path.Combine(oracle, path));
        }

        await ShouldMatchDuckDbAsync(spec, ["id", "region", "name", "qty", "AR_H_CHANGE_SEQ", "DMS_TIMESTAMP"], oracle);
    }

    private TableSpec Spec(string name, bool partitioned) => new()
    {
        Name = name,
        Source = Path.Combine(_dir.Path, "dms", name),
        Target = Path.Combine(_dir.Path, "lake", name),
        RecordKey = ["id"],
        Ordering = ["AR_H_CHANGE_SEQ", "DMS_TIMESTAMP"],
        PartitionBy = partitioned ? ["region"] : [],
        HiveStylePartitioning = partitioned,
        LateFileWindow = TimeSpan.FromDays(1),
    };

    /// <summary>The workload's files (relative path, writer), LOAD first, then CDC files in time order.</summary>
    private static List<(string Path, Action<string> Write)> Workload(Random random, bool shuffledSequences, bool regions, bool beforeImage, bool evolve, out int loadCount, string day = "2024-03-01")
    {
        const int Keys = 25;
        const int CdcFiles = 8;
        string[] regionNames = ["eu", "us", "ap"];
        PrimitiveField[] loadFields = [F("DMS_TIMESTAMP", "string!"), F("AR_H_CHANGE_SEQ", "string"), F("id", "int32"), F("region", "string"), F("name", "string"), F("qty", "int64"), .. evolve ? new[] { F("score", "float") } : []];

        // With evolve, the later half of the CDC files has score widened to double and a new column, tier.
        PrimitiveField[] CdcFields(bool late) =>
        [
            F("Op", "string"), .. beforeImage ? new[] { F("BI_id", "int32") } : [], .. loadFields.Where(f => f.Name != "score"),
            .. evolve ? (late ? new[] { F("score", "double"), F("tier", "string") } : [F("score", "float")]) : [],
        ];
        var files = new List<(string, Action<string>)>();

        // The full load: one to three LOAD files; now and then a key DMS transferred twice, its later copy in a later file.
        var loadFiles = random.Next(1, 4);
        var load = Enumerable.Range(0, loadFiles).Select(_ => new List<object?[]>()).ToList();
        for (var id = 1; id <= Keys; id += random.Next(1, 3))
        {
            var at = random.Next(loadFiles);
            load[at].Add(Evolve([$"{day} 09:00:00.000000", "", id, regions ? regionNames[random.Next(3)] : "eu", $"load-{id}", (long)id]));
            if (at + 1 < loadFiles && random.Next(6) == 0)
            {
                load[at + 1 + random.Next(loadFiles - at - 1)].Add(Evolve([$"{day} 09:01:00.000000", "", id, regions ? regionNames[random.Next(3)] : "eu", $"load-again-{id}", (long)-id]));
            }
        }

        for (var l = 0; l < loadFiles; l++)
        {
            var rows = load[l];
            if (rows.Count > 0)
            {
                files.Add(($"LOAD{l + 1:X8}.parquet", new Action<string>(path => ScenarioParquet.Write(path, loadFields, Rows(rows)))));
            }
        }

        loadCount = files.Count;

        // A score exact in float and double, so widening keeps the value.
        object?[] Evolve(object?[] row, bool late = false, bool delete = false) =>
            !evolve ? row : late ? [.. row, delete ? null : random.Next(100) / 4.0, delete ? null : $"tier-{random.Next(3)}"] : [.. row, delete ? null : random.Next(100) / 4.0];
        var rowsPerFile = Enumerable.Range(0, CdcFiles).Select(_ => random.Next(3, 12)).ToList();
        var total = rowsPerFile.Sum();
        var sequences = Enumerable.Range(1, total).ToList();
        if (shuffledSequences)
        {
            sequences = [.. sequences.OrderBy(_ => random.Next())];
        }

        var next = 0;
        for (var f = 0; f < CdcFiles; f++)
        {
            var minute = 10 + (f * 3);
            var rows = new List<object?[]>();
            for (var r = 0; r < rowsPerFile[f]; r++)
            {
                var seq = sequences[next++];
                var id = random.Next(1, Keys + 3);
                var op = random.Next(10) switch { < 2 => "D", < 4 => "I", < 5 => random.Next(2) == 0 ? "" : null, _ => "U" };

                // One transaction per file: one commit timestamp for all its rows, as DMS writes them.
                var ts = $"{day} 10:{minute:D2}:00.000000";
                var sequence = "2024030110000000" + seq.ToString("D19", CultureInfo.InvariantCulture);
                var late = f >= CdcFiles / 2;
                object?[] row = op == "D"
                    ? Evolve([op, ts, sequence, id, null, null, null], late, delete: true)
                    : Evolve([op, ts, sequence, id, regions ? regionNames[random.Next(3)] : "eu", $"f{f}r{r}", (long)random.Next(1000)], late);
                if (beforeImage)
                {
                    // DMS fills the before image of updates (and of deletes); a third of the updates change the key.
                    int? before = op is "U" or "D" ? (op == "U" && random.Next(3) == 0 ? random.Next(1, Keys + 3) : id) : null;
                    row = [row[0], before, .. row[1..]];
                }

                rows.Add(row);
            }

            var name = $"{day.Replace("-", "", StringComparison.Ordinal)}-10{minute:D2}00000.parquet";
            var codec = f % 2 == 0 ? "gzip" : "none";
            var fields = CdcFields(f >= CdcFiles / 2);
            files.Add((name, new Action<string>(path => ScenarioParquet.Write(path, fields, Rows(rows), codec))));
        }

        return files;
    }

    private static async Task<List<TableSummary>> MergeInPiecesAsync(
        TableSpec spec, List<(string Path, Action<string> Write)> arrival, Random random, MergeOptions options, DateTime? loadModified = null, int firstPiece = 0)
    {
        var summaries = new List<TableSummary>();
        var i = 0;
        while (i < arrival.Count)
        {
            var take = i == 0 && firstPiece > 0 ? firstPiece : random.Next(1, 4);
            foreach (var (path, write) in arrival.Skip(i).Take(take))
            {
                var full = Path.Combine(spec.Source, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                write(full);
                File.SetLastWriteTimeUtc(full, path.StartsWith("LOAD", StringComparison.Ordinal) && loadModified is { } at ? at : ScenarioFile.DefaultModified(path));
            }

            i += take;
            var summary = await MergeJob.MergeTableAsync(spec, options);
            summary.Status.Should().Be(MergeStatus.Merged, summary.Error);
            summaries.Add(summary);
        }

        return summaries;
    }

    private static async Task ShouldMatchDuckDbAsync(TableSpec spec, string[] columns, string? folder = null)
    {
        var expected = ExpectedState.Query(DuckDb.Shared, new ExpectedStateSpec
        {
            Folder = folder ?? spec.Source,
            RecordKey = spec.RecordKey,
            Ordering = spec.Ordering!,
            BeforeImageKey = spec.BeforeImageKeyColumns,
            Columns = columns,
        });
        var oracle = expected.Rows.Select(row => TableState.Render(expected.Columns.Select((c, i) => (c.Name, Canonical.Render(row[i]))))).Order(StringComparer.Ordinal).ToList();
        oracle.Should().HaveCountGreaterThan(5);

        var state = await TableState.ReadAsync(spec.Target);
        state.DataRows.Should().Equal(oracle);
        using var store = ObjectStores.For(spec.Target);
        (await HudiTableValidator.ValidateAsync(store)).Problems.Should().BeEmpty();
        state.DuckDbRows().Should().Equal(state.Rows);
    }

    private static PrimitiveField F(string name, string type) => ScenarioParquet.Field(name, type);

    private static List<JsonElement[]> Rows(List<object?[]> rows) =>
        [.. rows.Select(r => JsonSerializer.SerializeToElement(r).EnumerateArray().ToArray())];
}
