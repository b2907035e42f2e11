namespace CdcLake.Hudi;

/// <summary>
/// The keys of <c>.hoodie/hoodie.properties</c> (Hudi's HoodieTableConfig plus the key generator options it
/// persists). Set when a table is created and compared by every later Spark writer, which aborts with
/// "Config conflict" when its own record key, precombine, partition fields or key generator differ.
/// </summary>
public static class HoodieTableConfig
{
    /// <summary>The file name inside <c>.hoodie/</c>.</summary>
    public const string FileName = "hoodie.properties";

    public static ConfigKey<string> Name { get; } = new(
        "hoodie.table.name",
        "Table name; also used for the Avro record name <name>_record in namespace hoodie.<name>. Required.");

    public static ConfigKey<string> DatabaseName { get; } = new(
        "hoodie.database.name",
        "Database name; part of the checksum (\"<database>.<table>\").");

    public static ConfigKey<HoodieTableType> TableType { get; } = new(
        "hoodie.table.type",
        HoodieTableType.CopyOnWrite,
        "COPY_ON_WRITE or MERGE_ON_READ (uppercase). Required by readers.");

    public static ConfigKey<int> TableVersion { get; } = new(
        "hoodie.table.version",
        6,
        "Table format version: 6 = Hudi 0.14-0.15, 8 = 1.0.x, 9 = 1.1+. Required by readers. This library writes 6.");

    public static ConfigKey<int> InitialVersion { get; } = new(
        "hoodie.table.initial.version",
        "Version the table was created with (version 8+ only).");

    public static ConfigKey<int> TimelineLayoutVersion { get; } = new(
        "hoodie.timeline.layout.version",
        "Timeline layout: 1 = instants directly in .hoodie/ (table version 6), 2 = .hoodie/timeline/ (version 8+). Required by readers.");

    public static ConfigKey<string> ArchiveLogFolder { get; } = new(
        "hoodie.archivelog.folder",
        "archived",
        "Folder under .hoodie/ for archived instants.");

    public static ConfigKey<string> RecordKeyFields { get; } = new(
        "hoodie.table.recordkey.fields",
        "Comma-separated record key fields; their values make _hoodie_record_key.");

    public static ConfigKey<string> PrecombineField { get; } = new(
        "hoodie.table.precombine.field",
        "Field whose largest value wins when two records share a key.");

    public static ConfigKey<string> PartitionFields { get; } = new(
        "hoodie.table.partition.fields",
        "Comma-separated partition path fields (absent for non-partitioned tables).");

    public static ConfigKey<string> KeyGeneratorClass { get; } = new(
        "hoodie.table.keygenerator.class",
        "Key generator class, e.g. org.apache.hudi.keygen.SimpleKeyGenerator (table version 6).");

    public static ConfigKey<KeyGeneratorType> KeyGeneratorTypeKey { get; } = new(
        "hoodie.table.keygenerator.type",
        "Key generator type, e.g. SIMPLE, COMPLEX, NON_PARTITION (table version 8+).");

    public static ConfigKey<bool> HiveStylePartitioning { get; } = new(
        "hoodie.datasource.write.hive_style_partitioning",
        false,
        "Partition folders named field=value instead of value.");

    public static ConfigKey<bool> UrlEncodePartitioning { get; } = new(
        "hoodie.datasource.write.partitionpath.urlencode",
        false,
        "Escape partition values Hive-style (%XX) before they become folder names.");

    public static ConfigKey<bool> DropPartitionColumns { get; } = new(
        "hoodie.datasource.write.drop.partition.columns",
        false,
        "Leave the partition columns out of the base files.");

    public static ConfigKey<HoodieFileFormat> BaseFileFormat { get; } = new(
        "hoodie.table.base.file.format",
        HoodieFileFormat.Parquet,
        "Base file format, uppercase (PARQUET).",
        "hoodie.table.ro.file.format");

    public static ConfigKey<bool> PopulateMetaFields { get; } = new(
        "hoodie.populate.meta.fields",
        true,
        "Fill the five _hoodie_* columns. Without them incremental queries and the bloom index do not work.");

    public static ConfigKey<string> CreateSchema { get; } = new(
        "hoodie.table.create.schema",
        "Avro schema (JSON) the table was created with, as Spark converts it (nullable unions [type, \"null\"], no defaults).");

    public static ConfigKey<long> Checksum { get; } = new(
        "hoodie.table.checksum",
        "CRC32 of the UTF-8 text \"<database>.<table>\" (\".<table>\" without a database), unsigned decimal. " +
        "Java refuses to load a table whose checksum is present and wrong. Written last.");

    public static ConfigKey<string> MetadataPartitions { get; } = new(
        "hoodie.table.metadata.partitions",
        "Comma-separated metadata table partitions that are built (files, column_stats, ...). Absent when the metadata table is off.");

    public static ConfigKey<string> MetadataPartitionsInflight { get; } = new(
        "hoodie.table.metadata.partitions.inflight",
        "Comma-separated metadata table partitions being built.");

    public static ConfigKey<string> TimelineTimeZone { get; } = new(
        "hoodie.table.timeline.timezone",
        "LOCAL",
        "Time zone of instant times: LOCAL (the writer JVM's zone) or UTC.");

    public static ConfigKey<string> PayloadClass { get; } = new(
        "hoodie.compaction.payload.class",
        "Record payload class used to merge records.");

    public static ConfigKey<string> RecordMergeMode { get; } = new(
        "hoodie.record.merge.mode",
        "EVENT_TIME_ORDERING, COMMIT_TIME_ORDERING or CUSTOM (table version 8+).");

    public static ConfigKey<string> RecordMergeStrategyId { get; } = new(
        "hoodie.record.merge.strategy.id",
        "Id of the record merger strategy.");

    public static ConfigKey<string> TimelinePath { get; } = new(
        "hoodie.timeline.path",
        "timeline",
        "Folder under .hoodie/ holding the active timeline (table version 8+).");

    public static ConfigKey<string> TimelineHistoryPath { get; } = new(
        "hoodie.timeline.history.path",
        "history",
        "Folder under .hoodie/timeline/ holding the archived timeline (table version 8+).");

    public static ConfigKey<bool> CdcEnabled { get; } = new(
        "hoodie.table.cdc.enabled",
        false,
        "Persist change data for CDC queries.");

    public static ConfigKey<string> BootstrapBasePath { get; } = new(
        "hoodie.bootstrap.base.path",
        "Base path of the data set a bootstrapped table was made from.");

    /// <summary>Every key above, for listing and documentation.</summary>
    public static IReadOnlyList<IConfigKey> All { get; } =
    [
        Name, DatabaseName, TableType, TableVersion, InitialVersion, TimelineLayoutVersion, ArchiveLogFolder,
        RecordKeyFields, PrecombineField, PartitionFields, KeyGeneratorClass, KeyGeneratorTypeKey,
        HiveStylePartitioning, UrlEncodePartitioning, DropPartitionColumns, BaseFileFormat, PopulateMetaFields,
        CreateSchema, Checksum, MetadataPartitions, MetadataPartitionsInflight, TimelineTimeZone, PayloadClass,
        RecordMergeMode, RecordMergeStrategyId, TimelinePath, TimelineHistoryPath, CdcEnabled, BootstrapBasePath,
    ];
}
