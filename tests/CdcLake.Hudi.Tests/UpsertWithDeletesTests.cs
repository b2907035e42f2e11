using CdcLake.Parquet;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>
/// Deletes inside an upsert (<see cref="HudiWriteOptions.DeleteMarkerField"/>): one commit holds the updates, inserts
/// and deletes. Each result is checked against an expected table kept here (a dictionary), read back through
/// <see cref="HudiTable"/>, read by DuckDB from the latest base files, and validated.
/// </summary>
public sealed class UpsertWithDeletesTests(S3WriteFixture s3) : IClassFixture<S3WriteFixture>
{
    private const string Marker = "_hoodie_is_deleted";

    public static TheoryData<string> Stores() => ["local", "s3"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Updates_inserts_and_deletes_share_one_commit_and_untouched_groups_stay(string kind)
    {
        using var place = TestStore.Create(kind, s3);
        var options = TestTables.WriteOptions(o =>
        {
            o.TargetFileSizeBytes = 20 * 1024;
            o.SmallFileLimitBytes = 0;
        }) with { DeleteMarkerField = Marker };
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"), options);
        var expected = Recs.Range(0, 120, ts: 1, "a", "b").ToDictionary(r => (r.Id, r.Part));
        // An upsert cuts new groups by the record size estimate (20 rows of 1 KB), in input order; a streamed bulk
        // insert would cut them at their actual size (one group per partition).
        var first = await client.UpsertAsync([Recs.Batch(expected.Values)]);
        first.FileGroupsCreated.Should().Be(6);
        var slicesBefore = await (await HudiTable.OpenAsync(place.Store)).GetFileSlicesAsync();

        // Delete rows carry the key, the partition and the ordering field only; the rest is null.
        var changes = new (Rec Row, bool? Deleted)[]
        {
            (expected[(2, "a")] with { Name = "changed", Ts = 2 }, null),
            (new Rec(4, null, 2, "a"), true),
            (new Rec(5, null, 2, "b"), true),
            (new Rec(999, null, 2, "a"), true),
            (new Rec(500, "new", 2, "b", 5m), false),
            (new Rec(501, "new", 2, "a"), null),
        };
        var result = await client.UpsertAsync([WithMarker(changes)], new Dictionary<string, string> { ["checkpoint"] = "c1" });

        expected[(2, "a")] = changes[0].Row;
        expected.Remove((4, "a"));
        expected.Remove((5, "b"));
        expected[(500, "b")] = changes[4].Row;
        expected[(501, "a")] = changes[5].Row;
        result.Action.Should().Be(HoodieActions.Commit);
        result.Metadata.ExtraMetadata["checkpoint"].Should().Be("c1");
        (result.Inserts, result.Updates, result.Deletes, result.DeletesNotFound, result.StaleIgnored).Should().Be((2, 1, 2, 1, 0));
        result.Metadata.AllWriteStats.Sum(s => s.NumDeletes).Should().Be(2);
        result.Metadata.AllWriteStats.Sum(s => s.NumUpdateWrites).Should().Be(1);
        result.Metadata.AllWriteStats.Sum(s => s.NumInserts).Should().Be(2);
        result.Metadata.Schema.Should().NotContain(Marker);
        AvroSchema.Parse(result.Metadata.Schema!).Fields.Select(f => f.Name).Should().Equal("id", "name", "ts", "part", "amount", "at");

        // Partition a's key 2 and 4 live in one group, b's key 5 in another: two rewritten, the other four untouched.
        var rewritten = result.Metadata.AllWriteStats.Where(s => s.PrevCommit != "null").ToList();
        rewritten.Should().HaveCount(2);
        result.FileGroupsRewritten.Should().Be(2);
        result.FileGroupsCreated.Should().Be(2, "the small-file limit is off: one new group per partition for the inserts");
        var table = await HudiTable.OpenAsync(place.Store);
        var slicesAfter = await table.GetFileSlicesAsync();
        var touched = rewritten.Select(s => s.FileId).ToHashSet();
        slicesAfter.Where(s => slicesBefore.Any(b => b.FileId == s.FileId) && !touched.Contains(s.FileId)).Select(s => s.BaseFile.Path)
            .Should().BeEquivalentTo(slicesBefore.Where(s => !touched.Contains(s.FileId)).Select(s => s.BaseFile.Path));

        (await Recs.ReadAsync(table)).Should().Equal(Recs.Sorted(expected.Values));
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
        if (place.LocalPath is { } root)
        {
            var files = Expected.BaseFiles(root);
            string[] columns = ["id", "name", "ts", "part"];
            var duck = Expected.DuckDbRows(root, files, columns);
            duck.Should().HaveCount(expected.Count);
            duck.Should().Equal(await Expected.OurRows(table, new HudiQuery { Columns = columns }));
            foreach (var file in files)
            {
                DuckDb.Shared.Query($"select name from parquet_schema({DuckDb.Literal(Path.Combine(root, file))})").Rows
                    .Select(r => r[0].GetString()).Should().NotContain(Marker, "the marker is never written");
            }
        }
    }

    [Fact]
    public async Task Deletes_obey_the_ordering_and_combine_with_other_versions_of_their_key()
    {
        using var place = TestStore.Create("local");
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"), TestTables.WriteOptions() with { DeleteMarkerField = Marker });
        await client.UpsertAsync([Recs.Batch([new Rec(1, "v5", 5, "a"), new Rec(2, "v5", 5, "a"), new Rec(3, "v5", 5, "a"), new Rec(4, "v5", 5, "a")])]);

        var result = await client.UpsertAsync(
        [
            WithMarker(
            [
                (new Rec(1, null, 4, "a"), true),      // older than the stored ts 5: the stored row stays
                (new Rec(2, null, 6, "a"), true),      // newer: deleted
                (new Rec(3, "v7", 7, "a"), false),     // then a newer delete of key 3 wins
                (new Rec(4, null, 8, "a"), true),      // then a newer update of key 4 wins
                (new Rec(5, "x", 3, "a"), false),      // new key whose newest version is a delete: nothing written
                (new Rec(6, "y", 5, "a"), false),      // a tie: the later row (a delete) wins
            ]),
            WithMarker(
            [
                (new Rec(3, null, 8, "a"), true),
                (new Rec(4, "v9", 9, "a"), null),
                (new Rec(5, null, 9, "a"), true),
                (new Rec(6, null, 5, "a"), true),
            ]),
        ]);

        result.CombinedAway.Should().Be(4);
        result.Deletes.Should().Be(2, "keys 2 and 3");
        result.Updates.Should().Be(1, "key 4");
        result.Inserts.Should().Be(0);
        result.StaleIgnored.Should().Be(1, "key 1's delete is older than the stored row");
        result.DeletesNotFound.Should().Be(2, "keys 5 and 6 are not in the table");
        var table = await HudiTable.OpenAsync(place.Store);
        (await Recs.ReadAsync(table)).Select(r => (r.Id, r.Name, r.Ts)).Should().Equal((1, "v5", 5), (4, "v9", 9));

        // A delete that ranks the same as the stored row applies, as an update of the same rank would.
        var tie = await client.UpsertAsync([WithMarker([(new Rec(1, null, 5, "a"), true)])]);
        tie.Deletes.Should().Be(1);
        table = await HudiTable.OpenAsync(place.Store);
        (await Recs.ReadAsync(table)).Select(r => r.Id).Should().Equal(4);
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
        Expected.DuckDbRows(place.LocalPath!, Expected.BaseFiles(place.LocalPath!), ["id", "name", "ts"])
            .Should().Equal(Expected.Normalize("""{"id":4,"name":"v9","ts":9}"""));
    }

    [Fact]
    public async Task An_upsert_of_deletes_only_can_empty_a_file_group_and_leaves_the_others()
    {
        using var place = TestStore.Create("local");
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"), TestTables.WriteOptions() with { DeleteMarkerField = Marker });
        await client.UpsertAsync([Recs.Batch(Recs.Range(0, 4, 1, "a", "b"))]);
        var before = await (await HudiTable.OpenAsync(place.Store)).GetFileSlicesAsync();

        var result = await client.UpsertAsync([WithMarker([(new Rec(0, null, 2, "a"), true), (new Rec(2, null, 2, "a"), true)])]);

        var stat = result.Metadata.AllWriteStats.Should().ContainSingle().Subject;
        (stat.PartitionPath, stat.NumWrites, stat.NumDeletes, stat.NumUpdateWrites, stat.NumInserts).Should().Be(("a", 0, 2, 0, 0));
        (result.Deletes, result.Updates, result.Inserts, result.FileGroupsRewritten).Should().Be((2, 0, 0, 1));
        var table = await HudiTable.OpenAsync(place.Store);
        (await table.GetFileSlicesAsync()).Single(s => s.PartitionPath == "b").BaseFile.Path.Should().Be(before.Single(s => s.PartitionPath == "b").BaseFile.Path);
        (await Recs.ReadAsync(table)).Select(r => r.Id).Should().Equal(1, 3);
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
        Expected.DuckDbRows(place.LocalPath!, Expected.BaseFiles(place.LocalPath!), ["id"]).Should().Equal("{\"id\":1}", "{\"id\":3}");
    }

    [Fact]
    public async Task With_the_global_index_a_delete_row_needs_no_partition()
    {
        using var place = TestStore.Create("local");
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"), TestTables.WriteOptions(o => o.IndexType = HudiIndexType.GlobalBloom) with { DeleteMarkerField = Marker });
        await client.UpsertAsync([Recs.Batch(Recs.Range(0, 9, 1, "a", "b", "c"))]);

        // Key 1 (in b) with no partition, key 4 (in b) named in the wrong partition: both found by key alone.
        var result = await client.UpsertAsync([WithMarker([(new Rec(1, null, 2, null), true), (new Rec(4, null, 2, "c"), true), (new Rec(3, "changed", 2, "a"), false)])]);

        (result.Deletes, result.Updates, result.DeletesNotFound).Should().Be((2, 1, 0));
        var rows = await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store));
        rows.Select(r => r.Id).Should().Equal(0, 2, 3, 5, 6, 7, 8);
        rows.Single(r => r.Id == 3).Name.Should().Be("changed");
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
    }

    [Fact]
    public async Task With_the_global_index_a_move_older_than_the_stored_row_is_ignored()
    {
        using var place = TestStore.Create("local");
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"), TestTables.WriteOptions(o => o.IndexType = HudiIndexType.GlobalBloom));
        await client.UpsertAsync([Recs.Batch([new Rec(1, "v5", 5, "a"), new Rec(2, "v5", 5, "a")])]);

        // Key 1 moves to b with an older ts: the stored row stays in a and nothing lands in b. Key 2 moves with a newer one.
        var result = await client.UpsertAsync([Recs.Batch([new Rec(1, "old", 4, "b"), new Rec(2, "new", 6, "b")])]);

        (result.StaleIgnored, result.Deletes, result.Inserts).Should().Be((1, 1, 1));
        (await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store))).Select(r => (r.Id, r.Name, r.Part)).Should().Equal((1, "v5", "a"), (2, "new", "b"));
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();

        // Only a stale move: the new file group it would have opened is not written at all.
        var stale = await client.UpsertAsync([Recs.Batch([new Rec(1, "older", 3, "c")])]);
        (stale.StaleIgnored, stale.FileGroupsCreated, stale.FilesWritten).Should().Be((1, 0, 0));
        Directory.EnumerateFiles(place.LocalPath!, "*.parquet", SearchOption.AllDirectories).Should().NotContain(f => f.Contains($"{Path.DirectorySeparatorChar}c{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        (await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store))).Select(r => (r.Id, r.Name, r.Part)).Should().Equal((1, "v5", "a"), (2, "new", "b"));
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
    }

    [Fact]
    public async Task A_marker_column_that_is_not_boolean_is_refused_before_anything_is_written()
    {
        using var place = TestStore.Create("local");
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"), TestTables.WriteOptions() with { DeleteMarkerField = Marker });
        await client.UpsertAsync([Recs.Batch(Recs.Range(0, 4, 1, "a"))]);
        var timeline = Directory.GetFiles(Path.Combine(place.LocalPath!, ".hoodie"));
        var batch = Recs.Batch([new Rec(1, null, 2, "a")]);
        var flag = new PrimitiveField(Marker, PhysicalType.Int32);
        var bad = new RecordBatch(new ParquetSchema([.. batch.Schema.Fields, flag]), [.. batch.Columns, new PrimitiveVector<int>(flag, [1], 1)], 1);

        var act = () => client.UpsertAsync([bad]);

        (await act.Should().ThrowAsync<HudiException>()).Which.Message.Should().Contain(Marker).And.Contain("BOOLEAN");
        Directory.GetFiles(Path.Combine(place.LocalPath!, ".hoodie")).Should().BeEquivalentTo(timeline);
    }

    [Fact]
    public async Task Without_the_option_the_marker_is_an_ordinary_column_and_bulk_inserts_leave_marked_rows_out()
    {
        using var place = TestStore.Create("local");
        var plain = await TestTables.CreateAsync(place.Store, TestTables.Options("t"), TestTables.WriteOptions());
        var marked = new[] { (new Rec(1, "one", 1, "a"), (bool?)false), (new Rec(2, null, 1, "a"), true), (new Rec(3, "three", 1, "a"), null) };

        // With DeleteMarkerField set, a bulk insert leaves the marked row out and drops the column.
        var withMarker = new HudiWriteClient(place.Store, "", TestTables.WriteOptions() with { DeleteMarkerField = Marker });
        var bulk = await withMarker.BulkInsertAsync([WithMarker(marked)]);
        (bulk.Inserts, bulk.DeletesNotFound).Should().Be((2, 1));
        AvroSchema.Parse(bulk.Metadata.Schema!).Fields.Select(f => f.Name).Should().NotContain(Marker);
        (await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store))).Select(r => r.Id).Should().Equal(1, 3);

        // Without it, the column is data: a new nullable column (schema evolution), and the row marked true is upserted.
        var result = await plain.UpsertAsync([WithMarker([(new Rec(2, "two", 2, "a"), true)])]);
        (result.Inserts, result.Deletes, result.SchemaEvolved).Should().Be((1, 0, true));
        AvroSchema.Parse(result.Metadata.Schema!).Fields.Select(f => f.Name).Should().Contain(Marker);
        (await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store))).Select(r => r.Id).Should().Equal(1, 2, 3);
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
    }

    [Fact]
    public async Task Delete_rows_may_hold_nulls_in_columns_the_input_declares_required()
    {
        using var place = TestStore.Create("local");
        var client = await Ev.CreateAsync(place.Store, o => o with { DeleteMarkerField = Marker });
        await client.BulkInsertAsync([Ev.Batch(Ev.V1, Ev.Range(0, 6))]);
        Ev.V1["name"].IsNullable.Should().BeFalse();

        // Ev.Batch leaves a null name unset in the validity bitmap, required or not: only the delete row has one.
        var input = Ev.Batch(Ev.V1, [new Ev(1, "b", 5, 11, 1.5, 2.25m, "updated"), new Ev(2, "c", 5, 0, 0, 0m, null)]);
        input.Columns[Ev.V1.IndexOf("name")].IsNull(1).Should().BeTrue();
        var flags = new PrimitiveField(Marker, PhysicalType.Boolean, repetition: Repetition.Required);
        var marked = new RecordBatch(new ParquetSchema([.. input.Schema.Fields, flags]), [.. input.Columns, new BooleanVector(flags, [false, true], 2)], 2);

        var result = await client.UpsertAsync([marked]);

        (result.Updates, result.Deletes, result.SchemaEvolved).Should().Be((1, 1, false));
        var rows = await Ev.ReadAsync(await HudiTable.OpenAsync(place.Store));
        rows.Select(r => r.Id).Should().Equal(0, 1, 3, 4, 5);
        rows.Single(r => r.Id == 1).Name.Should().Be("updated");
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
        Expected.DuckDbRows(place.LocalPath!, Expected.BaseFiles(place.LocalPath!), ["id", "name"], "id < 3")
            .Should().Equal("{\"id\":0,\"name\":\"name-0\"}", "{\"id\":1,\"name\":\"updated\"}");
    }

    /// <summary><paramref name="batch"/> with a BOOLEAN marker column appended, <paramref name="deleted"/> in every row.</summary>
    internal static RecordBatch Marked(RecordBatch batch, bool deleted)
    {
        var field = new PrimitiveField(Marker, PhysicalType.Boolean);
        var values = new bool[batch.RowCount];
        Array.Fill(values, deleted);
        return new RecordBatch(new ParquetSchema([.. batch.Schema.Fields, field]), [.. batch.Columns, new BooleanVector(field, values, batch.RowCount)], batch.RowCount);
    }

    /// <summary><see cref="Recs.Batch"/> with a nullable BOOLEAN marker column appended.</summary>
    internal static RecordBatch WithMarker(IReadOnlyList<(Rec Row, bool? Deleted)> rows)
    {
        var batch = Recs.Batch(rows.Select(r => r.Row));
        var field = new PrimitiveField(Marker, PhysicalType.Boolean);
        var validity = new byte[Bitmap.BytesFor(rows.Count)];
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Deleted is not null)
            {
                Bitmap.Set(validity, i);
            }
        }

        var column = new BooleanVector(field, [.. rows.Select(r => r.Deleted == true)], rows.Count, validity);
        return new RecordBatch(new ParquetSchema([.. batch.Schema.Fields, field]), [.. batch.Columns, column], rows.Count);
    }
}
