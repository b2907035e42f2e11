using CdcLake.Parquet;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;
using static CdcLake.Cdc.Tests.CdcTestSupport;

namespace CdcLake.Cdc.Tests;

public class ChangeReaderTests : IDisposable
{
    private const string T1 = "2024-03-01 10:00:00.000001";
    private const string T2 = "2024-03-01 10:00:00.000002";
    private readonly TempDirectory _dir = new("cdc-read");

    private string Folder => Path.Combine(_dir.Path, "public", "t");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Load_rows_precede_every_cdc_change_whatever_their_timestamps()
    {
        // The full load transferred row 1 at 10:05, after a change committed at 10:00 (during the load).
        Load(1, [(Text("DMS_TIMESTAMP"), ["2024-03-01 10:05:00.000000"]), (Long("id"), [1L]), (Text("v"), ["loaded"]), (Text("AR_H_CHANGE_SEQ"), [""])]);
        Cdc("20240301-100001000", [.. Header(["U"], [T1], [Seq(1)]), (Long("id"), [1L]), (Text("v"), ["changed"])]);

        var state = await Final(Spec(Folder, ["id"]));

        state.Should().Equal("1:changed");
    }

    [Fact]
    public async Task The_change_sequence_decides_ties_on_the_commit_timestamp_not_the_row()
    {
        Cdc("20240301-100001000", [.. Header(["U", "U", "U"], [T1, T1, T1], [Seq(3), Seq(1), Seq(2)]), (Long("id"), [1L, 1L, 1L]), (Text("v"), ["third", "first", "second"])]);

        (await Final(Spec(Folder, ["id"]))).Should().Equal("1:third");
    }

    [Fact]
    public async Task Without_a_sequence_the_commit_timestamp_then_file_then_row_order()
    {
        Cdc("20240301-100002000", [(Text("Op"), new object?[] { "U", "U" }), (Text("DMS_TIMESTAMP"), [T2, T1]), (Long("id"), [1L, 2L]), (Text("v"), ["a-late", "b-early"])]);
        Cdc("20240301-100001000", [(Text("Op"), new object?[] { "U", "U" }), (Text("DMS_TIMESTAMP"), [T1, T2]), (Long("id"), [1L, 2L]), (Text("v"), ["a-early", "b-late"])]);
        Cdc("20240301-100003000", [(Text("Op"), new object?[] { "U", "U" }), (Text("DMS_TIMESTAMP"), [T2, T2]), (Long("id"), [3L, 3L]), (Text("v"), ["c-row0", "c-row1"])]);

        (await Final(Spec(Folder, ["id"], ["DMS_TIMESTAMP"]))).Should().Equal("1:a-late", "2:b-late", "3:c-row1");
    }

    [Fact]
    public async Task Key_only_deletes_delete_and_a_later_insert_brings_the_key_back()
    {
        Load(1, [(Text("DMS_TIMESTAMP"), [T1, T1, T1]), (Long("id"), [1L, 2L, 3L]), (Text("v"), ["a", "b", "c"])]);
        Cdc("20240301-100001000", [.. Header(["D", "I", "D", "I", "D"], [T2, T2, T2, T2, T2], [Seq(1), Seq(2), Seq(3), Seq(4), Seq(5)]), (Long("id"), [1L, 4L, 2L, 2L, 4L]), (Text("v"), [null, "d", null, "b2", null])]);

        var spec = Spec(Folder, ["id"]);
        (await Final(spec)).Should().Equal("2:b2", "3:c");

        var (_, changes, _) = await ReadTableAsync(spec);
        changes.TryGet("1", out var deleted).Should().BeTrue();
        deleted.IsDelete.Should().BeTrue();
        deleted.PartitionPath.Should().BeNull("a delete's partition is looked up, never taken from its (null) values");
        changes.TryGet("4", out var insertThenDelete).Should().BeTrue();
        insertThenDelete.IsDelete.Should().BeTrue();
        changes.Stats.Should().BeEquivalentTo(new { Rows = 8L, Inserts = 5L, Deletes = 3L, Updates = 0L, Superseded = 4L });
    }

    [Fact]
    public async Task Primary_key_updates_delete_the_old_key_when_before_images_are_configured()
    {
        Load(1, [(Text("DMS_TIMESTAMP"), [T1, T1]), (Long("order_id"), [1L, 1L]), (Int("line_no"), [1, 2]), (Text("v"), ["x", "y"])]);
        Cdc("20240301-100001000",
        [
            .. Header(["U", "U", "I"], [T2, T2, T2], [Seq(1), Seq(2), Seq(3)]),
            (Long("order_id"), [1L, 1L, 2L]), (Int("line_no"), [10, 2, 1]), (Text("v"), ["x moved", "y changed", "new"]),
            (Long("BI_order_id"), [1L, 1L, null]), (Int("BI_line_no"), [1, 2, null]),
        ]);

        var withBeforeImage = Spec(Folder, ["order_id", "line_no"]) with { BeforeImageKeyColumns = ["BI_order_id", "BI_line_no"] };
        (await Final(withBeforeImage)).Should().Equal("order_id:1,line_no:10:x moved", "order_id:1,line_no:2:y changed", "order_id:2,line_no:1:new");

        var (schema, changes, _) = await ReadTableAsync(withBeforeImage);
        changes.Stats.BeforeImageDeletes.Should().Be(1);
        changes.TryGet("order_id:1,line_no:1", out var old).Should().BeTrue();
        old.FromBeforeImage.Should().BeTrue();
        schema.Schema.IndexOf("BI_order_id").Should().Be(-1, "before-image columns are not stored");

        (await Final(Spec(Folder, ["order_id", "line_no"]))).Should().Contain("order_id:1,line_no:1:x", "without before images the old key stays: the ghost row the summary warns about");
    }

    [Fact]
    public async Task Files_without_an_op_column_are_inserts_and_empty_ops_upserts()
    {
        Load(1, [(Text("Op"), new object?[] { "I", "I" }), (Text("DMS_TIMESTAMP"), [T1, T1]), (Long("id"), [1L, 2L]), (Text("v"), ["a", "b"])]);
        Cdc("20240301-100001000", [(Text("DMS_TIMESTAMP"), [T2]), (Text("AR_H_CHANGE_SEQ"), [Seq(1)]), (Long("id"), [3L]), (Text("v"), ["c"])]);
        Cdc("20240301-100002000", [.. Header(["", "d"], [T2, T2], [Seq(2), Seq(3)]), (Long("id"), [1L, 2L]), (Text("v"), ["a2", null])]);
        Cdc("20240301-100003000", [(Text("Op"), new object?[] { null }), (Text("DMS_TIMESTAMP"), [T2]), (Text("AR_H_CHANGE_SEQ"), [Seq(4)]), (Long("id"), [4L]), (Text("v"), ["e"])]);

        var spec = Spec(Folder, ["id"]);
        (await Final(spec)).Should().Equal("1:a2", "3:c", "4:e");
        var (_, changes, _) = await ReadTableAsync(spec);
        changes.Stats.Upserts.Should().Be(2);
        changes.Stats.Inserts.Should().Be(3);
    }

    [Fact]
    public async Task A_column_added_mid_stream_is_null_in_older_files()
    {
        Load(1, [(Text("DMS_TIMESTAMP"), [T1, T1]), (Long("id"), [1L, 2L]), (Text("v"), ["a", "b"])]);
        Cdc("20240301-100001000", [.. Header(["U"], [T2], [Seq(1)]), (Long("id"), [1L]), (Text("v"), ["a2"]), (Text("tier"), ["gold"])]);

        var (schema, changes, _) = await ReadTableAsync(Spec(Folder, ["id"]));

        schema.Schema.Fields.Select(f => f.Name).Should().Equal("DMS_TIMESTAMP", "id", "v", "AR_H_CHANGE_SEQ", "tier", "_cdc_order");
        FinalRows(changes, ["id", "v", "tier"]).Should().Equal("[1,\"a2\",\"gold\"]", "[2,\"b\",null]");
        schema.Schema["_cdc_order"].IsNullable.Should().BeFalse();
        schema.Schema.Fields.Take(schema.DataFieldCount).Should().OnlyContain(f => f.IsNullable, "a column may be missing from a file");
    }

    [Fact]
    public async Task Dms_types_map_to_table_types_without_losing_precision()
    {
        var instant = new DateTime(2023, 4, 1, 17, 1, 2, 345, DateTimeKind.Utc);
        Load(1,
        [
            (Text("DMS_TIMESTAMP"), [T1]), (Long("id"), [1L]),
            (new PrimitiveField("legacy_ms", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Millis, true)), [instant]),
            (new PrimitiveField("local_us", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, false)), [instant.AddTicks(10)]),
            (new PrimitiveField("int96", PhysicalType.Int96), [instant.AddTicks(70)]),
            (new PrimitiveField("d32", PhysicalType.Int32, LogicalType.Decimal(9, 2)), [12345.67m]),
            (new PrimitiveField("d64", PhysicalType.Int64, LogicalType.Decimal(18, 4)), [-12345.6789m]),
            (new PrimitiveField("dbin", PhysicalType.ByteArray, LogicalType.Decimal(28, 6)), [1.5m]),
            (new PrimitiveField("money", PhysicalType.FixedLenByteArray, LogicalType.Decimal(38, 4), typeLength: 16), [47632969758.54m]),
            (new PrimitiveField("small", PhysicalType.Int32, LogicalType.Integer(16, true)), [(short)-7]),
            (Int("widens"), [5]),
            (new PrimitiveField("real", PhysicalType.Float), [0.5f]),
            (new PrimitiveField("grows", PhysicalType.Int32, LogicalType.Decimal(5, 2)), [1.25m]),
        ]);
        Cdc("20240301-100001000",
        [
            .. Header(["I"], [T2], [Seq(1)]), (Long("id"), [2L]),
            (Long("widens"), [5_000_000_000L]),
            (new PrimitiveField("real", PhysicalType.Double), [0.25d]),
            (new PrimitiveField("grows", PhysicalType.Int64, LogicalType.Decimal(12, 3)), [123456789.125m]),
        ]);

        var (schema, changes, _) = await ReadTableAsync(Spec(Folder, ["id"]));

        var s = schema.Schema;
        s["legacy_ms"].TypeName.Should().Be("int64 TIMESTAMP(MICROS,UTC)", "legacy TIMESTAMP_MILLIS counts as UTC-adjusted, kept at micros");
        s["local_us"].TypeName.Should().Be("int64 TIMESTAMP(MICROS,local)");
        s["int96"].TypeName.Should().Be("int64 TIMESTAMP(MICROS,UTC)");
        s["d32"].TypeName.Should().Be("fixed_len_byte_array(4) DECIMAL(9,2)");
        s["d64"].TypeName.Should().Be("fixed_len_byte_array(8) DECIMAL(18,4)");
        s["dbin"].TypeName.Should().Be("fixed_len_byte_array(12) DECIMAL(28,6)");
        s["money"].TypeName.Should().Be("fixed_len_byte_array(16) DECIMAL(38,4)");
        s["small"].TypeName.Should().Be("int32 INT(16,signed)");
        s["widens"].TypeName.Should().Be("int64");
        s["real"].TypeName.Should().Be("double");
        s["grows"].TypeName.Should().Be("fixed_len_byte_array(6) DECIMAL(12,3)", "9 integer digits and 3 decimals hold both files' values");

        var one = changes.Latest.Single(c => c.Key == "1").Row;
        one["legacy_ms"].Should().Be(instant);
        ((DateTime)one["legacy_ms"]!).Kind.Should().Be(DateTimeKind.Utc);
        one["local_us"].Should().Be(DateTime.SpecifyKind(instant.AddTicks(10), DateTimeKind.Unspecified));
        one["int96"].Should().Be(instant.AddTicks(70));
        one["d32"]!.ToString().Should().Be("12345.67");
        one["d64"]!.ToString().Should().Be("-12345.6789");
        one["dbin"]!.ToString().Should().Be("1.500000");
        one["money"]!.ToString().Should().Be("47632969758.5400");
        one["small"].Should().Be((short)-7);
        one["widens"].Should().Be(5L);
        one["real"].Should().Be(0.5d);
        one["grows"]!.ToString().Should().Be("1.250");
        var two = changes.Latest.Single(c => c.Key == "2").Row;
        two["widens"].Should().Be(5_000_000_000L);
        two["grows"]!.ToString().Should().Be("123456789.125");
        two["legacy_ms"].Should().BeNull();
    }

    [Fact]
    public async Task Drops_renames_and_the_derived_date_column_shape_the_table()
    {
        Load(1, [(Text("DMS_TIMESTAMP"), [T1, T1]), (Long("order_id"), [1L, 2L]), (Text("secret"), ["s", "s"]),
            (new PrimitiveField("ordered", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Millis, true)), [new DateTime(2024, 2, 29, 23, 0, 0, DateTimeKind.Utc), null])]);
        Cdc("20240301-100001000", [.. Header(["D"], [T2], [Seq(1)]), (Long("order_id"), [1L]), (Text("secret"), [null]), (new PrimitiveField("ordered", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Millis, true)), [null])]);
        var spec = Spec(Folder, ["id"]) with
        {
            RenameColumns = new Dictionary<string, string> { ["order_id"] = "id", ["ordered"] = "ordered_at" },
            DropColumns = new HashSet<string> { "secret" },
            DatePartition = new DatePartitionSpec("order_month", "ordered_at", DateGranularity.Month),
            PartitionBy = ["order_month"],
            HiveStylePartitioning = true,
        };

        var (schema, changes, _) = await ReadTableAsync(spec);

        schema.Schema.Fields.Select(f => f.Name).Should().Equal("DMS_TIMESTAMP", "id", "ordered_at", "AR_H_CHANGE_SEQ", "order_month", "_cdc_order");
        var two = changes.Latest.Single(c => c.Key == "2");
        two.PartitionPath.Should().Be("order_month=__HIVE_DEFAULT_PARTITION__", "a null date goes to Hive's default partition, as Hudi puts it");
        changes.Latest.Single(c => c.Key == "1").IsDelete.Should().BeTrue();
        var (_, loadOnly, _) = await ReadTableAsync(spec, reorder: files => files.Take(1));
        loadOnly.Latest.Single(c => c.Key == "1").PartitionPath.Should().Be("order_month=2024-02");
        loadOnly.Latest.Single(c => c.Key == "1").Row["order_month"].Should().Be("2024-02");
    }

    [Theory]
    [InlineData("year", "2024")]
    [InlineData("month", "2024-02")]
    [InlineData("day", "2024-02-29")]
    [InlineData("hour", "2024-02-29-23")]
    public async Task Derived_dates_come_from_timestamps_and_dms_timestamp_text(string granularity, string expected)
    {
        Load(1, [(Text("DMS_TIMESTAMP"), ["2024-02-29 23:59:59.999999"]), (Long("id"), [1L])]);
        var spec = PipelineConfig.Parse($$"""
            { "tables": [ { "table": "t", "source": "{{Folder.Replace("\\", "/", StringComparison.Ordinal)}}", "target": "{{_dir.Path.Replace("\\", "/", StringComparison.Ordinal)}}/lake",
              "recordKey": ["id"], "datePartition": { "column": "d", "source": "DMS_TIMESTAMP", "granularity": "{{granularity}}" } } ] }
            """).Resolve().Single();

        var (_, changes, _) = await ReadTableAsync(spec);

        changes.Latest.Single().Row["d"].Should().Be(expected);
        changes.Latest.Single().PartitionPath.Should().Be(expected);
    }

    [Fact]
    public async Task The_table_schema_seeds_the_union_and_added_and_widened_columns_are_reported()
    {
        Cdc("20240301-100001000", [.. Header(["I"], [T2], [Seq(1)]), (Long("id"), [1L]), (Long("n"), [1L]), (Text("fresh"), ["x"])]);
        var table = new ParquetSchema([new PrimitiveField("_hoodie_commit_time", PhysicalType.ByteArray, LogicalType.String), Long("id"), Int("n"), Text("old"), Text("_cdc_order")]);

        var (schema, changes, _) = await ReadTableAsync(Spec(Folder, ["id"]), new ChangeReaderOptions { TableSchema = table });

        schema.Schema.Fields.Select(f => f.Name).Should().Equal("id", "n", "old", "DMS_TIMESTAMP", "AR_H_CHANGE_SEQ", "fresh", "_cdc_order");
        schema.AddedColumns.Should().Equal("DMS_TIMESTAMP", "AR_H_CHANGE_SEQ", "fresh");
        schema.WidenedColumns.Should().Equal("n");
        changes.Latest.Single().Row["old"].Should().BeNull();
    }

    [Fact]
    public async Task Without_ordering_columns_configured_AR_H_CHANGE_SEQ_is_used_when_present_else_an_error_asks_for_them()
    {
        Cdc("20240301-100001000", [.. Header(["I"], [T2], [Seq(1)]), (Long("id"), [1L])]);
        var auto = Spec(Folder, ["id"]) with { Ordering = null };
        (await ReadTableAsync(auto)).Schema.Ordering.Should().Equal("AR_H_CHANGE_SEQ");

        using var other = new TempDirectory();
        WriteFile(Path.Combine(other.Path, "20240301-100001000.parquet"), (Text("Op"), ["I"]), (Text("DMS_TIMESTAMP"), [T2]), (Long("id"), [1L]));
        var act = () => ReadTableAsync(Spec(other.Path, ["id"]) with { Ordering = null });
        (await act.Should().ThrowAsync<CdcDataException>()).Which.Message.Should().Contain("no ordering columns are configured and the files have no AR_H_CHANGE_SEQ");
    }

    [Fact]
    public async Task A_type_conflict_names_the_file_and_column_before_any_row_is_read()
    {
        Load(1, [(Text("DMS_TIMESTAMP"), [T1]), (Long("id"), [1L]), (Long("amount"), [5L])]);
        Cdc("20240301-100001000", [.. Header(["U"], [T2], [Seq(1)]), (Long("id"), [1L]), (Text("amount"), ["five"])]);

        var act = () => ReadTableAsync(Spec(Folder, ["id"]));

        var error = (await act.Should().ThrowAsync<CdcDataException>()).Which;
        error.Message.Should().Be("20240301-100001000.parquet: column 'amount': type byte_array STRING conflicts with int64 in earlier files");
        error.File.Should().Be("20240301-100001000.parquet");
        error.Column.Should().Be("amount");
    }

    [Theory]
    [InlineData(new[] { "I", "I", "I" }, new object?[] { 1L, null, 3L }, new[] { "s1", "s2", "s3" }, "row 1: column 'id': the record key is null")]
    [InlineData(new[] { "I", "X", "I" }, new object?[] { 1L, 2L, 3L }, new[] { "s1", "s2", "s3" }, "row 1: column 'Op': unknown Op 'X' (DMS writes I, U or D)")]
    [InlineData(new[] { "I", "I", "UPDATE" }, new object?[] { 1L, 2L, 3L }, new[] { "s1", "s2", "s3" }, "row 2: column 'Op': unknown Op 'UPDATE' (DMS writes I, U or D)")]
    [InlineData(new[] { "I", "I", "I" }, new object?[] { 1L, 2L, 3L }, new[] { "s1", "", "s3" }, "row 1: column 'AR_H_CHANGE_SEQ': the ordering column is empty: a CDC change cannot be ordered without it")]
    [InlineData(new[] { "I", "I", "I" }, new object?[] { 1L, 2L, 3L }, new[] { "s1", "s2", "abc" }, "row 2: column 'AR_H_CHANGE_SEQ': ordering value 'abc' is neither a change sequence (digits only) nor a timestamp (yyyy-MM-dd HH:mm:ss[.ffffff])")]
    public async Task A_bad_row_names_file_row_and_column_or_is_quarantined(string[] ops, object?[] ids, string[] sequences, string message)
    {
        var seqs = sequences.Select((s, i) => s.StartsWith('s') ? Seq(i + 1) : s).ToArray();
        Cdc("20240301-100001000", [.. Header(ops, [T1, T1, T1], seqs), (Long("id"), ids), (Text("v"), ["a", "b", "c"])]);
        var spec = Spec(Folder, ["id"]);

        var act = () => ReadTableAsync(spec);
        (await act.Should().ThrowAsync<CdcDataException>()).Which.Message.Should().Be($"20240301-100001000.parquet: {message}");

        var (_, changes, _) = await ReadTableAsync(spec, new ChangeReaderOptions { CollectBadRows = true });
        changes.Stats.BadRows.Should().Be(1);
        changes.Count.Should().Be(2, "the other rows are read");
    }

    [Fact]
    public async Task The_first_bad_row_is_the_one_reported()
    {
        Cdc("20240301-100001000", [.. Header(["I", "I", "X"], [T1, T1, T1], [Seq(1), "", Seq(3)]), (Long("id"), [1L, 2L, null]), (Text("v"), ["a", "b", "c"])]);

        var act = () => ReadTableAsync(Spec(Folder, ["id"]));

        (await act.Should().ThrowAsync<CdcDataException>()).Which.Row.Should().Be(1, "row 1's empty sequence comes before row 2's null key and unknown Op");
    }

    [Fact]
    public async Task Quarantined_rows_keep_their_file_row_and_reason()
    {
        Cdc("20240301-100001000", [.. Header(["I", "Q", "I"], [T1, T1, T1], [Seq(1), Seq(2), Seq(3)]), (Long("id"), [1L, 2L, null]), (Text("v"), ["a", "b", "c"])]);
        using var store = Storage.ObjectStores.For(Folder);
        var listing = await DmsDiscovery.ListAsync(store);
        var reader = await ChangeReader.OpenAsync(store, Spec(Folder, ["id"]), listing.All, new ChangeReaderOptions { CollectBadRows = true });

        var batch = await reader.ReadAsync().SingleAsync();

        batch.BadRows.Select(b => b.ToString()).Should().Equal(
            "20240301-100001000.parquet: row 1: column 'Op': unknown Op 'Q' (DMS writes I, U or D)",
            "20240301-100001000.parquet: row 2: column 'id': the record key is null");
        batch.Keys.Should().Equal("1", null, null);
        batch.Changes().Select(c => c.Key).Should().Equal("1");
        batch.Payload["v"].GetValue(2).Should().Be("c", "the payload keeps bad rows for the quarantine file");
    }

    [Fact]
    public async Task An_unreadable_file_is_named()
    {
        Load(1, [(Text("DMS_TIMESTAMP"), [T1]), (Long("id"), [1L])]);
        File.WriteAllBytes(Path.Combine(Folder, "20240301-100001000.parquet"), "PAR1 this is not parquet PAR1"u8.ToArray());

        var act = () => ReadTableAsync(Spec(Folder, ["id"]));

        var error = (await act.Should().ThrowAsync<CdcDataException>()).Which;
        error.File.Should().Be("20240301-100001000.parquet");
        error.Message.Should().StartWith("20240301-100001000.parquet: unreadable Parquet: ");
    }

    [Fact]
    public async Task A_file_missing_its_key_column_is_refused()
    {
        Cdc("20240301-100001000", [.. Header(["I"], [T1], [Seq(1)]), (Long("other"), [1L])]);

        var act = () => ReadTableAsync(Spec(Folder, ["id"]));

        (await act.Should().ThrowAsync<CdcDataException>()).Which.Message.Should().Be("20240301-100001000.parquet: column 'id': the record key column is missing from the file");
    }

    [Fact]
    public async Task Typed_ordering_columns_order_by_their_values()
    {
        var early = new DateTime(2024, 3, 1, 10, 0, 0, DateTimeKind.Utc);
        var stamp = new PrimitiveField("commit_ts", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, true));
        Cdc("20240301-100001000", [(Text("Op"), new object?[] { "U", "U" }), (stamp, [early.AddTicks(20), early.AddTicks(10)]), (Long("lsn"), [-5L, -9L]), (Long("id"), [1L, 2L]), (Text("v"), ["a2", "b1"])]);
        Cdc("20240301-100000000", [(Text("Op"), new object?[] { "U", "U" }), (stamp, [early.AddTicks(10), early.AddTicks(20)]), (Long("lsn"), [-7L, -8L]), (Long("id"), [1L, 2L]), (Text("v"), ["a1", "b2"])]);

        (await Final(Spec(Folder, ["id"], ["commit_ts"]))).Should().Equal("1:a2", "2:b2");
        (await Final(Spec(Folder, ["id"], ["lsn"]))).Should().Equal("1:a2", "2:b2");
    }

    [Fact]
    public async Task A_dropped_ordering_column_still_orders_but_is_not_stored()
    {
        Cdc("20240301-100001000", [.. Header(["U", "U"], [T1, T1], [Seq(2), Seq(1)]), (Long("id"), [1L, 1L]), (Text("v"), ["second", "first"])]);
        var spec = Spec(Folder, ["id"]) with { DropColumns = new HashSet<string> { "AR_H_CHANGE_SEQ" } };

        var (schema, changes, _) = await ReadTableAsync(spec);

        schema.Schema.IndexOf("AR_H_CHANGE_SEQ").Should().Be(-1);
        changes.Latest.Single().Row["v"].Should().Be("second");
    }

    private void Load(uint counter, (Field, object?[])[] columns) => WriteFile(Path.Combine(Folder, DmsFileNames.LoadName(counter)), columns);

    private void Cdc(string time, (Field, object?[])[] columns) => WriteFile(Path.Combine(Folder, time + ".parquet"), columns);

    /// <summary>The surviving rows as <c>key:v</c>, sorted.</summary>
    private static async Task<List<string>> Final(TableSpec spec)
    {
        var (_, changes, _) = await ReadTableAsync(spec);
        return [.. changes.Latest.Where(c => !c.IsDelete).Select(c => $"{c.Key}:{c.Row["v"]}").Order(StringComparer.Ordinal)];
    }
}
