namespace CdcLake.Hudi;

/// <summary>
/// Writer settings (Hudi's HoodieWriteConfig, HoodieStorageConfig, HoodieIndexConfig, HoodieCleanConfig,
/// HoodieArchivalConfig, KeyGeneratorOptions): the ones our writer honours, with Hudi 0.14/0.15 defaults.
/// </summary>
public static class HoodieWriteConfig
{
    public static ConfigKey<string> RecordKeyField { get; } = new(
        "hoodie.datasource.write.recordkey.field",
        "Comma-separated record key fields; nested fields with dots (a.b.c).");

    public static ConfigKey<string> PartitionPathField { get; } = new(
        "hoodie.datasource.write.partitionpath.field",
        "Comma-separated partition path fields.");

    public static ConfigKey<string> PrecombineField { get; } = new(
        "hoodie.datasource.write.precombine.field",
        "ts",
        "Field whose largest value wins among records with the same key.");

    public static ConfigKey<string> KeyGeneratorClass { get; } = new(
        "hoodie.datasource.write.keygenerator.class",
        "Key generator class; must equal hoodie.table.keygenerator.class of an existing table.");

    public static ConfigKey<bool> HiveStylePartitioning { get; } = new(
        "hoodie.datasource.write.hive_style_partitioning",
        false,
        "Partition folders named field=value.");

    public static ConfigKey<bool> UrlEncodePartitioning { get; } = new(
        "hoodie.datasource.write.partitionpath.urlencode",
        false,
        "Escape partition values Hive-style (%XX).");

    public static ConfigKey<bool> ConsistentLogicalTimestamp { get; } = new(
        "hoodie.datasource.write.keygenerator.consistent.logical.timestamp.enabled",
        false,
        "Timestamp key values as java.sql.Timestamp text (2016-12-29 09:54:00.0) instead of the epoch microseconds " +
        "Spark's (non row-writer) upsert path writes (1483023240000000).");

    public static ConfigKey<bool> ComplexKeyGenNewEncoding { get; } = new(
        "hoodie.write.complex.keygen.new.encoding",
        false,
        "ComplexKeyGenerator with one record key field: true writes the bare value (as Hudi 0.14.1-1.0.2 did), " +
        "false writes field:value (older and newer releases).");

    public static ConfigKey<long> ParquetMaxFileSize { get; } = new(
        "hoodie.parquet.max.file.size",
        120L * 1024 * 1024,
        "Target size in bytes of the Parquet base files a write produces.");

    public static ConfigKey<long> ParquetSmallFileLimit { get; } = new(
        "hoodie.parquet.small.file.limit",
        100L * 1024 * 1024,
        "Base files at or below this size take new inserts (bin packing); 0 or less turns it off.");

    public static ConfigKey<long> ParquetBlockSize { get; } = new(
        "hoodie.parquet.block.size",
        120L * 1024 * 1024,
        "Parquet row group size in bytes.");

    public static ConfigKey<long> ParquetPageSize { get; } = new(
        "hoodie.parquet.page.size",
        1024L * 1024,
        "Parquet page size in bytes.");

    public static ConfigKey<double> ParquetCompressionRatio { get; } = new(
        "hoodie.parquet.compression.ratio",
        0.1,
        "Expected compressed/uncompressed ratio, used to size new files.");

    public static ConfigKey<string> ParquetCompressionCodec { get; } = new(
        "hoodie.parquet.compression.codec",
        "gzip",
        "Parquet compression codec. gzip through Hudi 1.0.x (1.1 changed the default to snappy); snappy and zstd are read everywhere.");

    public static ConfigKey<bool> ParquetBloomFilterEnabled { get; } = new(
        "hoodie.parquet.bloom.filter.enabled",
        true,
        "Write the bloom filter into base file footers (Hudi's default BLOOM index needs it).");

    public static ConfigKey<long> CopyOnWriteRecordSizeEstimate { get; } = new(
        "hoodie.copyonwrite.record.size.estimate",
        1024,
        "Average record size in bytes assumed before any commit gives a real figure.");

    public static ConfigKey<BloomFilterTypeCode> BloomFilterType { get; } = new(
        "hoodie.bloom.index.filter.type",
        BloomFilterTypeCode.DynamicV0,
        "SIMPLE or DYNAMIC_V0.");

    public static ConfigKey<int> BloomFilterNumEntries { get; } = new(
        "hoodie.index.bloom.num_entries",
        60000,
        "Entries a bloom filter (or one row of a dynamic one) is sized for.");

    public static ConfigKey<double> BloomFilterFpp { get; } = new(
        "hoodie.index.bloom.fpp",
        0.000000001,
        "False positive rate the bloom filter is sized for.");

    public static ConfigKey<int> BloomFilterDynamicMaxEntries { get; } = new(
        "hoodie.bloom.index.filter.dynamic.max.entries",
        100000,
        "Entries after which a dynamic bloom filter stops adding rows.");

    public static ConfigKey<HoodieCleaningPolicy> CleanerPolicy { get; } = new(
        "hoodie.cleaner.policy",
        HoodieCleaningPolicy.KeepLatestCommits,
        "Which old file slices the cleaner deletes.");

    public static ConfigKey<int> CleanerCommitsRetained { get; } = new(
        "hoodie.cleaner.commits.retained",
        10,
        "Commits whose files the cleaner keeps (time travel and incremental reads reach that far).",
        "hoodie.clean.commits.retained");

    public static ConfigKey<int> KeepMinCommits { get; } = new(
        "hoodie.keep.min.commits",
        20,
        "Fewest instants kept in the active timeline when archiving.");

    public static ConfigKey<int> KeepMaxCommits { get; } = new(
        "hoodie.keep.max.commits",
        30,
        "Active timeline length that triggers archiving.");

    public static ConfigKey<bool> MetadataEnable { get; } = new(
        "hoodie.metadata.enable",
        true,
        "Maintain the metadata table (.hoodie/metadata). Our writer does not, and deletes it when present.");

    public static ConfigKey<string> WriteConcurrencyMode { get; } = new(
        "hoodie.write.concurrency.mode",
        "SINGLE_WRITER",
        "SINGLE_WRITER or OPTIMISTIC_CONCURRENCY_CONTROL (needs a lock provider).");

    /// <summary>Every key above, for listing and documentation.</summary>
    public static IReadOnlyList<IConfigKey> All { get; } =
    [
        RecordKeyField, PartitionPathField, PrecombineField, KeyGeneratorClass, HiveStylePartitioning,
        UrlEncodePartitioning, ConsistentLogicalTimestamp, ComplexKeyGenNewEncoding, ParquetMaxFileSize,
        ParquetSmallFileLimit, ParquetBlockSize, ParquetPageSize, ParquetCompressionRatio, ParquetCompressionCodec,
        ParquetBloomFilterEnabled, CopyOnWriteRecordSizeEstimate, BloomFilterType, BloomFilterNumEntries,
        BloomFilterFpp, BloomFilterDynamicMaxEntries, CleanerPolicy, CleanerCommitsRetained, KeepMinCommits,
        KeepMaxCommits, MetadataEnable, WriteConcurrencyMode,
    ];
}
