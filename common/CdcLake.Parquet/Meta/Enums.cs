namespace CdcLake.Parquet.Meta;

// The enums of parquet.thrift, with its numbers. Values read from a file are not range-checked here: a
// value newer than this list is kept as its number, and the layer that interprets it decides whether
// that is an error (an unknown codec is) or not.

/// <summary>parquet.thrift <c>Type</c>: how values are stored.</summary>
internal enum PhysicalType
{
    Boolean = 0,
    Int32 = 1,
    Int64 = 2,
    Int96 = 3,
    Float = 4,
    Double = 5,
    ByteArray = 6,
    FixedLenByteArray = 7,
}

/// <summary>parquet.thrift <c>ConvertedType</c>: the legacy annotations superseded by <see cref="LogicalType"/>.</summary>
internal enum ConvertedType
{
    Utf8 = 0,
    Map = 1,
    MapKeyValue = 2,
    List = 3,
    Enum = 4,
    Decimal = 5,
    Date = 6,
    TimeMillis = 7,
    TimeMicros = 8,
    TimestampMillis = 9,
    TimestampMicros = 10,
    Uint8 = 11,
    Uint16 = 12,
    Uint32 = 13,
    Uint64 = 14,
    Int8 = 15,
    Int16 = 16,
    Int32 = 17,
    Int64 = 18,
    Json = 19,
    Bson = 20,
    Interval = 21,
}

internal enum FieldRepetitionType
{
    Required = 0,
    Optional = 1,
    Repeated = 2,
    Vector = 3,
}

internal enum Encoding
{
    Plain = 0,
    PlainDictionary = 2,
    Rle = 3,
    BitPacked = 4,
    DeltaBinaryPacked = 5,
    DeltaLengthByteArray = 6,
    DeltaByteArray = 7,
    RleDictionary = 8,
    ByteStreamSplit = 9,
}

internal enum CompressionCodec
{
    Uncompressed = 0,
    Snappy = 1,
    Gzip = 2,
    Lzo = 3,
    Brotli = 4,
    Lz4 = 5,
    Zstd = 6,
    Lz4Raw = 7,
}

internal enum PageType
{
    DataPage = 0,
    IndexPage = 1,
    DictionaryPage = 2,
    DataPageV2 = 3,
}

internal enum BoundaryOrder
{
    Unordered = 0,
    Ascending = 1,
    Descending = 2,
}

internal enum EdgeInterpolationAlgorithm
{
    Spherical = 0,
    Vincenty = 1,
    Thomas = 2,
    Andoyer = 3,
    Karney = 4,
}
