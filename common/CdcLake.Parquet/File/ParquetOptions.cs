namespace CdcLake.Parquet;

/// <summary>Compression codecs the writer can produce.</summary>
public enum ParquetCodec
{
    None,
    Snappy,
    Gzip,
    Zstd,
    Brotli,
    Lz4Raw,
}

public sealed class ParquetReadOptions
{
    public static ParquetReadOptions Default { get; } = new();

    /// <summary>Check page CRCs where the writer stored them; a mismatch is a <see cref="ParquetException"/>.</summary>
    public bool VerifyChecksums { get; init; } = true;

    /// <summary>
    /// Upper bound on one page's decompressed size and on one column chunk's size. Guards against
    /// allocations driven by corrupt lengths; real pages are a few MB.
    /// </summary>
    public int MaxPageBytes { get; init; } = 256 << 20;

    /// <summary>Column chunks of one row group decoded at once.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
}

public sealed class ParquetWriteOptions
{
    public static ParquetWriteOptions Default { get; } = new();

    public ParquetCodec Codec { get; init; } = ParquetCodec.Snappy;

    /// <summary>Codec level; null for the codec's default.</summary>
    public int? CompressionLevel { get; init; }

    /// <summary>A row group is closed once it holds this many rows.</summary>
    public int RowGroupRows { get; init; } = 1_000_000;

    /// <summary>A row group is also closed once its encoded size reaches this many bytes.</summary>
    public long RowGroupBytes { get; init; } = 128L << 20;

    /// <summary>Target encoded size of a data page before compression.</summary>
    public int PageBytes { get; init; } = 1 << 20;

    public bool EnableDictionary { get; init; } = true;

    /// <summary>A column falls back from dictionary to PLAIN once its dictionary grows past this.</summary>
    public int DictionaryPageBytes { get; init; } = 1 << 20;

    /// <summary>1 or 2.</summary>
    public int DataPageVersion { get; init; } = 1;

    public bool WriteStatistics { get; init; } = true;

    /// <summary>Write page CRCs.</summary>
    public bool WriteChecksums { get; init; }

    /// <summary>
    /// The footer's created_by. Keep the "&lt;application&gt; version &lt;x.y.z&gt;" form: parquet-mr (Spark, Hive)
    /// ignores the legacy binary statistics of a file whose created_by it cannot parse.
    /// </summary>
    public string CreatedBy { get; init; } = "CdcLake version 0.1.0";

    public IReadOnlyDictionary<string, string> KeyValueMetadata { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Name of the schema's root element. Readers ignore it; parquet-avro writers put the Avro record's full name
    /// there (Hudi: <c>hoodie.&lt;table&gt;.&lt;table&gt;_record</c>), so writers that mimic them set it.
    /// </summary>
    public string SchemaRootName { get; init; } = "schema";

    /// <summary>Per-column key/value metadata, keyed by the column's dotted path.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ColumnKeyValueMetadata { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();

    /// <summary>Column chunks encoded and compressed at once while a batch is written.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Test hook: replaces the check of whether a codec's native library is present (null reason: available).</summary>
    internal Func<Compression.CodecId, string?>? CodecAvailability { get; init; }
}
