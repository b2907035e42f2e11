using CdcLake.Parquet;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>
/// Our writer continues tables Spark wrote (legacy two-level lists, maps, structs, decimals): rows read from a fixture
/// go back in as an upsert, every file group is rewritten, and the table reads the same and validates.
/// </summary>
public sealed class SparkTableInteropTests
{
    [Theory]
    [InlineData("v6_nonpartitioned")]
    [InlineData("v6_simplekeygen_nonhivestyle")]
    public async Task Upserting_into_a_Spark_written_table_keeps_it_valid(string fixture)
    {
        using var copy = TableCopy.Of(fixture);
        var table = await copy.OpenAsync();
        var dataColumns = new HudiQuery { Columns = [.. (await table.GetSchemaAsync()).Fields.Select(f => f.Name).Where(n => !HoodieMetaFields.IsMetaField(n))] };
        var before = await Expected.OurRows(table, dataColumns);
        var rows = new List<RecordBatch>();
        await foreach (var batch in table.ReadAsync(HudiQuery.Snapshot))
        {
            rows.Add(batch);
        }

        var client = new HudiWriteClient(copy.Store, "", TestTables.WriteOptions());
        var result = await client.UpsertAsync(rows);

        result.Updates.Should().Be(before.Count);
        result.Inserts.Should().Be(0);
        (await HudiTableValidator.ValidateAsync(copy.Store)).Problems.Should().BeEmpty();
        var updated = await copy.OpenAsync();
        (await Expected.OurRows(updated, dataColumns)).Should().Equal(before, "nested lists, maps and structs come through the rewrite");
        updated.Timeline.CompletedWrites.Last().Time.Should().Be(result.InstantTime);
        var slices = await updated.GetFileSlicesAsync();
        slices.Should().OnlyContain(s => s.BaseInstantTime == result.InstantTime);

        // The rewritten base file's Parquet schema is Spark's, element for element: root name, two-level lists
        // ("array"), key_value maps, types and annotations.
        var ours = copy.PathOf(slices[0].BaseFile.Path);
        var spark = HudiFixtures.BaseFiles(fixture).Select(f => f.FullPath).First(f => Path.GetFileName(f).StartsWith(slices[0].FileId, StringComparison.Ordinal));
        ParquetSchemaRows(ours).Should().Equal(ParquetSchemaRows(spark));
    }

    private static List<string> ParquetSchemaRows(string file) =>
        [.. DuckDb.Shared.Query($"select name, type, repetition_type, converted_type, logical_type, num_children, type_length, scale, precision from parquet_schema({DuckDb.Literal(file)})")
            .Rows.Select(r => string.Join('|', r.Select(v => v.ToString())))];
}
