using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Cdc.Tests;

/// <summary>The sample bucket read into changes and deduped must end where DuckDB's SQL over the same files ends.</summary>
public class SampleMergeTests(SampleFixture sample) : IClassFixture<SampleFixture>
{
    [Theory]
    [InlineData("customers")]
    [InlineData("orders")]
    [InlineData("order_lines")]
    public async Task Each_sample_table_ends_in_the_state_duckdb_computes(string name)
    {
        var spec = sample.Table(name);
        var (schema, changes, _) = await CdcTestSupport.ReadTableAsync(spec);
        var columns = schema.Schema.Fields.Take(schema.DataFieldCount).Select(f => f.Name).ToList();

        var expected = ExpectedState.Query(DuckDb.Shared, new ExpectedStateSpec
        {
            Folder = spec.Source,
            RecordKey = spec.RecordKey,
            Ordering = schema.Ordering,
            BeforeImageKey = spec.BeforeImageKeyColumns,
            Columns = columns,
        });

        var actual = CdcTestSupport.FinalRows(changes, columns);
        actual.Should().Equal(Canonical.Render(expected).Order(StringComparer.Ordinal));
        actual.Count.Should().BeGreaterThan(100);
    }

    [Fact]
    public async Task Shuffled_files_dedupe_to_the_same_changes()
    {
        foreach (var spec in sample.Tables)
        {
            var (_, inOrder, _) = await CdcTestSupport.ReadTableAsync(spec);
            var random = new Random(5);
            var (_, shuffled, _) = await CdcTestSupport.ReadTableAsync(spec, reorder: files => files.OrderBy(_ => random.Next()));

            shuffled.Latest.Select(c => (c.Key, c.Op, c.Order.ToString())).Should().BeEquivalentTo(inOrder.Latest.Select(c => (c.Key, c.Op, c.Order.ToString())));
        }
    }

    [Fact]
    public async Task Changes_added_one_by_one_in_any_order_dedupe_the_same()
    {
        var spec = sample.Table("order_lines");
        var (_, inOrder, _) = await CdcTestSupport.ReadTableAsync(spec);
        using var store = Storage.ObjectStores.For(spec.Source);
        var reader = await ChangeReader.OpenAsync(store, spec, (await DmsDiscovery.ListAsync(store)).All);
        var all = new List<Change>();
        await foreach (var batch in reader.ReadAsync())
        {
            foreach (var change in batch.Changes())
            {
                all.Add(change);
                if (change.BeforeImageKey is { } old)
                {
                    all.Add(change.BeforeImageDelete(old));
                }
            }
        }

        for (var seed = 0; seed < 3; seed++)
        {
            var random = new Random(seed);
            var shuffled = new ChangeDeduplicator();
            foreach (var change in all.OrderBy(_ => random.Next()))
            {
                shuffled.Add(change);
            }

            shuffled.InOrder().Select(c => (c.Key, c.Op, c.Order.ToString())).Should().Equal(inOrder.InOrder().Select(c => (c.Key, c.Op, c.Order.ToString())));
        }
    }

    [Fact]
    public async Task Batches_added_from_several_threads_at_once_dedupe_as_one_thread_does()
    {
        foreach (var spec in sample.Tables)
        {
            var (_, inOrder, _) = await CdcTestSupport.ReadTableAsync(spec);
            using var store = Storage.ObjectStores.For(spec.Source);
            var reader = await ChangeReader.OpenAsync(store, spec, (await DmsDiscovery.ListAsync(store)).All);
            var batches = new List<ChangeBatch>();
            await foreach (var batch in reader.ReadAsync())
            {
                batches.Add(batch);
            }

            // Four threads, each adding every batch (repeats change nothing), in orders of their own.
            var concurrent = new ChangeDeduplicator();
            await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
            {
                var random = new Random(t);
                foreach (var batch in batches.OrderBy(_ => random.Next()))
                {
                    concurrent.Add(batch);
                }
            })));

            concurrent.InOrder().Select(c => (c.Key, c.Op, c.Order.ToString())).Should().Equal(inOrder.InOrder().Select(c => (c.Key, c.Op, c.Order.ToString())), spec.Name);
            concurrent.Stats.Rows.Should().Be(4 * inOrder.Stats.Rows);
            concurrent.Stats.BeforeImageDeletes.Should().Be(4 * inOrder.Stats.BeforeImageDeletes);
        }
    }

    [Fact]
    public async Task The_sample_has_every_kind_of_change_the_issue_lists()
    {
        var customers = await CdcTestSupport.ReadTableAsync(sample.Table("customers"));
        var orders = await CdcTestSupport.ReadTableAsync(sample.Table("orders"));
        var lines = await CdcTestSupport.ReadTableAsync(sample.Table("order_lines"));

        foreach (var (_, changes, _) in new[] { customers, orders, lines })
        {
            changes.Stats.Inserts.Should().BeGreaterThan(0);
            changes.Stats.Updates.Should().BeGreaterThan(0);
            changes.Stats.Deletes.Should().BeGreaterThan(0);
            changes.Stats.Superseded.Should().BeGreaterThan(0);
            changes.Stats.BadRows.Should().Be(0);
        }

        lines.Changes.Stats.BeforeImageDeletes.Should().BeGreaterThan(0, "lines are renumbered: primary-key updates");
        customers.Schema.Schema.IndexOf("loyalty_tier").Should().BeGreaterThan(0, "a column added mid-stream");
        orders.Listing.CdcFiles.Should().OnlyContain(f => f.RelativePath.Contains('/'), "orders' CDC files are in date folders");
        orders.Listing.CdcFiles.Select(f => f.RelativePath[..10]).Distinct().Should().HaveCountGreaterThan(1, "the batches cross midnight");
        orders.Listing.LoadFiles.Select(f => f.Name).Should().Contain("LOAD0000000A.parquet");
        orders.Schema.Schema.IndexOf("order_month").Should().BeGreaterThan(0);

        // Same-transaction ties: two changes of one key with one DMS_TIMESTAMP; the sequence decides.
        var ties = await SameTimestampChangesOfOneKeyAsync(sample.Table("orders"));
        ties.Should().BeGreaterThan(0);
    }

    [Fact]
    public void The_sample_is_deterministic()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        DmsSample.Write(a.Path, new DmsSampleOptions { Rows = 50, Batches = 3, Seed = 11 });
        DmsSample.Write(b.Path, new DmsSampleOptions { Rows = 50, Batches = 3, Seed = 11 });

        var filesA = Directory.EnumerateFiles(a.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(a.Path, f)).Order(StringComparer.Ordinal).ToList();
        var filesB = Directory.EnumerateFiles(b.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(b.Path, f)).Order(StringComparer.Ordinal).ToList();
        filesA.Should().Equal(filesB);
        foreach (var file in filesA)
        {
            File.ReadAllBytes(Path.Combine(a.Path, file)).Should().Equal(File.ReadAllBytes(Path.Combine(b.Path, file)), file);
        }

        using var c = new TempDirectory();
        DmsSample.Write(c.Path, new DmsSampleOptions { Rows = 50, Batches = 3, Seed = 12 });
        File.ReadAllBytes(Path.Combine(c.Path, "dms/sales/public/customers/LOAD00000001.parquet"))
            .Should().NotEqual(File.ReadAllBytes(Path.Combine(a.Path, "dms/sales/public/customers/LOAD00000001.parquet")));
    }

    [Fact]
    public void The_sample_files_have_dms_types()
    {
        var load = Parquet.ParquetReader.Open(Path.Combine(sample.Table("customers").Source, "LOAD00000001.parquet"));
        using (load)
        {
            load.Schema.Fields[0].ToString().Should().Be("DMS_TIMESTAMP: byte_array STRING not null");
            load.Schema["balance"].TypeName.Should().Be("fixed_len_byte_array(7) DECIMAL(15,2)");
            load.Schema["created_at"].TypeName.Should().Be("int64 TIMESTAMP(MILLIS,UTC)");
            load.Schema["age"].TypeName.Should().Be("int32 INT(16,signed)");
            load.Schema.IndexOf("Op").Should().Be(-1, "full-load files have no Op column");
            load.Info.RowGroups[0].Columns.Should().OnlyContain(c => c.Codec == "UNCOMPRESSED");
        }

        var cdcPath = Directory.EnumerateFiles(sample.Table("customers").Source, "2*.parquet").Order(StringComparer.Ordinal).First();
        using var cdc = Parquet.ParquetReader.Open(cdcPath);
        cdc.Schema.Fields[0].Name.Should().Be("Op", "Op is the first column of a CDC file");
        cdc.Schema.Fields[1].Name.Should().Be("DMS_TIMESTAMP");
        cdc.Info.RowGroups[0].Columns.Should().OnlyContain(c => c.Codec == "GZIP");
    }

    private static async Task<int> SameTimestampChangesOfOneKeyAsync(TableSpec spec)
    {
        using var store = Storage.ObjectStores.For(spec.Source);
        var listing = await DmsDiscovery.ListAsync(store);
        var reader = await ChangeReader.OpenAsync(store, spec, listing.CdcFiles);
        var seen = new HashSet<(string, string)>();
        var ties = 0;
        await foreach (var batch in reader.ReadAsync())
        {
            foreach (var change in batch.Changes())
            {
                if (!seen.Add((change.Key, (string)change.Row["DMS_TIMESTAMP"]!)))
                {
                    ties++;
                }
            }
        }

        return ties;
    }
}
