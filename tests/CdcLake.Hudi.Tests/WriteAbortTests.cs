using System.Security.Cryptography;
using CdcLake.Parquet;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>A write that fails in-process before its commit leaves the table byte for byte as it was.</summary>
public class WriteAbortTests
{
    [Theory]
    [InlineData("bulk")]
    [InlineData("upsert")]
    [InlineData("overwrite")]
    public async Task A_write_whose_input_throws_midway_leaves_every_file_as_it_was(string operation)
    {
        using var place = TestStore.Create("local");
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"));
        await client.UpsertAsync([Recs.Batch(Recs.Range(0, 50, 1, "a", "b"))]);
        var before = Snapshot(place.LocalPath!);

        var write = operation switch
        {
            "bulk" => () => client.BulkInsertAsync(Failing()),
            "upsert" => () => client.UpsertAsync(Failing()),
            _ => (Func<Task<WriteResult>>)(() => client.InsertOverwriteAsync(Failing(), wholeTable: true)),
        };
        await write.Should().ThrowAsync<InvalidDataException>().WithMessage("bad row 7 of the second batch");

        Snapshot(place.LocalPath!).Should().Equal(before);
        var next = await client.UpsertAsync([Recs.Batch([new Rec(3, "n", 2, "a")])]);
        next.Rollbacks.Should().BeEmpty("nothing was left pending");
    }

    [Fact]
    public async Task An_input_record_key_column_names_the_key_a_row_deletes()
    {
        using var place = TestStore.Create("local");
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t", partitioned: false), TestTables.WriteOptions() with { DeleteMarkerField = "_hoodie_is_deleted" });
        await client.UpsertAsync([Recs.Batch(Recs.Range(0, 5, 1, "a"))]);

        // The row carries id 9 (an update that changed its key to 9); its key column says it deletes key 2.
        var row = Recs.Batch([new Rec(9, "moved", 5, "a")]);
        var keyField = new PrimitiveField(HoodieMetaFields.RecordKey, PhysicalType.ByteArray, LogicalType.String);
        var flagField = new PrimitiveField("_hoodie_is_deleted", PhysicalType.Boolean);
        var input = new RecordBatch(
            new ParquetSchema([.. row.Schema.Fields, keyField, flagField]),
            [.. row.Columns, Recs.Strings(keyField, ["2"]), new BooleanVector(flagField, [true], 1)],
            1);
        var result = await client.UpsertAsync([input, Recs.Batch([new Rec(9, "moved", 5, "a")])]);

        result.Deletes.Should().Be(1);
        (await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store))).Select(r => r.Id).Should().Equal(0, 1, 3, 4, 9);
    }

    private static IEnumerable<RecordBatch> Failing()
    {
        yield return Recs.Batch(Recs.Range(40, 80, 2, "a", "c"));
        throw new InvalidDataException("bad row 7 of the second batch");
    }

    private static List<string> Snapshot(string root) =>
        [.. Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Where(p => !p.EndsWith("lock", StringComparison.Ordinal) && !p.EndsWith("lock.guard", StringComparison.Ordinal))
            .Select(p => Path.GetRelativePath(root, p) + (File.Exists(p) ? " " + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))) : "/"))
            .Order(StringComparer.Ordinal)];
}
