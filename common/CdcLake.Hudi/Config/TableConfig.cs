using System.Globalization;
using System.Text;
using CdcLake.Hudi.Internal;

namespace CdcLake.Hudi;

/// <summary>
/// A table's <c>hoodie.properties</c>: validated typed views over the exact key/value pairs, which it
/// keeps (unknown keys and their order included) so that re-saving changes nothing it does not mean to.
/// </summary>
public sealed class TableConfig
{
    /// <summary>The table version this library writes.</summary>
    public const int WritableTableVersion = 6;

    private readonly JavaProperties _properties;

    private TableConfig(JavaProperties properties)
    {
        _properties = properties;
        TableName = Require(HoodieTableConfig.Name);
        DatabaseName = HoodieTableConfig.DatabaseName.FindText(properties);
        TableType = HoodieTableConfig.TableType.Parse(Require(HoodieTableConfig.TableType));
        TableVersion = HoodieTableConfig.TableVersion.Parse(Require(HoodieTableConfig.TableVersion));
        TimelineLayoutVersion = HoodieTableConfig.TimelineLayoutVersion.Parse(Require(HoodieTableConfig.TimelineLayoutVersion));
        ArchiveLogFolder = HoodieTableConfig.ArchiveLogFolder.Get(properties)!;
        RecordKeyFields = SplitFields(HoodieTableConfig.RecordKeyFields.FindText(properties));
        PrecombineField = NullIfEmpty(HoodieTableConfig.PrecombineField.FindText(properties));
        PartitionFields = SplitFields(HoodieTableConfig.PartitionFields.FindText(properties));
        KeyGeneratorClass = NullIfEmpty(HoodieTableConfig.KeyGeneratorClass.FindText(properties));
        KeyGeneratorType = NullIfEmpty(HoodieTableConfig.KeyGeneratorTypeKey.FindText(properties)) is { } type
            ? HoodieTableConfig.KeyGeneratorTypeKey.Parse(type)
            : null;
        HiveStylePartitioning = HoodieTableConfig.HiveStylePartitioning.Get(properties);
        UrlEncodePartitioning = HoodieTableConfig.UrlEncodePartitioning.Get(properties);
        DropPartitionColumns = HoodieTableConfig.DropPartitionColumns.Get(properties);
        BaseFileFormat = HoodieTableConfig.BaseFileFormat.Get(properties);
        PopulateMetaFields = HoodieTableConfig.PopulateMetaFields.Get(properties);
        CreateSchema = HoodieTableConfig.CreateSchema.FindText(properties);
        MetadataPartitions = SplitFields(HoodieTableConfig.MetadataPartitions.FindText(properties));
        Checksum = HoodieTableConfig.Checksum.FindText(properties) is { } checksumText
            ? HoodieTableConfig.Checksum.Parse(checksumText)
            : null;
        if (Checksum is { } stored)
        {
            var expected = ComputeChecksum(DatabaseName, TableName);
            if (stored != expected)
            {
                throw new HudiConfigException(
                    $"{HoodieTableConfig.Checksum.Key}={stored} is wrong: CRC32 of \"{ChecksumText(DatabaseName, TableName)}\" is {expected}. " +
                    "Java refuses to load such a table; the file may be partly written or edited by hand.");
            }
        }
    }

    public string TableName { get; }

    public string? DatabaseName { get; }

    public HoodieTableType TableType { get; }

    public int TableVersion { get; }

    public int TimelineLayoutVersion { get; }

    public string ArchiveLogFolder { get; }

    public IReadOnlyList<string> RecordKeyFields { get; }

    public string? PrecombineField { get; }

    /// <summary>Partition path fields in order; empty for a non-partitioned table.</summary>
    public IReadOnlyList<string> PartitionFields { get; }

    /// <summary>The key generator class (table version 6), e.g. <c>org.apache.hudi.keygen.SimpleKeyGenerator</c>.</summary>
    public string? KeyGeneratorClass { get; }

    /// <summary>The key generator type (table version 8+).</summary>
    public KeyGeneratorType? KeyGeneratorType { get; }

    public bool HiveStylePartitioning { get; }

    public bool UrlEncodePartitioning { get; }

    public bool DropPartitionColumns { get; }

    public HoodieFileFormat BaseFileFormat { get; }

    public bool PopulateMetaFields { get; }

    /// <summary>The Avro schema JSON the table was created with, or null.</summary>
    public string? CreateSchema { get; }

    /// <summary>The stored checksum (verified on load), or null for a file without one.</summary>
    public long? Checksum { get; }

    /// <summary>Built metadata table partitions; empty when the metadata table is off.</summary>
    public IReadOnlyList<string> MetadataPartitions { get; }

    public bool IsPartitioned => PartitionFields.Count > 0;

    /// <summary>The timeline layout and folder this table uses.</summary>
    public TimelineLayout TimelineLayout => TimelineLayout.For(TableVersion, TimelineLayoutVersion, HoodieTableConfig.TimelinePath.Get(_properties)!);

    /// <summary>The raw value of any key, or null.</summary>
    public string? this[string key] => _properties[key];

    /// <summary>A copy of the key/value pairs as read (or as built).</summary>
    public JavaProperties Properties => _properties.Clone();

    /// <summary>Validates <paramref name="properties"/>: required keys, uppercase enums, typed values and the checksum.</summary>
    /// <exception cref="HudiConfigException">A required key is missing, a value is invalid or the checksum is wrong.</exception>
    public static TableConfig FromProperties(JavaProperties properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        return new TableConfig(properties.Clone());
    }

    /// <summary>Reads the bytes of a hoodie.properties file.</summary>
    public static TableConfig Parse(ReadOnlySpan<byte> hoodieProperties) => new(JavaProperties.Load(hoodieProperties));

    public static TableConfig Load(Stream hoodieProperties) => new(JavaProperties.Load(hoodieProperties));

    /// <summary>
    /// A new version-6 copy-on-write table's config, keyed as Spark writes it. The key generator class,
    /// when not given, is inferred as Hudi does: no partition fields → NonpartitionedKeyGenerator; one record
    /// key and one partition field → SimpleKeyGenerator; otherwise ComplexKeyGenerator.
    /// </summary>
    public static TableConfig Create(NewTableOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.RecordKeyFields.Count == 0)
        {
            throw new HudiConfigException("a table needs at least one record key field");
        }

        var keyGenerator = options.KeyGeneratorClass ?? KeyGeneratorClasses.Infer(options.RecordKeyFields.Count, options.PartitionFields.Count);
        var p = new JavaProperties();
        p.Set(HoodieTableConfig.Name.Key, options.TableName);
        if (options.DatabaseName is not null)
        {
            p.Set(HoodieTableConfig.DatabaseName.Key, options.DatabaseName);
        }

        p.Set(HoodieTableConfig.TableType.Key, HoodieTableConfig.TableType.Format(HoodieTableType.CopyOnWrite));
        p.Set(HoodieTableConfig.TableVersion.Key, "6");
        p.Set(HoodieTableConfig.TimelineLayoutVersion.Key, "1");
        p.Set(HoodieTableConfig.ArchiveLogFolder.Key, HoodieTableConfig.ArchiveLogFolder.Default);
        p.Set(HoodieTableConfig.RecordKeyFields.Key, string.Join(',', options.RecordKeyFields));
        if (options.PrecombineField is not null)
        {
            p.Set(HoodieTableConfig.PrecombineField.Key, options.PrecombineField);
        }

        if (options.PartitionFields.Count > 0)
        {
            p.Set(HoodieTableConfig.PartitionFields.Key, string.Join(',', options.PartitionFields));
        }

        p.Set(HoodieTableConfig.KeyGeneratorClass.Key, keyGenerator);
        p.Set(HoodieTableConfig.HiveStylePartitioning.Key, ConfigValues.Format(options.HiveStylePartitioning));
        p.Set(HoodieTableConfig.UrlEncodePartitioning.Key, ConfigValues.Format(options.UrlEncodePartitioning));
        p.Set(HoodieTableConfig.DropPartitionColumns.Key, ConfigValues.Format(options.DropPartitionColumns));
        p.Set(HoodieTableConfig.BaseFileFormat.Key, HoodieTableConfig.BaseFileFormat.Format(HoodieFileFormat.Parquet));
        if (!options.PopulateMetaFields)
        {
            p.Set(HoodieTableConfig.PopulateMetaFields.Key, "false");
        }

        if (options.CreateSchema is not null)
        {
            p.Set(HoodieTableConfig.CreateSchema.Key, options.CreateSchema);
        }

        foreach (var (key, value) in options.ExtraProperties)
        {
            p.Set(key, value);
        }

        p.Set(HoodieTableConfig.Checksum.Key, ComputeChecksum(options.DatabaseName, options.TableName).ToString(CultureInfo.InvariantCulture));
        var config = new TableConfig(p);
        _ = KeyGeneratorFactory.Create(config); // rejects key fields the key generator cannot use
        return config;
    }

    /// <summary>
    /// CRC32 (java.util.zip.CRC32) of the UTF-8 bytes of <c>"&lt;database&gt;.&lt;table&gt;"</c>, with an empty
    /// database when there is none, as Hudi's HoodieTableConfig.generateChecksum.
    /// </summary>
    public static long ComputeChecksum(string? databaseName, string tableName)
    {
        ArgumentNullException.ThrowIfNull(tableName);
        return Crc32.Compute(Encoding.UTF8.GetBytes(ChecksumText(databaseName, tableName)));
    }

    /// <summary>A copy with <paramref name="key"/> set (or removed when <paramref name="value"/> is null), validated again.</summary>
    public TableConfig With(string key, string? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var p = _properties.Clone();
        p[key] = value;
        if (key is "hoodie.table.name" or "hoodie.database.name" && p.ContainsKey(HoodieTableConfig.Checksum.Key))
        {
            // The checksum covers the names: keep it right rather than make the copy unloadable.
            var name = p[HoodieTableConfig.Name.Key] ?? "";
            p.Set(HoodieTableConfig.Checksum.Key, ComputeChecksum(p[HoodieTableConfig.DatabaseName.Key], name).ToString(CultureInfo.InvariantCulture));
        }

        return new TableConfig(p);
    }

    /// <summary>
    /// The file Java would write: comment <c>Properties saved on &lt;instant&gt;</c>, the date line, the
    /// keys in order and the checksum (recomputed) last, ISO-8859-1 with <c>\uXXXX</c> escapes.
    /// </summary>
    public byte[] ToBytes(DateTimeOffset? savedAt = null)
    {
        var at = savedAt ?? DateTimeOffset.UtcNow;
        var p = _properties.Clone();
        p.Remove(HoodieTableConfig.Checksum.Key);
        p.Set(HoodieTableConfig.Checksum.Key, ComputeChecksum(DatabaseName, TableName).ToString(CultureInfo.InvariantCulture));
        return p.ToBytes("Properties saved on " + JavaInstantText(at), at);
    }

    /// <summary>java.time.Instant.toString: ISO-8601 UTC with the fraction in groups of 3 digits, none when zero.</summary>
    internal static string JavaInstantText(DateTimeOffset instant)
    {
        var utc = instant.UtcDateTime;
        var text = utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        var ticks = utc.Ticks % TimeSpan.TicksPerSecond;
        if (ticks != 0)
        {
            var nanos = (ticks * 100).ToString("D9", CultureInfo.InvariantCulture);
            text += "." + (nanos.EndsWith("000000", StringComparison.Ordinal) ? nanos[..3] : nanos.EndsWith("000", StringComparison.Ordinal) ? nanos[..6] : nanos);
        }

        return text + "Z";
    }

    /// <summary>
    /// Throws unless this library can write the table: copy-on-write, version 6, timeline layout 1, Parquet base files.
    /// </summary>
    /// <exception cref="UnsupportedTableVersionException">Another version or layout.</exception>
    /// <exception cref="HudiConfigException">A merge-on-read table or a non-Parquet base file format.</exception>
    public void EnsureWritable()
    {
        if (TableVersion != WritableTableVersion)
        {
            throw new UnsupportedTableVersionException(
                TableVersion,
                $"this writer writes table version {WritableTableVersion} only (table '{TableName}' is version {TableVersion}; " +
                (TableVersion > WritableTableVersion ? "it was written by Hudi 1.x and cannot be downgraded here)" : "upgrade it with Hudi 0.14+ first)"));
        }

        if (TimelineLayoutVersion != 1)
        {
            throw new UnsupportedTableVersionException(TableVersion, $"timeline layout version {TimelineLayoutVersion} (version 6 tables use layout 1)");
        }

        if (TableType != HoodieTableType.CopyOnWrite)
        {
            throw new HudiConfigException($"table '{TableName}' is {HoodieTableConfig.TableType.Format(TableType)}; this writer writes COPY_ON_WRITE only");
        }

        if (BaseFileFormat != HoodieFileFormat.Parquet)
        {
            throw new HudiConfigException($"table '{TableName}' has {HoodieTableConfig.BaseFileFormat.Format(BaseFileFormat)} base files; this writer writes PARQUET only");
        }
    }

    private static string ChecksumText(string? databaseName, string tableName) => $"{databaseName ?? ""}.{tableName}";

    private static IReadOnlyList<string> SplitFields(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? []
            : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private string Require<T>(ConfigKey<T> key)
        where T : notnull =>
        key.FindText(_properties) is { Length: > 0 } text
            ? text
            : throw new HudiConfigException($"{HoodieTableConfig.FileName} lacks the required key {key.Key}");
}

/// <summary>What a new table is keyed on; everything a later Spark writer will compare against.</summary>
public sealed record NewTableOptions
{
    public required string TableName { get; init; }

    /// <summary>Spark's catalog database; <c>default</c> unless the job says otherwise.</summary>
    public string? DatabaseName { get; init; } = "default";

    public required IReadOnlyList<string> RecordKeyFields { get; init; }

    public string? PrecombineField { get; init; }

    public IReadOnlyList<string> PartitionFields { get; init; } = [];

    /// <summary>Null infers it from the field counts (see <see cref="TableConfig.Create"/>).</summary>
    public string? KeyGeneratorClass { get; init; }

    public bool HiveStylePartitioning { get; init; }

    public bool UrlEncodePartitioning { get; init; }

    public bool DropPartitionColumns { get; init; }

    public bool PopulateMetaFields { get; init; } = true;

    /// <summary>The Avro schema JSON to record as hoodie.table.create.schema, or null.</summary>
    public string? CreateSchema { get; init; }

    /// <summary>More keys to store, after the standard ones.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ExtraProperties { get; init; } = [];
}
