namespace CdcLake.Parquet.Internal.Reading;

/// <summary>
/// Buffers of a column the caller is done with, offered to the decoder of the same column in a later row
/// group so that reading a file does not allocate (and fault in) fresh large arrays per row group: those of
/// its vector, and the dictionary the decoder used. Any of them may be null; each is used only if it has
/// the right type and is large enough.
/// </summary>
internal sealed record RecycledBuffers(Array? Values, int[]? Offsets, byte[]? Data, byte[]? Validity, DictionaryBuffers? Dictionary = null)
{
    /// <summary>The buffers of a top-level primitive vector, or null for other kinds.</summary>
    public static RecycledBuffers? From(ColumnVector vector) => vector switch
    {
        PrimitiveVector<int> v => new(v.Values, null, null, v.Validity),
        PrimitiveVector<long> v => new(v.Values, null, null, v.Validity),
        PrimitiveVector<float> v => new(v.Values, null, null, v.Validity),
        PrimitiveVector<double> v => new(v.Values, null, null, v.Validity),
        PrimitiveVector<Int96> v => new(v.Values, null, null, v.Validity),
        BooleanVector v => new(v.Values, null, null, v.Validity),
        BinaryVector v => new(null, v.Offsets, v.Data, v.Validity),
        _ => null,
    };
}

/// <summary>The arrays a column chunk's dictionary was decoded into: values for fixed widths, offsets and data for byte arrays.</summary>
internal sealed record DictionaryBuffers(Array? Values, int[]? Offsets, byte[]? Data);

/// <summary>
/// Kept on a batch the reader returns: the dictionary buffers used to decode it, by leaf index, so that
/// they too can be filled again when the batch is handed back for reuse. Never visible to the caller.
/// </summary>
internal sealed record ReaderScratch(object Owner, DictionaryBuffers?[] Dictionaries);
