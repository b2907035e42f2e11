using System.Globalization;
using System.Numerics;
using CdcLake.Parquet;
using CdcLake.Storage;
using CdcLake.Testing;

namespace CdcLake.Cdc.Tests;

/// <summary>A sample bucket written once for the tests of a class.</summary>
public sealed class SampleFixture : IDisposable
{
    private readonly TempDirectory _dir = new("cdc-sample");

    public SampleFixture()
    {
        Result = DmsSample.Write(_dir.Path, new DmsSampleOptions { Rows = 300, Batches = 6, Seed = 7 });
        Tables = PipelineConfig.LoadAndResolve(Result.PipelineFile);
    }

    public DmsSampleResult Result { get; }

    public IReadOnlyList<TableSpec> Tables { get; }

    public string Root => _dir.Path;

    public TableSpec Table(string name) => Tables.Single(t => t.Name == name);

    public void Dispose() => _dir.Dispose();
}

/// <summary>Reading tables the way the job will, and building small DMS files by hand.</summary>
public static class CdcTestSupport
{
    /// <summary>Lists the table's folder, reads every file and dedupes: the changes a merge would apply.</summary>
    public static async Task<(ChangeSchema Schema, ChangeDeduplicator Changes, DmsListing Listing)> ReadTableAsync(
        TableSpec spec, ChangeReaderOptions? options = null, Func<IReadOnlyList<DmsFile>, IEnumerable<DmsFile>>? reorder = null)
    {
        using var store = ObjectStores.For(spec.Source);
        var listing = await DmsDiscovery.ListAsync(store);
        var reader = await ChangeReader.OpenAsync(store, spec, listing.All, options);
        var dedupe = new ChangeDeduplicator();
        var batches = new List<ChangeBatch>();
        foreach (var file in reorder?.Invoke([.. listing.All]) ?? listing.All)
        {
            await foreach (var batch in reader.ReadFileAsync(file))
            {
                batches.Add(batch);
            }
        }

        foreach (var batch in batches)
        {
            dedupe.Add(batch);
        }

        return (reader.Schema, dedupe, listing);
    }

    /// <summary>The surviving rows (deletes left out), each as the oracle's canonical JSON array of <paramref name="columns"/>, sorted.</summary>
    public static List<string> FinalRows(ChangeDeduplicator changes, IReadOnlyList<string> columns) =>
        [.. changes.Latest.Where(c => !c.IsDelete)
            .Select(c => "[" + string.Join(",", columns.Select(name => DuckCanonical.Render(c.Batch.Payload[name], c.Index))) + "]")
            .Order(StringComparer.Ordinal)];

    public static TableSpec Spec(string source, string[] key, string[]? ordering = null) => new()
    {
        Name = "t",
        Source = source,
        Target = source + "-lake",
        RecordKey = key,
        Ordering = ordering ?? ["AR_H_CHANGE_SEQ", "DMS_TIMESTAMP"],
    };

    public static PrimitiveField Text(string name, Repetition repetition = Repetition.Optional) => new(name, PhysicalType.ByteArray, LogicalType.String, repetition);

    public static PrimitiveField Long(string name) => new(name, PhysicalType.Int64);

    public static PrimitiveField Int(string name) => new(name, PhysicalType.Int32);

    /// <summary>Writes a Parquet file whose columns hold the given values (null for null).</summary>
    public static void WriteFile(string path, params (Field Field, object?[] Values)[] columns)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var rows = columns[0].Values.Length;
        var schema = new ParquetSchema([.. columns.Select(c => c.Field)]);
        var vectors = columns.Select(c => Vector((PrimitiveField)c.Field, c.Values)).ToArray();
        using var writer = ParquetWriter.Create(path, schema, new ParquetWriteOptions { Codec = ParquetCodec.None });
        writer.Write(new RecordBatch(schema, vectors, rows));
        writer.Close();
    }

    /// <summary>A CDC file's usual header columns: Op, DMS_TIMESTAMP, AR_H_CHANGE_SEQ.</summary>
    public static (Field, object?[])[] Header(string[] ops, string[] timestamps, string?[] sequences) =>
    [
        (Text("Op"), ops),
        (Text("DMS_TIMESTAMP", Repetition.Required), timestamps),
        (Text("AR_H_CHANGE_SEQ"), sequences),
    ];

    public static string Seq(int n) => "2024030100000000" + n.ToString("D19", CultureInfo.InvariantCulture);

    private static ColumnVector Vector(PrimitiveField field, object?[] values)
    {
        var length = values.Length;
        var validity = new byte[Bitmap.BytesFor(length)];
        for (var i = 0; i < length; i++)
        {
            if (values[i] is not null)
            {
                Bitmap.Set(validity, i);
            }
        }

        switch (field.PhysicalType)
        {
            case PhysicalType.Boolean:
                return new BooleanVector(field, [.. values.Select(v => v is true)], length, validity);
            case PhysicalType.Int32:
                return new PrimitiveVector<int>(field, [.. values.Select(v => v switch
                {
                    null => 0,
                    decimal d => (int)(d * (decimal)Math.Pow(10, field.LogicalType!.Scale)),
                    _ => Convert.ToInt32(v, CultureInfo.InvariantCulture),
                })], length, validity);
            case PhysicalType.Int64:
                return new PrimitiveVector<long>(field, [.. values.Select(v => v switch
                {
                    null => 0,
                    DateTime t when field.LogicalType?.Unit == TimeUnit.Millis => (t.Ticks - DateTime.UnixEpoch.Ticks) / 10_000,
                    DateTime t when field.LogicalType?.Unit == TimeUnit.Micros => (t.Ticks - DateTime.UnixEpoch.Ticks) / 10,
                    decimal d => (long)(d * (decimal)Math.Pow(10, field.LogicalType!.Scale)),
                    _ => Convert.ToInt64(v, CultureInfo.InvariantCulture),
                })], length, validity);
            case PhysicalType.Int96:
                return new PrimitiveVector<Int96>(field, [.. values.Select(v => v is DateTime t ? Int96.FromUnixMicros((t.Ticks - DateTime.UnixEpoch.Ticks) / 10) : default)], length, validity);
            case PhysicalType.Float:
                return new PrimitiveVector<float>(field, [.. values.Select(v => v is null ? 0f : Convert.ToSingle(v, CultureInfo.InvariantCulture))], length, validity);
            case PhysicalType.Double:
                return new PrimitiveVector<double>(field, [.. values.Select(v => v is null ? 0d : Convert.ToDouble(v, CultureInfo.InvariantCulture))], length, validity);
            case PhysicalType.FixedLenByteArray:
            {
                var width = field.TypeLength;
                var data = new byte[length * width];
                var offsets = new int[length + 1];
                for (var i = 0; i < length; i++)
                {
                    offsets[i + 1] = (i + 1) * width;
                    if (values[i] is decimal d)
                    {
                        ParquetDecimal.WriteBigEndian(new BigInteger(d * (decimal)Math.Pow(10, field.LogicalType!.Scale)), data.AsSpan(i * width, width));
                    }
                }

                return new BinaryVector(field, offsets, data, length, validity);
            }

            default:
            {
                if (field.LogicalType?.Kind == LogicalKind.Decimal)
                {
                    var bytes = values.Select(v => v is decimal d ? new BigInteger(d * (decimal)Math.Pow(10, field.LogicalType.Scale)).ToByteArray(isBigEndian: true) : []).ToList();
                    var offsets = new int[length + 1];
                    for (var i = 0; i < length; i++)
                    {
                        offsets[i + 1] = offsets[i] + bytes[i].Length;
                    }

                    return new BinaryVector(field, offsets, [.. bytes.SelectMany(b => b)], length, validity);
                }

                var text = values.Select(v => v as string ?? "").ToList();
                var offs = new int[length + 1];
                var all = new List<byte>();
                for (var i = 0; i < length; i++)
                {
                    all.AddRange(System.Text.Encoding.UTF8.GetBytes(text[i]));
                    offs[i + 1] = all.Count;
                }

                return new BinaryVector(field, offs, [.. all], length, validity);
            }
        }
    }
}
