using CdcLake.Hudi.Internal;

namespace CdcLake.Hudi;

/// <summary><c>hoodie.table.type</c>; written as COPY_ON_WRITE / MERGE_ON_READ.</summary>
public enum HoodieTableType
{
    CopyOnWrite,
    MergeOnRead,
}

/// <summary><c>hoodie.table.base.file.format</c>; written as PARQUET, HOODIE_LOG, ORC, HFILE.</summary>
public enum HoodieFileFormat
{
    Parquet,
    HoodieLog,
    Orc,
    [JavaName("HFILE")]
    HFile,
}

/// <summary>
/// <c>hoodie.table.keygenerator.type</c> (table version 8+; version 6 stores the class name instead).
/// Written as SIMPLE, COMPLEX, NON_PARTITION, ...
/// </summary>
public enum KeyGeneratorType
{
    Simple,
    [JavaName("SIMPLE_AVRO")]
    SimpleAvro,
    Complex,
    [JavaName("COMPLEX_AVRO")]
    ComplexAvro,
    Timestamp,
    [JavaName("TIMESTAMP_AVRO")]
    TimestampAvro,
    Custom,
    [JavaName("CUSTOM_AVRO")]
    CustomAvro,
    NonPartition,
    [JavaName("NON_PARTITION_AVRO")]
    NonPartitionAvro,
    GlobalDelete,
    [JavaName("GLOBAL_DELETE_AVRO")]
    GlobalDeleteAvro,
    [JavaName("AUTO_RECORD")]
    AutoRecord,
    [JavaName("AUTO_RECORD_AVRO")]
    AutoRecordAvro,
    [JavaName("USER_PROVIDED")]
    UserProvided,
}

/// <summary><c>hoodie.cleaner.policy</c>.</summary>
public enum HoodieCleaningPolicy
{
    KeepLatestCommits,
    KeepLatestFileVersions,
    KeepLatestByHours,
}

/// <summary><c>hoodie.bloom.index.filter.type</c> and the footer key <c>hoodie_bloom_filter_type_code</c>.</summary>
public enum BloomFilterTypeCode
{
    Simple,
    [JavaName("DYNAMIC_V0")]
    DynamicV0,
}
