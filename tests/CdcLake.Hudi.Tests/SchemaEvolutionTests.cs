using System.Globalization;
using System.Text.Json;
using CdcLake.Parquet;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>
/// Schema evolution on write: new nullable columns, INT32 to INT64, FLOAT to DOUBLE, wider decimals and a column made
/// nullable make the commit rewrite every file group in the new schema; anything else is refused before an instant
/// exists. Results are checked against records kept here, read back through <see cref="HudiTable"/>, read by DuckDB
/// from the latest base files (types and values), and validated.
/// </summary>
public sealed class SchemaEvolutionTests(S3WriteFixture s3) : IClassFixture<S3WriteFixture>
{
    public static TheoryData<string> Stores() => ["local", "s3"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task New_and_wider_columns_rewrite_every_file_group_in_the_same_commit(string kind)
    {
        using var place = TestStore.Create(kind, s3);
        // Combining, the bulk insert cuts files by the record size estimate (a streamed one by their actual size).
        var client = await Ev.CreateAsync(place.Store, o => o with { BulkInsertCombine = true });
        var expected = Ev.Range(0, 30).ToDictionary(r => r.Id);
        var first = await client.BulkInsertAsync([Ev.Batch(Ev.V1, expected.Values)]);
        first.FileGroupsCreated.Should().Be(6, "10 rows per partition, 5 per file");

        var changes = new[]
        {
            expected[0] with { Ts = 2, N = 5_000_000_000, F = 0.1, D = 1234567.891m, Name = null, Note = "hello", Tail = 7 },
            new Ev(100, "d", 2, -3, 2.5, -0.001m, "new", null, 9),
        };
        var result = await client.UpsertAsync([Ev.Batch(Ev.V2, changes)]);
        foreach (var change in changes)
        {
            expected[change.Id] = change;
        }

        (result.SchemaEvolved, result.Updates, result.Inserts).Should().Be((true, 1, 1));
        (result.FileGroupsRewritten, result.FileGroupsRewrittenForSchema, result.FileGroupsCreated).Should().Be((6, 5, 1));
        var commitFields = AvroSchema.Parse(result.Metadata.Schema!).Fields;
        commitFields.Select(f => f.Name).Should().Equal("id", "part", "ts", "n", "note", "f", "d", "name", "tail");
        commitFields.Select(f => f.ToString()).Should().Contain(["n: int64", "f: double", "name: byte_array STRING", "note: byte_array STRING"]);
        ((PrimitiveField)commitFields.Single(f => f.Name == "d")).LogicalType.Should().Be(LogicalType.Decimal(12, 3));

        var table = await HudiTable.OpenAsync(place.Store);
        var slices = await table.GetFileSlicesAsync();
        slices.Should().HaveCount(7).And.OnlyContain(s => s.BaseInstantTime == result.InstantTime, "every file group has a slice of the evolving commit");
        var schemas = new HashSet<string>();
        foreach (var slice in slices)
        {
            using var reader = await table.OpenBaseFileAsync(slice.BaseFile);
            schemas.Add(new ParquetSchema([.. reader.Schema.Fields.Skip(5)]).ToString());
        }

        schemas.Should().ContainSingle("every latest base file has the commit's columns");
        (await Ev.ReadAsync(table)).Should().Equal(Ev.Sorted(expected.Values));
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();

        // Rows rewritten only for the schema keep their commit time: an incremental read sees the two changes.
        (await Ev.ReadAsync(table, HudiQuery.Incremental(first.InstantTime!))).Select(r => r.Id).Should().Equal(0, 100);

        // Time travel before the evolution reads the old slices in the old schema.
        var old = new List<RecordBatch>();
        await foreach (var batch in table.ReadAsync(HudiQuery.AsOf(first.InstantTime!)))
        {
            old.Add(batch);
        }

        old.Sum(b => b.RowCount).Should().Be(30);
        old.Should().OnlyContain(b => b.Schema.IndexOf("note") < 0 && ((PrimitiveField)b.Schema["n"]).PhysicalType == PhysicalType.Int32);

        if (place.LocalPath is { } root)
        {
            var files = Expected.BaseFiles(root);
            files.Should().HaveCount(7);
            foreach (var file in files)
            {
                var types = DuckDb.Shared.Query($"select n, f, d, name, note, tail from read_parquet({DuckDb.Literal(Path.Combine(root, file))}) limit 0").Columns;
                types.Select(c => c.Type).Should().Equal("BIGINT", "DOUBLE", "DECIMAL(12,3)", "VARCHAR", "VARCHAR", "INTEGER");
            }

            string[] columns = ["id", "part", "ts", "n", "note", "f", "d", "name", "tail"];
            var duck = Expected.DuckDbRows(root, files, columns);
            duck.Should().Equal(await Expected.OurRows(table, new HudiQuery { Columns = columns }));
            duck.Should().Equal(Ev.Json(expected.Values), "old values are widened exactly, new columns null");
        }
    }

    [Fact]
    public async Task An_input_that_lacks_nullable_columns_writes_them_null_without_evolving()
    {
        using var place = TestStore.Create("local");
        var client = await Ev.CreateAsync(place.Store);
        await client.BulkInsertAsync([Ev.Batch(Ev.V2, Ev.Range(0, 6).Select(r => r with { Note = "n" + r.Id, Tail = (int)r.Id }))]);
        var narrow = new ParquetSchema([.. Ev.V2.Fields.Where(f => f.Name is not "note" and not "tail")]);

        var result = await client.UpsertAsync([Ev.Batch(narrow, [new Ev(1, "b", 5, 1, 1, 1m, "x", "ignored", 99), new Ev(50, "a", 5, 2, 2, 2m, "y")])]);

        (result.SchemaEvolved, result.FileGroupsRewrittenForSchema, result.Updates, result.Inserts).Should().Be((false, 0, 1, 1));
        AvroSchema.Parse(result.Metadata.Schema!).Fields.Select(f => f.Name).Should().Equal("id", "part", "ts", "n", "note", "f", "d", "name", "tail");
        var rows = (await Ev.ReadAsync(await HudiTable.OpenAsync(place.Store))).ToDictionary(r => r.Id);
        rows[1].Should().Be(new Ev(1, "b", 5, 1, 1, 1m, "x"), "an update replaces the whole row: the columns it lacks become null");
        rows[50].Should().Be(new Ev(50, "a", 5, 2, 2, 2m, "y"));
        rows[2].Note.Should().Be("n2");
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
        Expected.DuckDbRows(place.LocalPath!, Expected.BaseFiles(place.LocalPath!), ["id", "note", "tail"], "id in (1, 2, 50)")
            .Should().Equal(Expected.Normalize("""{"id":1,"note":null,"tail":null}"""), Expected.Normalize("""{"id":2,"note":"n2","tail":2}"""), Expected.Normalize("""{"id":50,"note":null,"tail":null}"""));
    }

    public static TheoryData<string, string, string, string> Refused() => new()
    {
        // column, its new type in the input, and what the message names
        { "name", "int32", "byte_array STRING", "int32" },
        { "ts", "int32", "int64", "int32" },
        { "n", "double", "int32", "double" },
        { "d", "decimal(7,2)", "DECIMAL(9,2)", "DECIMAL(7,2)" },
        { "d", "decimal(10,4)", "DECIMAL(9,2)", "DECIMAL(10,4)" },
        { "extra", "required", "extra", "nullable" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Incompatible_changes_are_refused_before_an_instant_exists(string column, string change, string tableType, string inputType)
    {
        using var place = TestStore.Create("local");
        var client = await Ev.CreateAsync(place.Store);
        await client.BulkInsertAsync([Ev.Batch(Ev.V1, Ev.Range(0, 6))]);
        var hoodie = Directory.GetFiles(Path.Combine(place.LocalPath!, ".hoodie"));
        var parquet = Directory.GetFiles(place.LocalPath!, "*.parquet", SearchOption.AllDirectories);
        var schema = Ev.Change(Ev.V1, column, change);
        var batch = Ev.Batch(schema, [new Ev(1, "b", 5, 1, 1, 1m, "x", "note", 3)]);

        foreach (var write in new Func<Task<WriteResult>>[]
        {
            () => client.UpsertAsync([batch]),
            () => client.BulkInsertAsync([batch]),
            () => client.InsertOverwriteAsync([batch], wholeTable: false),
        })
        {
            var error = (await write.Should().ThrowAsync<HudiException>()).Which.Message;
            error.Should().Contain($"'{column}'").And.Contain(tableType).And.Contain(inputType);
            Directory.GetFiles(Path.Combine(place.LocalPath!, ".hoodie")).Should().BeEquivalentTo(hoodie, "no instant is requested");
            Directory.GetFiles(place.LocalPath!, "*.parquet", SearchOption.AllDirectories).Should().BeEquivalentTo(parquet);
        }
    }

    [Fact]
    public async Task A_required_column_the_input_lacks_is_refused_unless_every_row_is_a_delete()
    {
        using var place = TestStore.Create("local");
        var client = await Ev.CreateAsync(place.Store, o => o with { DeleteMarkerField = "_hoodie_is_deleted" });
        await client.BulkInsertAsync([Ev.Batch(Ev.V1, Ev.Range(0, 6))]);
        var noName = new ParquetSchema([.. Ev.V1.Fields.Where(f => f.Name != "name")]);
        var hoodie = Directory.GetFiles(Path.Combine(place.LocalPath!, ".hoodie"));

        var act = () => client.UpsertAsync([Ev.Batch(noName, [new Ev(1, "b", 5, 1, 1, 1m, null)])]);

        (await act.Should().ThrowAsync<HudiException>()).Which.Message.Should().Contain("'name'").And.Contain("required");
        Directory.GetFiles(Path.Combine(place.LocalPath!, ".hoodie")).Should().BeEquivalentTo(hoodie);

        // Deletes write no row: they need not carry it.
        var deletes = UpsertWithDeletesTests.Marked(Ev.Batch(noName, [new Ev(1, "b", 5, 0, 0, 0m, null), new Ev(2, "c", 5, 0, 0, 0m, null)]), true);
        var result = await client.UpsertAsync([deletes]);
        (result.Deletes, result.SchemaEvolved).Should().Be((2, false));
        (await Ev.ReadAsync(await HudiTable.OpenAsync(place.Store))).Select(r => r.Id).Should().Equal(0, 3, 4, 5);
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
    }

    [Fact]
    public async Task Insert_overwrite_and_bulk_insert_evolve_the_file_groups_they_do_not_replace()
    {
        using var place = TestStore.Create("local");
        var client = await Ev.CreateAsync(place.Store);
        var expected = Ev.Range(0, 12).ToDictionary(r => r.Id);
        await client.BulkInsertAsync([Ev.Batch(Ev.V1, expected.Values)]);
        var before = await (await HudiTable.OpenAsync(place.Store)).GetFileSlicesAsync();

        // Overwrite partition a in the new schema: a's groups are replaced, b's and c's rewritten for it.
        var fresh = new[] { new Ev(200, "a", 3, 1, 0.5, 9.999m, "fresh", "n", 1) };
        var overwrite = await client.InsertOverwriteAsync([Ev.Batch(Ev.V2, fresh)], wholeTable: false);
        foreach (var id in expected.Keys.Where(id => expected[id].Part == "a").ToList())
        {
            expected.Remove(id);
        }

        expected[200] = fresh[0];
        overwrite.SchemaEvolved.Should().BeTrue();
        overwrite.Metadata.PartitionToReplaceFileIds!["a"].Should().BeEquivalentTo(before.Where(s => s.PartitionPath == "a").Select(s => s.FileId));
        overwrite.FileGroupsRewrittenForSchema.Should().Be(before.Count(s => s.PartitionPath != "a"));
        var table = await HudiTable.OpenAsync(place.Store);
        (await Ev.ReadAsync(table)).Should().Equal(Ev.Sorted(expected.Values));
        await Ev.ShouldAllHaveOneSchemaAsync(table);
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();

        // A bulk insert with one more column: every group rewritten (the new one written in it).
        var v3 = new ParquetSchema([.. Ev.V2.Fields, new PrimitiveField("extra", PhysicalType.ByteArray, LogicalType.String)]);
        var bulk = await client.BulkInsertAsync([Ev.Batch(v3, [new Ev(300, "c", 4, 2, 1.5, 1m, "bulk")])]);
        expected[300] = new Ev(300, "c", 4, 2, 1.5, 1m, "bulk");
        (bulk.SchemaEvolved, bulk.FileGroupsCreated, bulk.FileGroupsRewrittenForSchema).Should().Be((true, 1, (await table.GetFileSlicesAsync()).Count));
        table = await HudiTable.OpenAsync(place.Store);
        (await Ev.ReadAsync(table)).Should().Equal(Ev.Sorted(expected.Values));
        await Ev.ShouldAllHaveOneSchemaAsync(table);
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
        var root = place.LocalPath!;
        var replaced = overwrite.Metadata.PartitionToReplaceFileIds.Values.SelectMany(v => v).ToHashSet();
        var files = Expected.BaseFiles(root).Where(f => !replaced.Any(id => Path.GetFileName(f).StartsWith(id, StringComparison.Ordinal))).ToList();
        Expected.DuckDbRows(root, files, ["id", "extra"]).Should().HaveCount(expected.Count).And.OnlyContain(r => r.EndsWith("\"extra\":null}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reads_give_older_base_files_the_newest_files_columns()
    {
        // A table some of whose file groups were not rewritten when its columns changed (as Spark's writer leaves
        // them): made here by undoing one group's rewrite in the evolving commit.
        using var place = TestStore.Create("local");
        var client = await Ev.CreateAsync(place.Store, o => o with { TargetFileSizeBytes = 120L * 1024 * 1024 });
        await client.BulkInsertAsync([Ev.Batch(Ev.V1, Ev.Range(0, 6))]);
        var evolve = await client.UpsertAsync([Ev.Batch(Ev.V2, [new Ev(0, "a", 2, 5_000_000_000, 0.1, 1.5m, "x", "note", 4)])]);
        var undone = evolve.Metadata.AllWriteStats.Single(s => s.PartitionPath == "b");
        File.Delete(Path.Combine(place.LocalPath!, undone.Path!));
        evolve.Metadata.PartitionToWriteStats.Remove("b");
        File.WriteAllBytes(Path.Combine(place.LocalPath!, ".hoodie", $"{evolve.InstantTime}.commit"), evolve.Metadata.ToUtf8Bytes());
        var table = await HudiTable.OpenAsync(place.Store);
        var slices = await table.GetFileSlicesAsync();
        slices.Select(s => s.BaseInstantTime).Distinct().Should().HaveCount(2, "the table now mixes schemas");

        var rows = await Ev.ReadAsync(table);

        var expected = Ev.Range(0, 6).ToDictionary(r => r.Id);
        expected[0] = new Ev(0, "a", 2, 5_000_000_000, 0.1, 1.5m, "x", "note", 4);
        rows.Should().Equal(Ev.Sorted(expected.Values));
        var batches = new List<RecordBatch>();
        await foreach (var batch in table.ReadAsync(new HudiQuery { Columns = ["id", "n", "note"] }))
        {
            batches.Add(batch);
        }

        batches.Should().OnlyContain(b => b.Schema.ToString() == batches[0].Schema.ToString(), "every batch has the newest file's columns");
        (await table.GetSchemaAsync(new HudiQuery { Columns = ["id", "n", "note"] })).ToString().Should().Be(batches[0].Schema.ToString());

        // DuckDB unifies the files by name and widens the types the same way.
        var list = string.Join(", ", Expected.BaseFiles(place.LocalPath!).Select(f => DuckDb.Literal(Path.Combine(place.LocalPath!, f))));
        var duck = DuckDb.Shared.Query($"select id, n, f, d, note from read_parquet([{list}], union_by_name = true) order by id");
        duck.Rows.Select(r => Canonical.Render(r)).Should().Equal(Ev.Sorted(expected.Values).Select(r => string.Create(
            CultureInfo.InvariantCulture,
            $"[{r.Id},{r.N},{JsonSerializer.Serialize(r.F)},\"{r.D.ToString("F3", CultureInfo.InvariantCulture)}\",{(r.Note is null ? "null" : JsonSerializer.Serialize(r.Note))}]")));
    }

    [Fact]
    public async Task Nested_struct_and_list_columns_evolve_too()
    {
        using var place = TestStore.Create("local");
        static ParquetSchema Schema(PhysicalType number, bool withB) => new(
        [
            new PrimitiveField("id", PhysicalType.Int64),
            new PrimitiveField("part", PhysicalType.ByteArray, LogicalType.String),
            new PrimitiveField("ts", PhysicalType.Int64),
            new StructField("s", withB ? [new PrimitiveField("a", number), new PrimitiveField("b", PhysicalType.ByteArray, LogicalType.String)] : [new PrimitiveField("a", number)]),
            new ListField("l", new PrimitiveField("element", number, repetition: Repetition.Required)),
        ]);
        static RecordBatch Rows(ParquetSchema schema, IReadOnlyList<(long Id, long A, string? B, long[] L)> rows)
        {
            var n = rows.Count;
            var f = schema.Fields;
            var s = (StructField)f[3];
            var l = (ListField)f[4];
            ColumnVector Numbers(Field field, IEnumerable<long> values) => ((PrimitiveField)field).PhysicalType == PhysicalType.Int32
                ? new PrimitiveVector<int>(field, [.. values.Select(v => (int)v)], values.Count())
                : new PrimitiveVector<long>(field, [.. values], values.Count());
            var children = new List<ColumnVector> { Numbers(s.Children[0], rows.Select(r => r.A)) };
            if (s.Children.Count > 1)
            {
                children.Add(Recs.Strings(s.Children[1], [.. rows.Select(r => r.B)]));
            }

            var offsets = new int[n + 1];
            for (var i = 0; i < n; i++)
            {
                offsets[i + 1] = offsets[i] + rows[i].L.Length;
            }

            return new RecordBatch(schema,
            [
                new PrimitiveVector<long>(f[0], [.. rows.Select(r => r.Id)], n),
                Recs.Strings(f[1], [.. rows.Select(r => r.Id % 2 == 0 ? "a" : "b")]),
                new PrimitiveVector<long>(f[2], [.. rows.Select(_ => 1L)], n),
                new StructVector(s, children, n),
                new ListVector(l, offsets, Numbers(l.Element, rows.SelectMany(r => r.L)), n),
            ], n);
        }

        var v1 = Schema(PhysicalType.Int32, withB: false);
        await HudiWriteClient.CreateTableAsync(place.Store, "", new NewTableOptions { TableName = "nested", RecordKeyFields = ["id"], PrecombineField = "ts", PartitionFields = ["part"] }, v1);
        var client = new HudiWriteClient(place.Store, "", TestTables.WriteOptions());
        await client.BulkInsertAsync([Rows(v1, [.. Enumerable.Range(0, 6).Select(i => ((long)i, (long)i * 10, (string?)null, new long[] { i, i + 1 }))])]);

        var result = await client.UpsertAsync([Rows(Schema(PhysicalType.Int64, withB: true), [(0, 5_000_000_000, "x", [5_000_000_000])])]);

        (result.SchemaEvolved, result.FileGroupsRewritten, result.FileGroupsRewrittenForSchema).Should().Be((true, 2, 1));
        var table = await HudiTable.OpenAsync(place.Store);
        await Ev.ShouldAllHaveOneSchemaAsync(table);
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
        var root = place.LocalPath!;
        var files = Expected.BaseFiles(root);
        foreach (var file in files)
        {
            DuckDb.Shared.Query($"select s, l from read_parquet({DuckDb.Literal(Path.Combine(root, file))}) limit 0").Columns.Select(c => c.Type)
                .Should().Equal("STRUCT(\"a\" BIGINT, \"b\" VARCHAR)", "BIGINT[]");
        }

        string[] columns = ["id", "s", "l"];
        var duck = Expected.DuckDbRows(root, files, columns);
        duck.Should().Equal(await Expected.OurRows(table, new HudiQuery { Columns = columns }));
        duck.Should().Equal(
        [
            .. Enumerable.Range(0, 6).Select(i => i == 0
                ? """{"id":0,"s":{"a":5000000000,"b":"x"},"l":[5000000000]}"""
                : $$"""{"id":{{i}},"s":{"a":{{i * 10}},"b":null},"l":[{{i}},{{i + 1}}]}""").Select(Expected.Normalize).Order(StringComparer.Ordinal),
        ]);
    }
}

/// <summary>A record of the evolution tests' table; <see cref="F"/> and <see cref="D"/> hold what the table holds (V1 floats widened).</summary>
internal sealed record Ev(long Id, string Part, long Ts, long N, double F, decimal D, string? Name, string? Note = null, int? Tail = null)
{
    /// <summary>The first schema, as a DMS file would have it: decimals as INT64, a required name.</summary>
    public static readonly ParquetSchema V1 = new(
    [
        new PrimitiveField("id", PhysicalType.Int64),
        new PrimitiveField("part", PhysicalType.ByteArray, LogicalType.String),
        new PrimitiveField("ts", PhysicalType.Int64),
        new PrimitiveField("n", PhysicalType.Int32),
        new PrimitiveField("f", PhysicalType.Float),
        new PrimitiveField("d", PhysicalType.Int64, LogicalType.Decimal(9, 2)),
        new PrimitiveField("name", PhysicalType.ByteArray, LogicalType.String, Repetition.Required),
    ]);

    /// <summary>The evolved one: n INT64, a new column in the middle, f DOUBLE, d DECIMAL(12,3), name nullable, a new column at the end.</summary>
    public static readonly ParquetSchema V2 = new(
    [
        new PrimitiveField("id", PhysicalType.Int64),
        new PrimitiveField("part", PhysicalType.ByteArray, LogicalType.String),
        new PrimitiveField("ts", PhysicalType.Int64),
        new PrimitiveField("n", PhysicalType.Int64),
        new PrimitiveField("note", PhysicalType.ByteArray, LogicalType.String),
        new PrimitiveField("f", PhysicalType.Double),
        new PrimitiveField("d", PhysicalType.Int64, LogicalType.Decimal(12, 3)),
        new PrimitiveField("name", PhysicalType.ByteArray, LogicalType.String),
        new PrimitiveField("tail", PhysicalType.Int32),
    ]);

    public static async Task<HudiWriteClient> CreateAsync(CdcLake.Storage.IObjectStore store, Func<HudiWriteOptions, HudiWriteOptions>? configure = null)
    {
        await HudiWriteClient.CreateTableAsync(store, "", new NewTableOptions { TableName = "ev", RecordKeyFields = ["id"], PrecombineField = "ts", PartitionFields = ["part"] }, V1);
        var options = TestTables.WriteOptions(o =>
        {
            o.TargetFileSizeBytes = 5 * 1024;
            o.SmallFileLimitBytes = 0;
        });
        return new HudiWriteClient(store, "", configure is null ? options : configure(options));
    }

    /// <summary>Rows in partitions a, b, c; f a float value (so what the table holds after widening is that float as a double).</summary>
    public static List<Ev> Range(int from, int to) =>
        [.. Enumerable.Range(from, to - from).Select(i => new Ev(i, ((char)('a' + (i % 3))).ToString(), 1, (i * 1000) - 7, (float)(i + 0.1f), (i * 1.25m) + 0.01m, $"name-{i}"))];

    public static List<Ev> Sorted(IEnumerable<Ev> rows) => [.. rows.OrderBy(r => r.Id)];

    /// <summary><paramref name="schema"/> with <paramref name="column"/> retyped (or, for "required", a new required column of that name).</summary>
    public static ParquetSchema Change(ParquetSchema schema, string column, string change)
    {
        if (change == "required")
        {
            return new ParquetSchema([.. schema.Fields, new PrimitiveField(column, PhysicalType.Int32, repetition: Repetition.Required)]);
        }

        Field Retyped(Field f) => change switch
        {
            "int32" => new PrimitiveField(f.Name, PhysicalType.Int32, repetition: f.Repetition),
            "double" => new PrimitiveField(f.Name, PhysicalType.Double, repetition: f.Repetition),
            "decimal(7,2)" => new PrimitiveField(f.Name, PhysicalType.Int64, LogicalType.Decimal(7, 2), f.Repetition),
            "decimal(10,4)" => new PrimitiveField(f.Name, PhysicalType.Int64, LogicalType.Decimal(10, 4), f.Repetition),
            _ => throw new ArgumentException(change),
        };
        return new ParquetSchema([.. schema.Fields.Select(f => f.Name == column ? Retyped(f) : f)]);
    }

    /// <summary>The rows as a batch of <paramref name="schema"/>: each column filled from the record field of its name.</summary>
    public static RecordBatch Batch(ParquetSchema schema, IEnumerable<Ev> records)
    {
        var rows = records.ToList();
        var n = rows.Count;
        var columns = new List<ColumnVector>();
        foreach (PrimitiveField field in schema.Fields)
        {
            object? Value(Ev r) => field.Name switch
            {
                "id" => r.Id,
                "part" => r.Part,
                "ts" => r.Ts,
                "n" => r.N,
                "f" => r.F,
                "d" => r.D,
                "name" => r.Name,
                "note" => r.Note,
                "tail" or "extra" => r.Tail,
                _ => r.Tail,
            };
            var validity = new byte[Bitmap.BytesFor(n)];
            for (var i = 0; i < n; i++)
            {
                if (Value(rows[i]) is not null)
                {
                    Bitmap.Set(validity, i);
                }
            }

            columns.Add((field.PhysicalType, field.LogicalType?.Kind) switch
            {
                (PhysicalType.Int64, LogicalKind.Decimal) => new PrimitiveVector<long>(field, [.. rows.Select(r => (long)(r.D * (decimal)Math.Pow(10, field.LogicalType!.Scale)))], n, validity),
                (PhysicalType.Int64, _) => new PrimitiveVector<long>(field, [.. rows.Select(r => Whole(Value(r)))], n, validity),
                (PhysicalType.Int32, _) => new PrimitiveVector<int>(field, [.. rows.Select(r => (int)Whole(Value(r)))], n, validity),
                (PhysicalType.Float, _) => new PrimitiveVector<float>(field, [.. rows.Select(r => (float)r.F)], n, validity),
                (PhysicalType.Double, _) => new PrimitiveVector<double>(field, [.. rows.Select(r => r.F)], n, validity),
                (PhysicalType.ByteArray, _) => Recs.Strings(field, [.. rows.Select(r => Value(r)?.ToString())]),
                _ => throw new ArgumentException(field.ToString()),
            });
        }

        return new RecordBatch(schema, columns, n);
    }

    /// <summary>Every row a query returns, by column name (absent columns null), sorted by id.</summary>
    public static async Task<List<Ev>> ReadAsync(HudiTable table, HudiQuery? query = null)
    {
        var result = new List<Ev>();
        await foreach (var batch in table.ReadAsync(query ?? HudiQuery.Snapshot))
        {
            foreach (var row in batch.Rows())
            {
                object? Get(string name) => batch.Schema.IndexOf(name) >= 0 ? row[name] : null;
                result.Add(new Ev(
                    (long)Get("id")!,
                    (string)Get("part")!,
                    (long)Get("ts")!,
                    Convert.ToInt64(Get("n"), CultureInfo.InvariantCulture),
                    Convert.ToDouble(Get("f"), CultureInfo.InvariantCulture),
                    ((ParquetDecimal)Get("d")!).ToDecimal(),
                    (string?)Get("name"),
                    (string?)Get("note"),
                    (int?)Get("tail") ?? (Get("extra") is string e ? int.Parse(e, CultureInfo.InvariantCulture) : null)));
            }
        }

        return Sorted(result);
    }

    /// <summary>The rows as DuckDB renders columns id, part, ts, n, note, f, d (3 decimals), name, tail.</summary>
    public static IReadOnlyList<string> Json(IEnumerable<Ev> rows) => [.. rows.Select(r => Expected.Normalize(string.Create(
        CultureInfo.InvariantCulture,
        $$"""{"id":{{r.Id}},"part":"{{r.Part}}","ts":{{r.Ts}},"n":{{r.N}},"note":{{Str(r.Note)}},"f":{{JsonSerializer.Serialize(r.F)}},"d":"{{r.D.ToString("F3", CultureInfo.InvariantCulture)}}","name":{{Str(r.Name)}},"tail":{{(r.Tail is { } t ? t.ToString(CultureInfo.InvariantCulture) : "null")}}}""")))
        .Order(StringComparer.Ordinal)];

    public static async Task ShouldAllHaveOneSchemaAsync(HudiTable table)
    {
        var schemas = new HashSet<string>();
        foreach (var slice in await table.GetFileSlicesAsync())
        {
            using var reader = await table.OpenBaseFileAsync(slice.BaseFile);
            // Normalized: a legacy two-level list reads back with its element named "array".
            schemas.Add(HudiSchemaNormalizer.Shape(HudiSchemaNormalizer.Normalize(reader.Schema.Fields.Skip(5))));
        }

        schemas.Should().ContainSingle("every latest base file has the last commit's columns");
        var last = table.Timeline.LastCompletedWrite!;
        var commitFields = HudiSchemaNormalizer.Normalize(AvroSchema.Parse((await table.ReadCommitMetadataAsync(last)).Schema!).Fields);
        schemas.Single().Should().Be(HudiSchemaNormalizer.Shape(commitFields));
    }

    /// <summary>A whole number for an integer column (a value of another type, in the refused-change cases: 0).</summary>
    private static long Whole(object? value) => value switch
    {
        long l => l,
        int i => i,
        _ => 0,
    };

    private static string Str(string? value) => value is null ? "null" : JsonSerializer.Serialize(value);
}
