using System.Text;
using System.Text.Json;
using CdcLake.Hudi.Internal;

namespace CdcLake.Hudi;

/// <summary>
/// The JSON content of a version-6 <c>.commit</c>, <c>.inflight</c> or <c>.replacecommit</c> file (Hudi's
/// HoodieCommitMetadata / HoodieReplaceCommitMetadata). <see cref="ToJson"/> writes the shape Spark
/// writes, byte for byte; fields this class does not model survive a parse/write round trip.
/// </summary>
public sealed class HoodieCommitMetadata
{
    /// <summary>The extraMetadata key holding the writer's Avro schema (without the _hoodie_* fields).</summary>
    public const string SchemaKey = "schema";

    private static readonly byte[] s_avroMagic = [(byte)'O', (byte)'b', (byte)'j', 1];

    /// <summary>Write stats by partition path ("" for a non-partitioned table).</summary>
    public OrderedDictionary<string, List<HoodieWriteStat>> PartitionToWriteStats { get; } = new(StringComparer.Ordinal);

    public bool Compacted { get; set; }

    /// <summary>String metadata: <see cref="SchemaKey"/>, and e.g. a streamer's source checkpoint.</summary>
    public OrderedDictionary<string, string> ExtraMetadata { get; } = new(StringComparer.Ordinal);

    /// <summary>E.g. <see cref="WriteOperationType.Upsert"/>.</summary>
    public string? OperationType { get; set; }

    /// <summary>Replace commits only: the file groups each partition's write replaced; null in a plain commit.</summary>
    public OrderedDictionary<string, List<string>>? PartitionToReplaceFileIds { get; set; }

    public OrderedDictionary<string, JsonElement> ExtensionData { get; } = new(StringComparer.Ordinal);

    public string? Schema
    {
        get => ExtraMetadata.GetValueOrDefault(SchemaKey);
        set
        {
            if (value is null)
            {
                ExtraMetadata.Remove(SchemaKey);
            }
            else
            {
                ExtraMetadata[SchemaKey] = value;
            }
        }
    }

    public IEnumerable<HoodieWriteStat> AllWriteStats => PartitionToWriteStats.Values.SelectMany(s => s);

    /// <summary>
    /// Parses a commit file's bytes. An empty file (a requested commit) gives empty metadata.
    /// </summary>
    /// <exception cref="UnsupportedTableVersionException">The file is Avro (a table version 8+ timeline).</exception>
    /// <exception cref="HudiException">The JSON is malformed or a field has the wrong type.</exception>
    public static HoodieCommitMetadata Parse(ReadOnlySpan<byte> content)
    {
        if (content.StartsWith(s_avroMagic))
        {
            throw new UnsupportedTableVersionException(8, "the instant file holds Avro (the table version 8+ timeline); only version 6 JSON instants are read");
        }

        var metadata = new HoodieCommitMetadata();
        if (content.Trim(" \t\r\n"u8).IsEmpty)
        {
            return metadata;
        }

        try
        {
            using var document = JsonDocument.Parse(content.ToArray());
            metadata.Read(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new HudiException($"commit metadata is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new HudiException($"commit metadata has a field of the wrong type: {e.Message}", e);
        }
        catch (FormatException e)
        {
            throw new HudiException($"commit metadata has a field of the wrong type: {e.Message}", e);
        }

        return metadata;
    }

    public static HoodieCommitMetadata Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));

    /// <summary>Adds a stat under its <see cref="HoodieWriteStat.PartitionPath"/>.</summary>
    public void AddWriteStat(HoodieWriteStat stat)
    {
        ArgumentNullException.ThrowIfNull(stat);
        var partition = stat.PartitionPath ?? throw new ArgumentException("the write stat has no partition path", nameof(stat));
        if (!PartitionToWriteStats.TryGetValue(partition, out var list))
        {
            list = [];
            PartitionToWriteStats[partition] = list;
        }

        list.Add(stat);
    }

    /// <summary>The JSON Spark writes (Jackson's default pretty printer, no final newline).</summary>
    public string ToJson()
    {
        var w = new JacksonWriter(pretty: true);
        w.StartObject();
        w.Name("partitionToWriteStats");
        w.StartObject();
        foreach (var (partition, stats) in PartitionToWriteStats)
        {
            w.Name(partition);
            w.StartArray();
            foreach (var stat in stats)
            {
                WriteStat(w, stat);
            }

            w.EndArray();
        }

        w.EndObject();
        w.Name("compacted");
        w.Bool(Compacted);
        w.Name("extraMetadata");
        w.StartObject();
        foreach (var (key, value) in ExtraMetadata)
        {
            w.Name(key);
            w.String(value);
        }

        w.EndObject();
        w.Name("operationType");
        w.String(OperationType);
        if (PartitionToReplaceFileIds is not null)
        {
            w.Name("partitionToReplaceFileIds");
            w.StartObject();
            foreach (var (partition, fileIds) in PartitionToReplaceFileIds)
            {
                w.Name(partition);
                w.StartArray();
                foreach (var fileId in fileIds)
                {
                    w.String(fileId);
                }

                w.EndArray();
            }

            w.EndObject();
        }

        WriteExtensions(w, ExtensionData);
        w.EndObject();
        return w.ToString();
    }

    /// <summary><see cref="ToJson"/> as UTF-8 bytes, the commit file's content.</summary>
    public byte[] ToUtf8Bytes() => Encoding.UTF8.GetBytes(ToJson());

    private static void WriteStat(JacksonWriter w, HoodieWriteStat s)
    {
        w.StartObject();
        w.Name("fileId");
        w.String(s.FileId);
        w.Name("path");
        w.String(s.Path);
        w.Name("cdcStats");
        if (s.CdcStats is null)
        {
            w.Null();
        }
        else
        {
            w.StartObject();
            foreach (var (key, value) in s.CdcStats)
            {
                w.Name(key);
                w.Number(value);
            }

            w.EndObject();
        }

        w.Name("prevCommit");
        w.String(s.PrevCommit);
        Long(w, "numWrites", s.NumWrites);
        Long(w, "numDeletes", s.NumDeletes);
        Long(w, "numUpdateWrites", s.NumUpdateWrites);
        Long(w, "numInserts", s.NumInserts);
        Long(w, "totalWriteBytes", s.TotalWriteBytes);
        Long(w, "totalWriteErrors", s.TotalWriteErrors);
        w.Name("tempPath");
        w.String(s.TempPath);
        w.Name("partitionPath");
        w.String(s.PartitionPath);
        Long(w, "totalLogRecords", s.TotalLogRecords);
        Long(w, "totalLogFilesCompacted", s.TotalLogFilesCompacted);
        Long(w, "totalLogSizeCompacted", s.TotalLogSizeCompacted);
        Long(w, "totalUpdatedRecordsCompacted", s.TotalUpdatedRecordsCompacted);
        Long(w, "totalLogBlocks", s.TotalLogBlocks);
        Long(w, "totalCorruptLogBlock", s.TotalCorruptLogBlock);
        Long(w, "totalRollbackBlocks", s.TotalRollbackBlocks);
        Long(w, "fileSizeInBytes", s.FileSizeInBytes);
        w.Name("minEventTime");
        w.Number(s.MinEventTime);
        w.Name("maxEventTime");
        w.Number(s.MaxEventTime);
        w.Name("runtimeStats");
        if (s.RuntimeStats is { } r)
        {
            w.StartObject();
            Long(w, "totalScanTime", r.TotalScanTime);
            Long(w, "totalUpsertTime", r.TotalUpsertTime);
            Long(w, "totalCreateTime", r.TotalCreateTime);
            WriteExtensions(w, r.ExtensionData);
            w.EndObject();
        }
        else
        {
            w.Null();
        }

        WriteExtensions(w, s.ExtensionData);
        w.EndObject();
    }

    private static void Long(JacksonWriter w, string name, long value)
    {
        w.Name(name);
        w.Number(value);
    }

    private static void WriteExtensions(JacksonWriter w, OrderedDictionary<string, JsonElement> extensions)
    {
        foreach (var (name, value) in extensions)
        {
            w.Name(name);
            w.Element(value);
        }
    }

    private void Read(JsonElement root)
    {
        RequireKind(root, JsonValueKind.Object, "the commit metadata");
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "partitionToWriteStats":
                    if (value.ValueKind == JsonValueKind.Null)
                    {
                        break;
                    }

                    RequireKind(value, JsonValueKind.Object, property.Name);
                    foreach (var partition in value.EnumerateObject())
                    {
                        var stats = new List<HoodieWriteStat>();
                        if (partition.Value.ValueKind != JsonValueKind.Null)
                        {
                            RequireKind(partition.Value, JsonValueKind.Array, $"partitionToWriteStats[\"{partition.Name}\"]");
                            stats.AddRange(partition.Value.EnumerateArray().Select(ReadStat));
                        }

                        PartitionToWriteStats[partition.Name] = stats;
                    }

                    break;
                case "compacted":
                    Compacted = value.ValueKind == JsonValueKind.True;
                    break;
                case "extraMetadata":
                    if (value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var entry in value.EnumerateObject())
                        {
                            ExtraMetadata[entry.Name] = entry.Value.ValueKind == JsonValueKind.String
                                ? entry.Value.GetString()!
                                : entry.Value.GetRawText();
                        }
                    }

                    break;
                case "operationType":
                    OperationType = value.ValueKind == JsonValueKind.Null ? null : value.GetString();
                    break;
                case "partitionToReplaceFileIds":
                    PartitionToReplaceFileIds = new OrderedDictionary<string, List<string>>(StringComparer.Ordinal);
                    if (value.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var entry in value.EnumerateObject())
                        {
                            PartitionToReplaceFileIds[entry.Name] = entry.Value.ValueKind == JsonValueKind.Array
                                ? [.. entry.Value.EnumerateArray().Select(v => v.GetString() ?? "")]
                                : [];
                        }
                    }

                    break;
                default:
                    ExtensionData[property.Name] = value.Clone();
                    break;
            }
        }
    }

    private static HoodieWriteStat ReadStat(JsonElement element)
    {
        RequireKind(element, JsonValueKind.Object, "a write stat");
        var s = new HoodieWriteStat { PrevCommit = null };
        foreach (var p in element.EnumerateObject())
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "fileId": s.FileId = Str(v); break;
                case "path": s.Path = Str(v); break;
                case "cdcStats":
                    if (v.ValueKind == JsonValueKind.Object)
                    {
                        s.CdcStats = new OrderedDictionary<string, long>(StringComparer.Ordinal);
                        foreach (var entry in v.EnumerateObject())
                        {
                            s.CdcStats[entry.Name] = entry.Value.GetInt64();
                        }
                    }

                    break;
                case "prevCommit": s.PrevCommit = Str(v); break;
                case "numWrites": s.NumWrites = Num(v); break;
                case "numDeletes": s.NumDeletes = Num(v); break;
                case "numUpdateWrites": s.NumUpdateWrites = Num(v); break;
                case "numInserts": s.NumInserts = Num(v); break;
                case "totalWriteBytes": s.TotalWriteBytes = Num(v); break;
                case "totalWriteErrors": s.TotalWriteErrors = Num(v); break;
                case "tempPath": s.TempPath = Str(v); break;
                case "partitionPath": s.PartitionPath = Str(v); break;
                case "totalLogRecords": s.TotalLogRecords = Num(v); break;
                case "totalLogFilesCompacted": s.TotalLogFilesCompacted = Num(v); break;
                case "totalLogSizeCompacted": s.TotalLogSizeCompacted = Num(v); break;
                case "totalUpdatedRecordsCompacted": s.TotalUpdatedRecordsCompacted = Num(v); break;
                case "totalLogBlocks": s.TotalLogBlocks = Num(v); break;
                case "totalCorruptLogBlock": s.TotalCorruptLogBlock = Num(v); break;
                case "totalRollbackBlocks": s.TotalRollbackBlocks = Num(v); break;
                case "fileSizeInBytes": s.FileSizeInBytes = Num(v); break;
                case "minEventTime": s.MinEventTime = v.ValueKind == JsonValueKind.Null ? null : Num(v); break;
                case "maxEventTime": s.MaxEventTime = v.ValueKind == JsonValueKind.Null ? null : Num(v); break;
                case "runtimeStats":
                    if (v.ValueKind == JsonValueKind.Object)
                    {
                        var r = new HoodieRuntimeStats();
                        foreach (var rp in v.EnumerateObject())
                        {
                            switch (rp.Name)
                            {
                                case "totalScanTime": r.TotalScanTime = Num(rp.Value); break;
                                case "totalUpsertTime": r.TotalUpsertTime = Num(rp.Value); break;
                                case "totalCreateTime": r.TotalCreateTime = Num(rp.Value); break;
                                default: r.ExtensionData[rp.Name] = rp.Value.Clone(); break;
                            }
                        }

                        s.RuntimeStats = r;
                    }

                    break;
                default:
                    s.ExtensionData[p.Name] = v.Clone();
                    break;
            }
        }

        return s;
    }

    private static string? Str(JsonElement v) => v.ValueKind == JsonValueKind.Null ? null : v.GetString();

    private static long Num(JsonElement v) => v.ValueKind == JsonValueKind.Null ? 0 : v.GetInt64();

    private static void RequireKind(JsonElement element, JsonValueKind kind, string what)
    {
        if (element.ValueKind != kind)
        {
            throw new HudiException($"{what} is a JSON {element.ValueKind.ToString().ToLowerInvariant()}, expected {kind.ToString().ToLowerInvariant()}");
        }
    }
}
