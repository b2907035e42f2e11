namespace CdcLake.Parquet;

/// <summary>What a file's footer says, in public terms: for the CLI's <c>meta</c> command and for pruning.</summary>
public sealed record ParquetFileInfo(
    int Version,
    string? CreatedBy,
    long RowCount,
    IReadOnlyDictionary<string, string?> KeyValueMetadata,
    IReadOnlyList<RowGroupInfo> RowGroups);

public sealed record RowGroupInfo(
    int Index,
    long RowCount,
    long TotalByteSize,
    long? TotalCompressedSize,
    IReadOnlyList<ColumnChunkInfo> Columns);

public sealed record ColumnChunkInfo(
    ColumnDescriptor Column,
    string Codec,
    IReadOnlyList<string> Encodings,
    long ValueCount,
    long CompressedSize,
    long UncompressedSize,
    long DataPageOffset,
    long? DictionaryPageOffset,
    ColumnStatistics? Statistics,
    IReadOnlyDictionary<string, string?> KeyValueMetadata,
    bool HasBloomFilter);

/// <summary>
/// Statistics of one column chunk. <see cref="Min"/> and <see cref="Max"/> are logical values (as
/// <see cref="LogicalValues"/> produces) when the file's sort order for the type is known, else null.
/// They bound the values; a writer may have truncated them (<see cref="IsExact"/> false).
/// </summary>
public sealed record ColumnStatistics(
    long? NullCount,
    long? DistinctCount,
    object? Min,
    object? Max,
    byte[]? MinBytes,
    byte[]? MaxBytes,
    bool IsExact)
{
    /// <summary>
    /// Whether the chunk may hold <paramref name="value"/>. Conservative: true whenever the statistics
    /// cannot decide (missing, NaN bounds, incomparable types).
    /// </summary>
    public bool MayContain(object value)
    {
        if (Min is null || Max is null || IsNaN(Min) || IsNaN(Max) || IsNaN(value))
        {
            return true;
        }

        try
        {
            return Compare(Min, value) <= 0 && Compare(value, Max) <= 0;
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException)
        {
            return true;
        }
    }

    // FLOAT16 statistics and values are Half: their NaNs bound nothing either (Half orders NaN below every number).
    private static bool IsNaN(object v) => v is double d && double.IsNaN(d) || v is float f && float.IsNaN(f) || v is Half h && Half.IsNaN(h);

    private static int Compare(object a, object b) => (a, b) switch
    {
        (string x, string y) => string.CompareOrdinal(x, y) switch
        {
            // UTF-8 byte order equals code point order, which ordinal UTF-16 order matches except for surrogates.
            var c => Utf8Compare(x, y, c),
        },
        (ParquetDecimal x, ParquetDecimal y) when x.Scale == y.Scale => x.Unscaled.CompareTo(y.Unscaled),
        (IComparable x, _) => x.CompareTo(Convert.ChangeType(b, a.GetType(), System.Globalization.CultureInfo.InvariantCulture)),
        _ => throw new ArgumentException("incomparable"),
    };

    private static int Utf8Compare(string x, string y, int ordinal) =>
        x.Any(char.IsSurrogate) || y.Any(char.IsSurrogate)
            ? System.Text.Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(y))
            : ordinal;
}
