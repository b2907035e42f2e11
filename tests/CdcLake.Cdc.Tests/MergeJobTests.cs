using CdcLake.Hudi;
using CdcLake.Storage;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Cdc.Tests;

/// <summary>The merge job end to end on the sample bucket, against DuckDB computing the final state from the same files.</summary>
public class MergeJobTests
{
    [Fact]
    public async Task The_sample_merges_into_tables_duckdb_agrees_with_and_a_rerun_changes_nothing()
    {
        using var dir = new TempDirectory("merge-job");
        var sample = DmsSample.Write(dir.Path, new DmsSampleOptions { Rows = 200, Batches = 4, Seed = 3 });
        var tables = PipelineConfig.LoadAndResolve(sample.PipelineFile);

        var run = await MergeJob.RunAsync(tables);

        run.Tables.Should().OnlyContain(t => t.Status == MergeStatus.Merged, string.Join("\n", run.Tables.Select(t => t.Error)));
        foreach (var spec in tables)
        {
            var summary = run.Tables.Single(t => t.Table == spec.Name);
            (await TableRowsAsync(spec)).Should().Equal(await ExpectedRowsAsync(spec), spec.Name);
            using var store = ObjectStores.For(spec.Target);
            (await HudiTableValidator.ValidateAsync(store)).Problems.Should().BeEmpty();
            summary.RowsRead.Should().BeGreaterThan(0);
            summary.Inserts.Should().BeGreaterThan(0);
            summary.Deletes.Should().BeGreaterThan(0);
            summary.Commits.Should().NotBeEmpty();
        }

        var again = await MergeJob.RunAsync(tables);
        again.Tables.Should().OnlyContain(t => t.Status == MergeStatus.UpToDate && t.Commits.Count == 0);
    }

    [Fact]
    public async Task Files_merged_one_run_at_a_time_end_where_one_run_ends()
    {
        using var dir = new TempDirectory("merge-split");
        var sample = DmsSample.Write(dir.Path, new DmsSampleOptions { Rows = 120, Batches = 3, Seed = 9 });
        var spec = PipelineConfig.LoadAndResolve(sample.PipelineFile).Single(t => t.Name == "orders");

        // Hide every data file, then reveal them in DMS's order, one run per file.
        var files = Directory.EnumerateFiles(spec.Source, "*.parquet", SearchOption.AllDirectories).ToList();
        var hidden = files.ToDictionary(f => f, f => f + ".hidden");
        foreach (var (file, hide) in hidden)
        {
            File.Move(file, hide);
        }

        using var store = ObjectStores.For(spec.Source);
        foreach (var file in files.OrderBy(f => f.Contains("LOAD", StringComparison.Ordinal) ? 0 : 1).ThenBy(Path.GetFileName, StringComparer.Ordinal))
        {
            File.Move(hidden[file], file);
            var summary = await MergeJob.MergeTableAsync(spec);
            summary.Status.Should().Be(MergeStatus.Merged, summary.Error);
            summary.Files.Should().Be(1);
        }

        (await TableRowsAsync(spec)).Should().Equal(await ExpectedRowsAsync(spec));
    }

    internal static async Task<List<string>> TableRowsAsync(TableSpec spec)
    {
        using var store = ObjectStores.For(spec.Target);
        var table = await HudiTable.OpenAsync(store);
        var columns = DataColumns(await table.GetSchemaAsync()).Where(c => c != spec.DatePartition?.Column).ToList();
        var rows = new List<string>();
        await foreach (var batch in table.ReadAsync())
        {
            for (var i = 0; i < batch.RowCount; i++)
            {
                rows.Add("[" + string.Join(",", columns.Select(name => DuckCanonical.Render(batch[name], i))) + "]");
            }
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    internal static async Task<List<string>> ExpectedRowsAsync(TableSpec spec)
    {
        using var store = ObjectStores.For(spec.Target);
        var table = await HudiTable.OpenAsync(store);
        var columns = DataColumns(await table.GetSchemaAsync()).Where(c => c != spec.DatePartition?.Column).ToList();
        var expected = ExpectedState.Query(DuckDb.Shared, new ExpectedStateSpec
        {
            Folder = spec.Source,
            RecordKey = spec.RecordKey,
            Ordering = spec.Ordering ?? ["AR_H_CHANGE_SEQ"],
            BeforeImageKey = spec.BeforeImageKeyColumns,
            Columns = columns,
        });
        return [.. Canonical.Render(expected).Order(StringComparer.Ordinal)];
    }

    private static List<string> DataColumns(Parquet.ParquetSchema schema) =>
        [.. schema.Fields.Select(f => f.Name).Where(n => !HoodieMetaFields.IsMetaField(n) && n != CdcOrder.ColumnName)];
}
