using System.Text.Json;
using System.Text.Json.Serialization;
using CdcLake.Cdc.Internal;

namespace CdcLake.Cdc;

/// <summary>
/// A pipeline file as written: <c>defaults</c> plus one entry per table (PIPELINE.md documents every field).
/// A plain, mutable model of strings, numbers, lists and maps, so that it serializes with System.Text.Json
/// and can be loaded from other stores (DynamoDB) field by field. Nothing is checked until
/// <see cref="Resolve"/>, which merges the defaults into each table and names every bad field.
/// </summary>
public sealed class PipelineConfig
{
    /// <summary>The file format version; only 1 exists. Optional.</summary>
    [JsonPropertyName("version")]
    public int? Version { get; set; }

    /// <summary>Settings every table inherits unless it sets them itself (lists and maps are replaced, not merged).</summary>
    [JsonPropertyName("defaults")]
    public TableSettings? Defaults { get; set; }

    [JsonPropertyName("tables")]
    public List<PipelineTable>? Tables { get; set; }

    /// <summary>
    /// Reads a pipeline from JSON (comments and trailing commas allowed). The shape is checked first: unknown or
    /// duplicate fields and values of the wrong JSON type are all reported at once, by path.
    /// </summary>
    /// <exception cref="PipelineConfigException">The text is not JSON, or does not have the pipeline's shape.</exception>
    public static PipelineConfig Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $"line {line + 1}, byte {e.BytePositionInLine + 1}" : "";
            throw new PipelineConfigException([new PipelineConfigError("$", $"not valid JSON ({where}): {FirstSentence(e.Message)}")]);
        }

        using (document)
        {
            var errors = new List<PipelineConfigError>();
            JsonShapeChecker.Check(document.RootElement, PipelineJsonContext.Default.PipelineConfig, "", errors);
            if (errors.Count > 0)
            {
                throw new PipelineConfigException(errors);
            }

            return document.RootElement.Deserialize(PipelineJsonContext.Default.PipelineConfig)
                ?? throw new PipelineConfigException([new PipelineConfigError("$", "the pipeline is null")]);
        }
    }

    /// <summary>Reads and parses a pipeline file.</summary>
    /// <exception cref="PipelineConfigException">The file is not a pipeline; errors name the file.</exception>
    public static PipelineConfig Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (PipelineConfigException e)
        {
            throw new PipelineConfigException(e.Errors, path);
        }
    }

    /// <summary>The pipeline as indented JSON (null fields left out), the form <see cref="Parse"/> reads.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, PipelineJsonContext.Default.PipelineConfig);

    /// <summary>
    /// Checks every field, merges <see cref="Defaults"/> into each table and resolves relative local paths
    /// against <paramref name="baseDirectory"/> (the pipeline file's folder; default: the current directory).
    /// </summary>
    /// <exception cref="PipelineConfigException">Any field is missing or wrong; every error names its field, e.g. <c>tables[2].recordKey: required</c>.</exception>
    public IReadOnlyList<TableSpec> Resolve(string? baseDirectory = null)
    {
        var (tables, errors) = PipelineValidator.Resolve(this, baseDirectory);
        if (errors.Count > 0)
        {
            throw new PipelineConfigException(errors);
        }

        return tables;
    }

    /// <summary>Every problem <see cref="Resolve"/> would report, without throwing.</summary>
    public IReadOnlyList<PipelineConfigError> Validate(string? baseDirectory = null) => PipelineValidator.Resolve(this, baseDirectory).Errors;

    /// <summary>Loads the file and resolves it against the file's folder.</summary>
    /// <exception cref="PipelineConfigException">The file is not a valid pipeline; errors name the file and field.</exception>
    public static IReadOnlyList<TableSpec> LoadAndResolve(string path)
    {
        var config = Load(path);
        try
        {
            return config.Resolve(Path.GetDirectoryName(Path.GetFullPath(path)));
        }
        catch (PipelineConfigException e)
        {
            throw new PipelineConfigException(e.Errors, path);
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut < 0 ? message : message[..cut];
    }
}

/// <summary>
/// Settings a table may take from <see cref="PipelineConfig.Defaults"/>. Every member is optional here;
/// <see cref="PipelineConfig.Resolve"/> supplies the built-in defaults PIPELINE.md lists.
/// </summary>
public class TableSettings
{
    /// <summary>The Hudi database (hoodie.database.name); default <c>default</c>.</summary>
    [JsonPropertyName("database")]
    public string? Database { get; set; }

    /// <summary>Record key columns (table names, after renames), in key order.</summary>
    [JsonPropertyName("recordKey")]
    public List<string>? RecordKey { get; set; }

    /// <summary>
    /// Ordering columns in priority order, e.g. <c>["AR_H_CHANGE_SEQ", "DMS_TIMESTAMP"]</c>. Absent: AR_H_CHANGE_SEQ
    /// when the files have it (decided when the table is read); an empty list orders CDC changes by file and row only.
    /// </summary>
    [JsonPropertyName("ordering")]
    public List<string>? Ordering { get; set; }

    /// <summary>Partition columns, in path order (table names; may include the derived date column).</summary>
    [JsonPropertyName("partitionBy")]
    public List<string>? PartitionBy { get; set; }

    /// <summary>A column derived from the day/month/... of a timestamp column and written into the table.</summary>
    [JsonPropertyName("datePartition")]
    public DatePartitionSettings? DatePartition { get; set; }

    /// <summary>Partition folders as <c>field=value</c> (hoodie.datasource.write.hive_style_partitioning); default false.</summary>
    [JsonPropertyName("hiveStylePartitioning")]
    public bool? HiveStylePartitioning { get; set; }

    /// <summary>Whether the job runs the table; default true.</summary>
    [JsonPropertyName("enabled")]
    public bool? Enabled { get; set; }

    [JsonPropertyName("write")]
    public WriteSettings? Write { get; set; }

    /// <summary>Before-image key columns (DMS add-before-image-columns), so a primary-key update deletes the old key.</summary>
    [JsonPropertyName("beforeImageKey")]
    public BeforeImageSettings? BeforeImageKey { get; set; }

    /// <summary>Source columns left out of the table.</summary>
    [JsonPropertyName("dropColumns")]
    public List<string>? DropColumns { get; set; }

    /// <summary>Source column name → table column name.</summary>
    [JsonPropertyName("renameColumns")]
    public Dictionary<string, string>? RenameColumns { get; set; }

    /// <summary>Bad rows go to the quarantine folder instead of failing the table; default false.</summary>
    [JsonPropertyName("quarantine")]
    public bool? Quarantine { get; set; }

    /// <summary>The table lock: the local lock file, or Hudi's DynamoDB lock (needed for a table on S3). Merged field by field.</summary>
    [JsonPropertyName("lock")]
    public LockSettings? Lock { get; set; }

    /// <summary>How long a deleted key's tombstone is kept, in days; default 7.</summary>
    [JsonPropertyName("tombstoneRetentionDays")]
    public double? TombstoneRetentionDays { get; set; }

    /// <summary>How late (by file time, before the newest merged CDC file) a CDC file may land and still be merged; default 60.</summary>
    [JsonPropertyName("lateFileWindowMinutes")]
    public double? LateFileWindowMinutes { get; set; }
}

/// <summary>One table of a pipeline: where its DMS files are, where its Hudi table goes, and its settings.</summary>
public sealed class PipelineTable : TableSettings
{
    /// <summary>The Hudi table name (hoodie.table.name); what <c>cdclake run --table</c> matches.</summary>
    [JsonPropertyName("table")]
    public string? Table { get; set; }

    /// <summary>The DMS table folder <c>…/&lt;schema&gt;/&lt;table&gt;/</c>: a local path or <c>s3://bucket/prefix</c>.</summary>
    [JsonPropertyName("source")]
    public string? Source { get; set; }

    /// <summary>The Hudi table's root folder: a local path or <c>s3://bucket/prefix</c>.</summary>
    [JsonPropertyName("target")]
    public string? Target { get; set; }
}

/// <summary>A derived partition column: the truncated date of a timestamp (or date, or DMS timestamp text) column.</summary>
public sealed class DatePartitionSettings
{
    /// <summary>The derived column's name in the table (a string column).</summary>
    [JsonPropertyName("column")]
    public string? Column { get; set; }

    /// <summary>The column it is computed from (table name, after renames).</summary>
    [JsonPropertyName("source")]
    public string? Source { get; set; }

    /// <summary><c>year</c> (yyyy), <c>month</c> (yyyy-MM), <c>day</c> (yyyy-MM-dd) or <c>hour</c> (yyyy-MM-dd-HH); default day.</summary>
    [JsonPropertyName("granularity")]
    public string? Granularity { get; set; }
}

/// <summary>How the Hudi writer sizes, compresses and cleans the table's files.</summary>
public sealed class WriteSettings
{
    /// <summary>hoodie.parquet.max.file.size; default 125829120 (120 MiB).</summary>
    [JsonPropertyName("maxFileSizeBytes")]
    public long? MaxFileSizeBytes { get; set; }

    /// <summary>hoodie.parquet.small.file.limit; default 104857600 (100 MiB); 0 turns bin packing off.</summary>
    [JsonPropertyName("smallFileLimitBytes")]
    public long? SmallFileLimitBytes { get; set; }

    /// <summary>snappy (default), gzip, zstd or none.</summary>
    [JsonPropertyName("codec")]
    public string? Codec { get; set; }

    /// <summary>hoodie.cleaner.commits.retained; default 10.</summary>
    [JsonPropertyName("cleanRetainCommits")]
    public int? CleanRetainCommits { get; set; }
}

/// <summary>
/// Which lock keeps writers of a table apart (PIPELINE.md, "lock"). <see cref="Provider"/> <c>local</c> is the lock
/// file <c>&lt;table&gt;/.hoodie/lock</c>, which only works on a local file system; <c>dynamodb</c> is an item in a
/// DynamoDB table laid out as Hudi's DynamoDBBasedLockProvider writes it, so Spark writers configured with that
/// provider (the same table and partition key) and the job exclude each other. The DynamoDB fields are Hudi's
/// <c>hoodie.write.lock.dynamodb.*</c> settings.
/// </summary>
public sealed class LockSettings
{
    /// <summary><c>auto</c> (default: local for a local target, an error for a target on S3), <c>local</c> or <c>dynamodb</c>.</summary>
    [JsonPropertyName("provider")]
    public string? Provider { get; set; }

    /// <summary>The DynamoDB table holding the locks (hoodie.write.lock.dynamodb.table); default <c>hudi_locks</c>.</summary>
    [JsonPropertyName("table")]
    public string? Table { get; set; }

    /// <summary>The lock item's partition key value (hoodie.write.lock.dynamodb.partition_key); default the table's name. Per table only.</summary>
    [JsonPropertyName("partitionKey")]
    public string? PartitionKey { get; set; }

    /// <summary>The DynamoDB region (hoodie.write.lock.dynamodb.region); default the environment's (AWS_REGION).</summary>
    [JsonPropertyName("region")]
    public string? Region { get; set; }

    /// <summary>Endpoint override (hoodie.write.lock.dynamodb.endpoint_url), e.g. a local DynamoDB stand-in.</summary>
    [JsonPropertyName("endpointUrl")]
    public string? EndpointUrl { get; set; }

    /// <summary>Create the lock table when it is missing, as Hudi does; default true.</summary>
    [JsonPropertyName("createTable")]
    public bool? CreateTable { get; set; }

    /// <summary>Billing mode of a created lock table (hoodie.write.lock.dynamodb.billing_mode): PAY_PER_REQUEST (default) or PROVISIONED.</summary>
    [JsonPropertyName("billingMode")]
    public string? BillingMode { get; set; }

    /// <summary>Read capacity units of a created PROVISIONED table (hoodie.write.lock.dynamodb.read_capacity); default 20.</summary>
    [JsonPropertyName("readCapacity")]
    public long? ReadCapacity { get; set; }

    /// <summary>Write capacity units of a created PROVISIONED table (hoodie.write.lock.dynamodb.write_capacity); default 10.</summary>
    [JsonPropertyName("writeCapacity")]
    public long? WriteCapacity { get; set; }

    /// <summary>How long to wait for a created lock table to become ACTIVE (hoodie.write.lock.dynamodb.table_creation_timeout), in seconds; default 120.</summary>
    [JsonPropertyName("tableCreationTimeoutSeconds")]
    public double? TableCreationTimeoutSeconds { get; set; }

    /// <summary>The lock's lease in seconds (hoodie.write.lock.wait_time_ms / 1000): a holder that stops heartbeating loses it after this long; default 60.</summary>
    [JsonPropertyName("leaseSeconds")]
    public double? LeaseSeconds { get; set; }

    /// <summary>How long a run waits for a lock another writer holds before the table fails, in seconds; default 0 (fail at once).</summary>
    [JsonPropertyName("acquireWaitSeconds")]
    public double? AcquireWaitSeconds { get; set; }
}

/// <summary>
/// Where a row's before-image key is: <see cref="Prefix"/> + each record key column (DMS's
/// <c>add-before-image-columns</c> rule, e.g. <c>BI_</c>), or explicit <see cref="Columns"/>, one per record key column.
/// </summary>
public sealed class BeforeImageSettings
{
    [JsonPropertyName("prefix")]
    public string? Prefix { get; set; }

    [JsonPropertyName("columns")]
    public List<string>? Columns { get; set; }
}
