using CdcLake.Parquet;
using CdcLake.Storage;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>
/// The index's pruning by the key field's row group statistics (an integer record key is its value's text, so a
/// row group whose id statistics are [min, max] holds no other integer's key), and its fallbacks. Every upsert here
/// updates keys that are stored and inserts new ones: a key the pruning wrongly ruled out would be inserted a second
/// time, so each test reads the whole table back and compares it with the expected rows kept here.
/// </summary>
public sealed class KeyStatisticsPruningTests
{
    private const int RowGroupRows = 100;

    [Fact]
    public async Task Only_row_groups_whose_id_range_holds_a_key_are_read_edges_included()
    {
        using var place = TestStore.Create("local");
        var (client, expected) = await LoadAsync(place.Store, TestTables.Options("t", partitioned: false), Enumerable.Range(0, 1000));

        // Row group 0 holds ids 0..99, 1 ids 100..199, 5 ids 500..599: the only key of the first is its maximum, the
        // only key of the second its minimum.
        var result = await UpsertAsync(client, expected, [99, 100, 550], [5000, -1]);

        result.Updates.Should().Be(3);
        result.Inserts.Should().Be(2);
        result.IndexRowGroupsRead.Should().Be(3, "id 99 is in row group 0, 100 in row group 1, 550 in row group 5");
        result.IndexRowGroupsPruned.Should().Be(7);
        (await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store))).Should().Equal(Recs.Sorted(expected.Values));
    }

    [Fact]
    public async Task Negative_ids_are_bounded_as_integers_not_as_text()
    {
        using var place = TestStore.Create("local");

        // As text "-1" < "-100" < "-2": the statistics must be read as the signed integers they are.
        var (client, expected) = await LoadAsync(place.Store, TestTables.Options("t", partitioned: false), Enumerable.Range(-500, 1000));
        var result = await UpsertAsync(client, expected, [-500, -401, -400, -1, 0, 499], [-501, 500]);

        result.Updates.Should().Be(6);
        result.Inserts.Should().Be(2);
        result.IndexRowGroupsRead.Should().Be(5, "-500 and -401 are in row group 0, -400 in 1, -1 in 4, 0 in 5, 499 in 9");
        (await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store))).Should().Equal(Recs.Sorted(expected.Values));
    }

    [Fact]
    public async Task A_file_whose_statistics_exclude_every_key_is_not_read_nor_rewritten()
    {
        using var place = TestStore.Create("local");
        var (client, expected) = await LoadAsync(place.Store, TestTables.Options("t", partitioned: false), Enumerable.Range(0, 300));
        var second = await client.BulkInsertAsync([Recs.Batch(Recs.Range(1000, 1300, ts: 1))]);
        second.FileGroupsCreated.Should().Be(1);
        foreach (var r in Recs.Range(1000, 1300, ts: 1))
        {
            expected[r.Id] = r;
        }

        var result = await UpsertAsync(client, expected, [1000, 1299], []);

        result.IndexFootersRead.Should().Be(2);
        result.IndexFilesProbed.Should().Be(1, "ids 0..299 bound the first file's row groups, none holds 1000 or 1299");
        result.IndexRowGroupsRead.Should().Be(2);
        result.FileGroupsRewritten.Should().Be(1);
        result.Metadata.AllWriteStats.Should().ContainSingle().Which.FileId.Should().Be(second.Metadata.AllWriteStats.Single().FileId);
        (await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store))).Should().Equal(Recs.Sorted(expected.Values));
    }

    [Fact]
    public async Task Files_without_statistics_are_read_whole()
    {
        using var place = TestStore.Create("local");
        var (client, expected) = await LoadAsync(place.Store, TestTables.Options("t", partitioned: false), Enumerable.Range(0, 1000));
        var table = await HudiTable.OpenAsync(place.Store);
        var file = (await table.GetFileSlicesAsync()).Single().BaseFile;
        RewriteWithoutStatistics(Path.Combine(place.LocalPath!, file.Path));

        var result = await UpsertAsync(client, expected, [0, 999, 550], [5000]);

        result.Updates.Should().Be(3);
        result.IndexRowGroupsRead.Should().Be(10, "without statistics no row group can be ruled out");
        result.IndexRowGroupsPruned.Should().Be(0);
        (await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store))).Should().Equal(Recs.Sorted(expected.Values));
    }

    [Theory]
    [InlineData(KeyGeneratorClasses.Simple, "id", true)]
    [InlineData(KeyGeneratorClasses.Complex, "id", true)]
    [InlineData(KeyGeneratorClasses.Complex, "id", false)]
    [InlineData(KeyGeneratorClasses.Complex, "id,part", true)]
    public async Task Partitioned_prefixed_and_composite_keys_find_every_key(string keyGenerator, string keyFields, bool prefixed)
    {
        using var place = TestStore.Create("local");

        // Keys "5", "id:5" or "id:5,part:b": only the bare one is an integer's text, pruned by statistics.
        var options = TestTables.Options("t", partitioned: true, keyGenerator: keyGenerator) with { RecordKeyFields = keyFields.Split(',') };
        var writeOptions = TestTables.WriteOptions() with
        {
            RowGroupRows = RowGroupRows,
            KeyGeneratorOptions = new KeyGeneratorOptions { ComplexKeySingleFieldPrefixed = prefixed },
        };
        var (client, expected) = await LoadAsync(place.Store, options, Enumerable.Range(0, 1000), writeOptions, "a", "b");
        var result = await UpsertAsync(client, expected, [0, 1, 998, 999, 500], [5000, 5001], "a", "b");

        result.Updates.Should().Be(5);
        result.Inserts.Should().Be(2);
        if (keyFields == "id" && (keyGenerator == KeyGeneratorClasses.Simple || !prefixed))
        {
            result.IndexRowGroupsRead.Should().BeLessThan(10, "bare integer keys are bounded by the id statistics");
        }
        else
        {
            result.IndexRowGroupsPruned.Should().Be(0, "a prefixed or composite key is not an integer's text");
        }

        (await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store))).Should().Equal(Recs.Sorted(expected.Values));
    }

    [Fact]
    public async Task A_string_key_that_looks_like_integers_is_not_pruned_by_statistics()
    {
        using var place = TestStore.Create("local");

        // The key is "name", a string column: its text is not the id's, and no integer statistics bound it.
        var options = TestTables.Options("t", partitioned: false) with { RecordKeyFields = ["name"] };
        await HudiWriteClient.CreateTableAsync(place.Store, "", options, Recs.SourceSchema);
        var client = new HudiWriteClient(place.Store, "", TestTables.WriteOptions() with { RowGroupRows = RowGroupRows });
        var rows = Enumerable.Range(0, 1000).Select(i => new Rec(i, $"{999 - i}", 1, null)).ToList();
        await client.BulkInsertAsync([Recs.Batch(rows)]);

        // Names "999" (id 0) and "0" (id 999): an id-statistics pruning would look for the names in the wrong row groups.
        var result = await client.UpsertAsync([Recs.Batch([new Rec(0, "999", 2, null), new Rec(999, "0", 2, null), new Rec(5000, "5000", 2, null)])]);

        result.Updates.Should().Be(2);
        result.Inserts.Should().Be(1);
        result.IndexRowGroupsPruned.Should().Be(0);
        var read = await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store));
        read.Should().HaveCount(1001);
        read.Where(r => r.Ts == 2).Select(r => r.Id).Should().Equal(0, 999, 5000);
    }

    [Fact]
    public async Task A_given_record_key_other_than_the_fields_key_is_refused_for_a_stored_row()
    {
        using var place = TestStore.Create("local");
        var (client, _) = await LoadAsync(place.Store, TestTables.Options("t", partitioned: false), Enumerable.Range(0, 10));
        var before = await (await HudiTable.OpenAsync(place.Store)).GetFileSlicesAsync();

        // Row id 5 claiming key "7": stored so, it would be a key its id statistics do not bound.
        var row = Recs.Batch([new Rec(5, "x", 2, null)]);
        var keyField = new PrimitiveField(HoodieMetaFields.RecordKey, PhysicalType.ByteArray, LogicalType.String);
        var input = new RecordBatch(new ParquetSchema([.. row.Schema.Fields, keyField]), [.. row.Columns, Recs.Strings(keyField, ["7"])], 1);

        var upsert = () => client.UpsertAsync([input]);

        (await upsert.Should().ThrowAsync<HudiException>()).Which.Message.Should().Contain("row 0").And.Contain("\"7\"").And.Contain("\"5\"");
        var table = await HudiTable.OpenAsync(place.Store);
        (await table.GetFileSlicesAsync()).Should().BeEquivalentTo(before);
        (await Recs.ReadAsync(table)).Select(r => r.Ts).Should().OnlyContain(ts => ts == 1);
    }

    [Theory]
    [InlineData("5", true, 5L)]
    [InlineData("-5", true, -5L)]
    [InlineData("0", true, 0L)]
    [InlineData("9223372036854775807", true, long.MaxValue)]
    [InlineData("-9223372036854775808", true, long.MinValue)]
    [InlineData("9223372036854775808", false, 0L)]
    [InlineData("-9223372036854775809", false, 0L)]
    [InlineData("18446744073709551616", false, 0L)]
    [InlineData("-00", false, 0L)]
    [InlineData("-0", false, 0L)]
    [InlineData("05", false, 0L)]
    [InlineData("+5", false, 0L)]
    [InlineData(" 5", false, 0L)]
    [InlineData("", false, 0L)]
    [InlineData("-", false, 0L)]
    [InlineData("5a", false, 0L)]
    public void Only_canonical_decimal_text_is_an_integer_key(string key, bool parsed, long value)
    {
        RecordIndex.TryParseCanonical(key, out var result).Should().Be(parsed);
        RecordIndex.TryParseCanonical(System.Text.Encoding.UTF8.GetBytes(key), out var fromBytes).Should().Be(parsed, "stored keys are parsed from their UTF-8 bytes");
        if (parsed)
        {
            result.Should().Be(value);
            fromBytes.Should().Be(value);
            result.ToString(System.Globalization.CultureInfo.InvariantCulture).Should().Be(key);
        }
    }

    [Fact]
    public void The_integer_set_holds_exactly_its_members_and_is_not_made_for_sparse_ranges()
    {
        var set = IntegerSet.Of([-70, -5, 0, 63, 64, 700])!;

        new long[] { -70, -5, 0, 63, 64, 700 }.Should().OnlyContain(v => set.Contains(v));
        new long[] { -71, -69, -6, -4, 1, 62, 65, 699, 701, long.MinValue, long.MaxValue }.Should().NotContain(v => set.Contains(v));
        IntegerSet.Of([0, 1L << 40]).Should().BeNull("a trillion bits for two keys");
        IntegerSet.Of([long.MinValue, long.MaxValue]).Should().BeNull("the span does not fit a long");
        IntegerSet.Of([]).Should().BeNull();
        IntegerSet.Of([long.MaxValue - 1, long.MaxValue])!.Contains(long.MaxValue).Should().BeTrue();
        IntegerSet.Of([long.MinValue])!.Contains(long.MinValue).Should().BeTrue();
    }

    [Theory]
    [InlineData(-70L, -70L, true)]
    [InlineData(-69L, -6L, false)]
    [InlineData(-6L, -5L, true)]
    [InlineData(1L, 62L, false)]
    [InlineData(1L, 63L, true)]
    [InlineData(65L, 699L, false)]
    [InlineData(700L, long.MaxValue, true)]
    [InlineData(701L, long.MaxValue, false)]
    [InlineData(long.MinValue, -71L, false)]
    [InlineData(long.MinValue, long.MaxValue, true)]
    [InlineData(10L, 5L, false)]
    public void The_integer_set_tells_whether_a_member_lies_in_a_range(long from, long to, bool any)
    {
        IntegerSet.Of([-70, -5, 0, 63, 64, 700])!.AnyIn(from, to).Should().Be(any);
    }

    /// <summary>A table loaded with <paramref name="ids"/> in order, in row groups of <see cref="RowGroupRows"/>, one file.</summary>
    private static Task<(HudiWriteClient Client, Dictionary<long, Rec> Expected)> LoadAsync(IObjectStore store, NewTableOptions table, IEnumerable<int> ids) =>
        LoadAsync(store, table, ids, TestTables.WriteOptions() with { RowGroupRows = RowGroupRows });

    private static async Task<(HudiWriteClient Client, Dictionary<long, Rec> Expected)> LoadAsync(IObjectStore store, NewTableOptions table, IEnumerable<int> ids, HudiWriteOptions options, params string[] parts)
    {
        await HudiWriteClient.CreateTableAsync(store, "", table, Recs.SourceSchema);
        var client = new HudiWriteClient(store, "", options);
        var rows = ids.Select(i => Recs.Range(i, i + 1, ts: 1, parts)[0]).ToList();
        var result = await client.BulkInsertAsync([Recs.Batch(rows)]);
        result.FileGroupsCreated.Should().Be(parts.Length == 0 ? 1 : parts.Length);
        return (client, rows.ToDictionary(r => r.Id));
    }

    private static async Task<WriteResult> UpsertAsync(HudiWriteClient client, Dictionary<long, Rec> expected, long[] updates, long[] inserts, params string[] parts)
    {
        var changes = updates.Select(id => expected[id] with { Name = "changed", Ts = 2 })
            .Concat(inserts.Select(id => new Rec(id, "new", 2, parts.Length == 0 ? null : parts[(int)(id % parts.Length)], 1m, null)))
            .ToList();
        var result = await client.UpsertAsync([Recs.Batch(changes)]);
        foreach (var c in changes)
        {
            expected[c.Id] = c;
        }

        return result;
    }

    /// <summary>The file as it is, its rows and footer metadata kept, but without column statistics (as some writers leave them out).</summary>
    private static void RewriteWithoutStatistics(string path)
    {
        var batches = new List<RecordBatch>();
        ParquetSchema schema;
        Dictionary<string, string> metadata;
        using (var reader = ParquetReader.Open(path))
        {
            schema = reader.Schema;
            metadata = reader.Info.KeyValueMetadata.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!);
            batches.AddRange(reader.ReadBatches());
            reader.Info.RowGroups.Should().OnlyContain(g => IdStatistics(g) != null, "the writer records statistics");
        }

        using (var output = File.Create(path))
        using (var writer = new ParquetWriter(output, schema, new ParquetWriteOptions { WriteStatistics = false, KeyValueMetadata = metadata, RowGroupRows = RowGroupRows }))
        {
            foreach (var batch in batches)
            {
                writer.Write(batch);
            }
        }

        using var check = ParquetReader.Open(path);
        check.Info.RowGroups.Should().HaveCount(10).And.OnlyContain(g => IdStatistics(g) == null);
    }

    private static object? IdStatistics(RowGroupInfo rowGroup) => rowGroup.Columns.Single(c => c.Column.DottedPath == "id").Statistics?.Min;
}
