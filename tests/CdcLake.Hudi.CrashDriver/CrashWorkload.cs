using CdcLake.Parquet;

namespace CdcLake.Hudi.CrashDriver;

/// <summary>One record of the crash test's table (key id, partition = id % 3, precombine ts).</summary>
public sealed record CrashRecord(long Id, string Name, long Ts, string Part)
{
    public static string PartOf(long id) => $"p{id % 3}";
}

public enum CrashOpKind
{
    BulkInsert,
    Upsert,
    Delete,
    InsertOverwrite,
    Clean,
}

/// <summary>
/// What round <c>r</c> of a seeded crash run writes. The test applies the same operation to its own model. An upsert's
/// <see cref="DeleteIds"/> are deleted in the same commit (rows marked by <see cref="CrashWorkload.DeleteMarker"/>);
/// with <see cref="AddsColumn"/> its input carries one more nullable column, so the commit rewrites every file group.
/// </summary>
public sealed record CrashOp(int Round, CrashOpKind Kind, IReadOnlyList<CrashRecord> Records, IReadOnlyList<long> DeleteIds, string? Partition, bool AddsColumn = false);

/// <summary>The deterministic workload shared by the driver (which writes it) and the test (which predicts its result).</summary>
public static class CrashWorkload
{
    public const string TableName = "crash";

    /// <summary>Keys are drawn from [0, KeySpace).</summary>
    public const int KeySpace = 240;

    public const string DeleteMarker = "_hoodie_is_deleted";

    public static readonly ParquetSchema Schema = new(
    [
        new PrimitiveField("id", PhysicalType.Int64),
        new PrimitiveField("name", PhysicalType.ByteArray, LogicalType.String),
        new PrimitiveField("ts", PhysicalType.Int64),
        new PrimitiveField("part", PhysicalType.ByteArray, LogicalType.String),
    ]);

    public static NewTableOptions Table => new()
    {
        TableName = TableName,
        RecordKeyFields = ["id"],
        PrecombineField = "ts",
        PartitionFields = ["part"],
    };

    public static CrashOp Operation(int seed, int round)
    {
        // Not HashCode.Combine: it is salted per process, and the test and the driver must draw the same operation.
        var random = new Random(unchecked((seed * 1_000_003) + round));
        if (round == 0)
        {
            return new CrashOp(round, CrashOpKind.BulkInsert, [.. Enumerable.Range(0, 90).Select(i => Record(i, round))], [], null);
        }

        var dice = random.Next(100);
        if (dice < 55)
        {
            var ids = Enumerable.Range(0, 14).Select(_ => (long)random.Next(KeySpace)).Distinct().ToList();
            var records = ids.Select(id => Record(id, round)).ToList();
            // A stale version of one key (ts 0, older than anything stored) in the same input: precombine drops it.
            records.Add(Record(ids[0], 0) with { Name = "stale" });
            var deletes = Enumerable.Range(0, 2).Select(_ => (long)random.Next(KeySpace)).Where(id => !ids.Contains(id)).Distinct().ToList();
            return new CrashOp(round, CrashOpKind.Upsert, records, deletes, null, AddsColumn: round % 7 == 3);
        }

        if (dice < 70)
        {
            return new CrashOp(round, CrashOpKind.Delete, [], [.. Enumerable.Range(0, 4).Select(_ => (long)random.Next(KeySpace)).Distinct()], null);
        }

        if (dice < 80)
        {
            var partition = $"p{random.Next(3)}";
            var ids = Enumerable.Range(0, KeySpace).Where(i => CrashRecord.PartOf(i) == partition).OrderBy(_ => random.Next()).Take(10).Select(i => (long)i);
            return new CrashOp(round, CrashOpKind.InsertOverwrite, [.. ids.Select(id => Record(id, round))], [], partition);
        }

        return new CrashOp(round, CrashOpKind.Clean, [], [], null);
    }

    public static CrashRecord Record(long id, int round) => new(id, $"r{round}-k{id}", round, CrashRecord.PartOf(id));

    public static RecordBatch Batch(IReadOnlyList<CrashRecord> records)
    {
        var f = Schema.Fields;
        return new RecordBatch(
            Schema,
            [
                new PrimitiveVector<long>(f[0], [.. records.Select(r => r.Id)], records.Count),
                Strings(f[1], [.. records.Select(r => r.Name)]),
                new PrimitiveVector<long>(f[2], [.. records.Select(r => r.Ts)], records.Count),
                Strings(f[3], [.. records.Select(r => r.Part)]),
            ],
            records.Count);
    }

    public static RecordBatch Keys(IReadOnlyList<long> ids) =>
        Batch([.. ids.Select(id => new CrashRecord(id, "", 0, CrashRecord.PartOf(id)))]);

    public static HudiWriteOptions WriteOptions(ITableLockProvider locks, IWriteObserver? observer) => new()
    {
        LockProvider = locks,
        Observer = observer,
        // Every record ~1 KB; files under 600 KB take inserts until 1 MB: a few file groups per partition.
        TargetFileSizeBytes = 1024 * 1024,
        SmallFileLimitBytes = 600 * 1024,
        RecordSizeEstimate = 1024,
        CleanerCommitsRetained = 2,
        Codec = ParquetCodec.Snappy,
        DeleteMarkerField = DeleteMarker,
    };

    /// <summary>An upsert's rows, then its deletes (key, partition and ts of the round: newer than anything stored), marked.</summary>
    public static RecordBatch UpsertBatch(CrashOp op)
    {
        var rows = op.Records.Concat(op.DeleteIds.Select(id => new CrashRecord(id, "", op.Round, CrashRecord.PartOf(id)))).ToList();
        var batch = Batch(rows);
        var marker = new PrimitiveField(DeleteMarker, PhysicalType.Boolean);
        var fields = new List<Field>(batch.Schema.Fields) { marker };
        var columns = new List<ColumnVector>(batch.Columns) { new BooleanVector(marker, [.. rows.Select((_, i) => i >= op.Records.Count)], rows.Count) };
        if (op.AddsColumn)
        {
            var note = new PrimitiveField($"note{op.Round}", PhysicalType.ByteArray, LogicalType.String);
            fields.Add(note);
            columns.Add(Strings(note, [.. rows.Select(r => r.Name)]));
        }

        return new RecordBatch(new ParquetSchema(fields), columns, rows.Count);
    }

    /// <summary>Runs <paramref name="op"/>: creates the table when it does not exist yet.</summary>
    public static async Task<string?> RunAsync(CdcLake.Storage.IObjectStore store, CrashOp op, HudiWriteOptions options)
    {
        if (!await store.ExistsAsync(".hoodie/hoodie.properties"))
        {
            await HudiWriteClient.CreateTableAsync(store, "", Table, Schema);
        }

        var client = new HudiWriteClient(store, "", options);
        var checkpoint = new Dictionary<string, string> { ["deltastreamer.checkpoint.key"] = $"round-{op.Round}" };
        return op.Kind switch
        {
            CrashOpKind.BulkInsert => (await client.BulkInsertAsync([Batch(op.Records)], checkpoint)).InstantTime,
            CrashOpKind.Upsert => (await client.UpsertAsync([UpsertBatch(op)], checkpoint)).InstantTime,
            CrashOpKind.Delete => (await client.DeleteAsync([Keys(op.DeleteIds)], checkpoint)).InstantTime,
            CrashOpKind.InsertOverwrite => (await client.InsertOverwriteAsync([Batch(op.Records)], wholeTable: false, checkpoint)).InstantTime,
            CrashOpKind.Clean => (await client.CleanAsync()).CleanInstant,
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
    }

    private static BinaryVector Strings(Field field, string[] values)
    {
        var offsets = new int[values.Length + 1];
        var data = new List<byte>();
        for (var i = 0; i < values.Length; i++)
        {
            data.AddRange(System.Text.Encoding.UTF8.GetBytes(values[i]));
            offsets[i + 1] = data.Count;
        }

        return new BinaryVector(field, offsets, [.. data], values.Length);
    }
}
