namespace CdcLake.Parquet.Compression;

/// <summary>
/// A page compression codec. The numeric values are those of Parquet's Thrift <c>CompressionCodec</c>
/// enum, so a value read from a file converts with a plain cast; values outside the list are rejected
/// by <see cref="PageCompression"/> rather than here.
/// </summary>
public enum CodecId
{
    Uncompressed = 0,
    Snappy = 1,
    Gzip = 2,
    Lzo = 3,
    Brotli = 4,

    /// <summary>Deprecated by the format: writers disagreed on the framing. Prefer <see cref="Lz4Raw"/>.</summary>
    Lz4 = 5,
    Zstd = 6,
    Lz4Raw = 7,
}
