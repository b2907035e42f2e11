using System.Buffers;
using CdcLake.Parquet.Compression;
using CdcLake.Parquet.Encodings;
using CdcLake.Parquet.Meta;

namespace CdcLake.Parquet.Internal.Reading;

using MetaPhysicalType = CdcLake.Parquet.Meta.PhysicalType;

/// <summary>
/// Decodes one column chunk: reads its bytes in one ranged read, walks the page headers, checks CRCs,
/// decompresses, and decodes levels and values into a <see cref="LeafChunk"/>. Every count taken from
/// the file is checked against what the row group and the bytes can hold before it sizes anything.
/// </summary>
internal sealed class ColumnChunkReader
{
    private readonly ColumnDescriptor _column;
    private readonly ColumnMetaData _meta;
    private readonly long _rowGroupRows;
    private readonly ParquetReadOptions _options;
    private readonly LevelBuffer? _definition;
    private readonly LevelBuffer? _repetition;

    /// <summary>
    /// Definition levels of a column whose maximum is 1 and that repeats nowhere (an optional field outside
    /// any list): kept as the validity bitmap itself instead of one int per level.
    /// </summary>
    private readonly BitmapBuilder? _defined;
    private readonly ValueAccumulator _values;
    private readonly int _definitionBits;
    private readonly int _repetitionBits;
    private readonly RecycledBuffers? _recycled;
    private readonly ReadBufferPool _pool;
    private Array? _dictionary;
    private int _dictionaryCount;
    private ByteArrayBuilder? _binaryDictionary;
    private long _levelCount;

    private ColumnChunkReader(ColumnDescriptor column, ColumnMetaData meta, long rowGroupRows, ParquetReadOptions options, long expectedValues, RecycledBuffers? recycled = null, ReadBufferPool? pool = null)
    {
        _column = column;
        _meta = meta;
        _rowGroupRows = rowGroupRows;
        _options = options;
        _recycled = recycled;
        _pool = pool ?? ReadBufferPool.Shared;
        var flat = column.MaxDefinitionLevel == 1 && column.MaxRepetitionLevel == 0;
        _defined = flat ? new BitmapBuilder((int)Math.Min(expectedValues, rowGroupRows), recycled?.Validity) : null;
        // One level per value slot: the chunk's declared count, when it is trusted for the values.
        var expectedLevels = expectedValues > 0 && expectedValues * sizeof(int) <= PresizeBudget(meta.TotalCompressedSize) ? (int)expectedValues : 0;
        _definition = column.MaxDefinitionLevel > 0 && !flat ? new LevelBuffer(_pool, expectedLevels) : null;
        _repetition = column.MaxRepetitionLevel > 0 ? new LevelBuffer(_pool, expectedLevels) : null;
        _definitionBits = RleBitPackedHybrid.BitWidthFor(column.MaxDefinitionLevel);
        _repetitionBits = RleBitPackedHybrid.BitWidthFor(column.MaxRepetitionLevel);
        _values = ValueAccumulator.For(column.Field, (int)expectedValues, expectedValues > 0 ? ExpectedBinaryBytes(meta) : 0, recycled);
    }

    /// <summary>Whether the column has definition levels, in either form.</summary>
    private bool HasDefinition => _definition is not null || _defined is not null;

    private PhysicalType Physical => _column.Field.PhysicalType;

    /// <param name="recycled">Buffers of this column's vector from an earlier row group, which the caller no longer uses.</param>
    /// <param name="pool">Where scratch buffers come from (null: the shared array pools).</param>
    public static LeafChunk Read(
        IRandomAccessFile file, ColumnChunk chunk, ColumnDescriptor column, long rowGroupRows, ParquetReadOptions options,
        RecycledBuffers? recycled = null, ReadBufferPool? pool = null)
    {
        if (chunk.IsEncrypted)
        {
            throw new ParquetException("encrypted columns are not supported");
        }

        if (chunk.FilePath is not null)
        {
            throw new ParquetException($"column data kept in another file ('{chunk.FilePath}') is not supported");
        }

        var meta = chunk.MetaData ?? throw new ParquetException("column chunk has no metadata");
        if (meta.NumValues == 0 && rowGroupRows == 0)
        {
            // Writers record placeholder offsets for chunks without values; there is nothing to read.
            return new ColumnChunkReader(column, meta, rowGroupRows, options, 0).Finish();
        }

        var reader = new ColumnChunkReader(column, meta, rowGroupRows, options, ExpectedValues(meta, column, rowGroupRows, file.Length), recycled, pool);
        reader.CheckMetadata(file.Length);
        var length = (int)meta.TotalCompressedSize;
        var buffer = reader._pool.RentBytes(length);
        try
        {
            file.ReadExactly(meta.FirstPageOffset, buffer.AsSpan(0, length));
            reader.ReadPages(buffer.AsSpan(0, length));
        }
        finally
        {
            reader._pool.Return(buffer);
        }

        return reader.Finish();
    }

    /// <summary>
    /// How many values to size buffers for up front, so that they are allocated once at their final size
    /// instead of growing page by page (each doubling copies and discards the previous buffer). Taken from
    /// the chunk's declared count only when that is consistent (with the row group for a flat column, and
    /// non-negative) and the buffers it implies stay within a budget proportional to the chunk's stored
    /// bytes, so a corrupt count in a small file cannot cause a large allocation; otherwise 0, and buffers
    /// grow with the values actually decoded.
    /// </summary>
    private static long ExpectedValues(ColumnMetaData meta, ColumnDescriptor column, long rowGroupRows, long fileLength)
    {
        var declared = meta.NumValues;
        if (declared <= 0 || declared > Array.MaxLength || (column.MaxRepetitionLevel == 0 && declared != rowGroupRows))
        {
            return 0;
        }

        var width = column.Field.PhysicalType switch
        {
            PhysicalType.Boolean => 1,
            PhysicalType.Int32 or PhysicalType.Float => 4,
            PhysicalType.Int96 => 12,
            PhysicalType.ByteArray or PhysicalType.FixedLenByteArray => 4, // offsets
            _ => 8,
        };
        // The chunk must lie within the file (CheckMetadata says so exactly); its stored size bounds the budget.
        var stored = meta.TotalCompressedSize;
        if (stored <= 0 || stored > fileLength)
        {
            return 0;
        }

        return declared * width <= PresizeBudget(stored) ? declared : 0;
    }

    /// <summary>
    /// Bytes of byte-array data to size for up front: the chunk's uncompressed size, within the same budget.
    /// Only asked once <see cref="ExpectedValues"/> found the stored size within the file.
    /// </summary>
    private static int ExpectedBinaryBytes(ColumnMetaData meta)
    {
        // Dictionary-encoded values are gathered page by page into exactly reserved space, usually far more
        // than the chunk's own bytes; a buffer sized from those would only be thrown away.
        if (meta.DictionaryPageOffset is not null || meta.Encodings.Any(e => e is Encoding.PlainDictionary or Encoding.RleDictionary))
        {
            return 0;
        }

        var uncompressed = meta.TotalUncompressedSize;
        return uncompressed > 0 && uncompressed <= PresizeBudget(Math.Max(0, meta.TotalCompressedSize)) && uncompressed <= Array.MaxLength
            ? (int)uncompressed
            : 0;
    }

    /// <summary>Up-front allocation allowed for a chunk of <paramref name="storedBytes"/>: 1 MiB plus 8 bytes per stored byte.</summary>
    private static long PresizeBudget(long storedBytes) => (1L << 20) + (8 * storedBytes);

    private void CheckMetadata(long fileLength)
    {
        var expected = ToMetaType(Physical);
        if (_meta.Type != expected)
        {
            throw new ParquetException($"column chunk says type {_meta.Type}, the schema says {expected}");
        }

        var start = _meta.FirstPageOffset;
        var length = _meta.TotalCompressedSize;
        if (start < 4 || length <= 0 || length > _options.MaxPageBytes * 8L || length > int.MaxValue || start > fileLength - 8 - length)
        {
            throw new ParquetException($"column chunk at offset {start} of {length} bytes does not fit in the {fileLength}-byte file");
        }

        if (_meta.NumValues < 0 || _meta.NumValues > int.MaxValue)
        {
            throw new ParquetException($"column chunk claims {_meta.NumValues} values");
        }
    }

    private void ReadPages(ReadOnlySpan<byte> data)
    {
        var position = 0;
        while (position < data.Length && _levelCount < _meta.NumValues)
        {
            var header = PageHeader.Read(data[position..], out var headerLength);
            position += headerLength;
            var compressedSize = header.CompressedPageSize;
            if (compressedSize < 0 || compressedSize > data.Length - position)
            {
                throw new ParquetException($"page at chunk offset {position - headerLength} claims {compressedSize} bytes, {data.Length - position} remain");
            }

            if (header.UncompressedPageSize < 0 || header.UncompressedPageSize > _options.MaxPageBytes)
            {
                throw new ParquetException($"page claims {header.UncompressedPageSize} uncompressed bytes (limit {_options.MaxPageBytes})");
            }

            var page = data.Slice(position, compressedSize);
            position += compressedSize;
            if (_options.VerifyChecksums && header.Crc is { } crc && (uint)crc != Crc32.Compute(page))
            {
                throw new ParquetException($"page CRC mismatch: stored {(uint)crc:x8}, computed {Crc32.Compute(page):x8}");
            }

            switch (header.Type)
            {
                case PageType.DictionaryPage:
                    ReadDictionaryPage(header, page);
                    break;
                case PageType.DataPage:
                    ReadDataPageV1(header, page);
                    break;
                case PageType.DataPageV2:
                    ReadDataPageV2(header, page);
                    break;
                default:
                    // Index pages and page types newer than this reader carry no values.
                    break;
            }
        }
    }

    private LeafChunk Finish()
    {
        if (_levelCount != _meta.NumValues)
        {
            throw new ParquetException($"pages hold {_levelCount} values, the column chunk declares {_meta.NumValues}");
        }

        return new LeafChunk(_column, (int)_levelCount, _definition?.Array, _repetition?.Array, _values.ToLeafValues(), _defined is not null, _defined?.Bits)
        {
            Dictionary = _binaryDictionary is { } binary ? new DictionaryBuffers(null, binary.OffsetsBuffer, binary.DataBuffer)
                : _dictionary is { } values ? new DictionaryBuffers(values, null, null)
                : null,
        };
    }

    private void ReadDictionaryPage(PageHeader header, ReadOnlySpan<byte> page)
    {
        var dict = header.DictionaryPageHeader!;
        if (_dictionary is not null || _binaryDictionary is not null)
        {
            throw new ParquetException("column chunk has a second dictionary page");
        }

        if (dict.Encoding is not (Encoding.Plain or Encoding.PlainDictionary))
        {
            throw new ParquetException($"dictionary page encoding {dict.Encoding} is not supported");
        }

        var count = dict.NumValues;
        var minBytes = Physical switch
        {
            PhysicalType.ByteArray => 4,
            PhysicalType.FixedLenByteArray => _column.Field.TypeLength,
            PhysicalType.Int32 or PhysicalType.Float => 4,
            PhysicalType.Int96 => 12,
            PhysicalType.Boolean => throw new ParquetException("BOOLEAN columns cannot be dictionary encoded"),
            _ => 8,
        };
        if (count < 0 || (long)count * minBytes > header.UncompressedPageSize)
        {
            throw new ParquetException($"dictionary page claims {count} entries in {header.UncompressedPageSize} bytes");
        }

        var bytes = Decompress(page, header.UncompressedPageSize, out var rented);
        try
        {
            switch (Physical)
            {
                case PhysicalType.ByteArray:
                    _binaryDictionary = BinaryDictionary(count, bytes.Length);
                    PlainDecoder.DecodeByteArray(bytes, count, _binaryDictionary);
                    break;
                case PhysicalType.FixedLenByteArray:
                    _binaryDictionary = BinaryDictionary(count, bytes.Length);
                    PlainDecoder.DecodeFixedLenByteArray(bytes, _column.Field.TypeLength, count, _binaryDictionary);
                    break;
                case PhysicalType.Int32:
                    _dictionary = DecodePlainArray<int>(bytes, count, (d, v) => PlainDecoder.DecodeInt32(d, v));
                    break;
                case PhysicalType.Int64:
                    _dictionary = DecodePlainArray<long>(bytes, count, (d, v) => PlainDecoder.DecodeInt64(d, v));
                    break;
                case PhysicalType.Float:
                    _dictionary = DecodePlainArray<float>(bytes, count, (d, v) => PlainDecoder.DecodeFloat(d, v));
                    break;
                case PhysicalType.Double:
                    _dictionary = DecodePlainArray<double>(bytes, count, (d, v) => PlainDecoder.DecodeDouble(d, v));
                    break;
                case PhysicalType.Int96:
                    _dictionary = DecodePlainArray<Int96>(bytes, count, (d, v) => PlainDecoder.DecodeInt96(d, v));
                    break;
            }

            _dictionaryCount = count;
        }
        finally
        {
            Return(rented);
        }
    }

    private delegate int SpanDecoder<T>(ReadOnlySpan<byte> data, Span<T> values);

    /// <summary>Decodes a fixed-width dictionary, into the recycled one's array when it is large enough.</summary>
    private T[] DecodePlainArray<T>(ReadOnlySpan<byte> data, int count, SpanDecoder<T> decode)
    {
        var values = _recycled?.Dictionary?.Values is T[] recycled && recycled.Length >= count ? recycled : new T[count];
        decode(data, values.AsSpan(0, count));
        return values;
    }

    private ByteArrayBuilder BinaryDictionary(int count, int bytes) =>
        _recycled?.Dictionary is { Offsets: { } offsets, Data: { } data } && offsets.Length > count && data.Length >= bytes
            ? new ByteArrayBuilder(offsets, data)
            : new ByteArrayBuilder(count, bytes);

    private void ReadDataPageV1(PageHeader header, ReadOnlySpan<byte> page)
    {
        var h = header.DataPageHeader!;
        var count = CheckPageValueCount(h.NumValues);
        var bytes = Decompress(page, header.UncompressedPageSize, out var rented);
        try
        {
            DeclaredCounts.CheckLevelsV1(bytes, h, count, _repetition is null ? -1 : _repetitionBits, HasDefinition ? _definitionBits : -1);
            var position = 0;
            if (_repetition is not null)
            {
                position += DecodeLevelsV1(bytes, h.RepetitionLevelEncoding, _repetitionBits, _repetition.Append(count), "repetition");
            }

            var present = count;
            if (_definition is not null)
            {
                var levels = _definition.Append(count);
                position += DecodeLevelsV1(bytes[position..], h.DefinitionLevelEncoding, _definitionBits, levels, "definition");
                present = CountPresent(levels);
            }
            else if (_defined is not null)
            {
                var before = _defined.SetCount;
                position += DecodeDefinedV1(bytes[position..], h.DefinitionLevelEncoding, count);
                present = _defined.SetCount - before;
            }

            CheckRepetitionStart(count);
            DecodeValues(bytes[position..], h.Encoding, present);
            _levelCount += count;
        }
        finally
        {
            Return(rented);
        }
    }

    private void ReadDataPageV2(PageHeader header, ReadOnlySpan<byte> page)
    {
        var h = header.DataPageHeaderV2!;
        var count = CheckPageValueCount(h.NumValues);
        var repBytes = h.RepetitionLevelsByteLength;
        var defBytes = h.DefinitionLevelsByteLength;
        if (repBytes < 0 || defBytes < 0 || (long)repBytes + defBytes > page.Length || (long)repBytes + defBytes > header.UncompressedPageSize)
        {
            throw new ParquetException($"data page v2 level lengths {repBytes}+{defBytes} exceed the page's {page.Length} bytes");
        }

        DeclaredCounts.CheckLevelsV2(page[..repBytes], page.Slice(repBytes, defBytes), count, _repetition is null ? -1 : _repetitionBits, HasDefinition ? _definitionBits : -1);

        if (_repetition is not null)
        {
            RleBitPackedHybrid.Decode(page[..repBytes], _repetitionBits, _repetition.Append(count));
        }

        var present = count;
        if (_definition is not null)
        {
            var levels = _definition.Append(count);
            RleBitPackedHybrid.Decode(page.Slice(repBytes, defBytes), _definitionBits, levels);
            present = CountPresent(levels);
        }
        else if (_defined is not null)
        {
            var before = _defined.SetCount;
            RleBitPackedHybrid.DecodeBits(page.Slice(repBytes, defBytes), count, _defined);
            present = _defined.SetCount - before;
        }

        if (count - present != h.NumNulls && h.NumNulls != 0 || (!HasDefinition && h.NumNulls != 0))
        {
            throw new ParquetException($"data page v2 declares {h.NumNulls} nulls, its levels say {count - present}");
        }

        CheckRepetitionStart(count);
        var valueBytes = page[(repBytes + defBytes)..];
        var uncompressed = header.UncompressedPageSize - repBytes - defBytes;
        if (h.ValuesAreCompressed)
        {
            var bytes = Decompress(valueBytes, uncompressed, out var rented);
            try
            {
                DecodeValues(bytes, h.Encoding, present);
            }
            finally
            {
                Return(rented);
            }
        }
        else
        {
            DecodeValues(valueBytes, h.Encoding, present);
        }

        _levelCount += count;
    }

    private int CheckPageValueCount(int count)
    {
        // Flat columns have one level per row; nested ones cannot exceed the chunk's declared total.
        var limit = _repetition is null ? _rowGroupRows : _meta.NumValues;
        if (count < 0 || count > limit - _levelCount)
        {
            throw new ParquetException($"page claims {count} values where at most {Math.Max(0, limit - _levelCount)} remain");
        }

        return count;
    }

    private void CheckRepetitionStart(int count)
    {
        if (_repetition is not null && count > 0 && _levelCount == 0 && _repetition.Array[0] != 0)
        {
            throw new ParquetException("the first value of the column chunk does not start a row (repetition level is not 0)");
        }

        if (_repetition is not null)
        {
            var levels = _repetition.Array.AsSpan((int)_levelCount, count);
            foreach (var level in levels)
            {
                if ((uint)level > (uint)_column.MaxRepetitionLevel)
                {
                    throw new ParquetException($"repetition level {level} exceeds the maximum {_column.MaxRepetitionLevel}");
                }
            }
        }
    }

    private int CountPresent(ReadOnlySpan<int> levels)
    {
        var max = _column.MaxDefinitionLevel;
        var present = 0;
        foreach (var level in levels)
        {
            if (level == max)
            {
                present++;
            }
            else if ((uint)level > (uint)max)
            {
                throw new ParquetException($"definition level {level} exceeds the maximum {max}");
            }
        }

        return present;
    }

    private static int DecodeLevelsV1(ReadOnlySpan<byte> data, Encoding encoding, int bitWidth, Span<int> levels, string what) => encoding switch
    {
        Encoding.Rle => RleBitPackedHybrid.DecodeLengthPrefixed(data, bitWidth, levels),
        Encoding.BitPacked => LegacyBitPacked.Decode(data, bitWidth, levels),
        _ => throw new ParquetException($"{what} levels use encoding {encoding}, expected RLE or BIT_PACKED"),
    };

    /// <summary>Data page v1 definition levels of a flat optional column, into the validity bitmap; returns the bytes read.</summary>
    private int DecodeDefinedV1(ReadOnlySpan<byte> data, Encoding encoding, int count)
    {
        switch (encoding)
        {
            case Encoding.Rle:
                return RleBitPackedHybrid.DecodeBitsLengthPrefixed(data, count, _defined!);
            case Encoding.BitPacked:
                var levels = ArrayPool<int>.Shared.Rent(Math.Max(1, count));
                try
                {
                    var read = LegacyBitPacked.Decode(data, _definitionBits, levels.AsSpan(0, count));
                    _defined!.AppendLevels(levels.AsSpan(0, count), _column.MaxDefinitionLevel);
                    return read;
                }
                finally
                {
                    ArrayPool<int>.Shared.Return(levels);
                }

            default:
                throw new ParquetException($"definition levels use encoding {encoding}, expected RLE or BIT_PACKED");
        }
    }

    private void DecodeValues(ReadOnlySpan<byte> data, Encoding encoding, int count)
    {
        if (count == 0)
        {
            return;
        }

        DeclaredCounts.CheckValues(data, encoding, count, Physical, _column.Field.TypeLength);
        switch (encoding)
        {
            case Encoding.PlainDictionary or Encoding.RleDictionary:
                DecodeDictionaryIndices(data, count);
                return;
            case Encoding.Plain:
                DecodePlain(data, count);
                return;
            case Encoding.Rle when _values is FixedAccumulator<bool> booleans:
                RleBitPackedHybrid.DecodeBooleans(data, booleans.Append(count));
                booleans.Commit(count);
                return;
            case Encoding.DeltaBinaryPacked when _values is FixedAccumulator<int> ints:
                DeltaBinaryPacked.DecodeInt32(data, ints.Append(count));
                ints.Commit(count);
                return;
            case Encoding.DeltaBinaryPacked when _values is FixedAccumulator<long> longs:
                DeltaBinaryPacked.DecodeInt64(data, longs.Append(count));
                longs.Commit(count);
                return;
            case Encoding.DeltaLengthByteArray when _values is BinaryAccumulator binary:
                DeltaLengthByteArray.Decode(data, count, binary.Builder, FixedWidth);
                return;
            case Encoding.DeltaByteArray when _values is BinaryAccumulator binary:
                DeltaByteArray.Decode(data, count, binary.Builder, FixedWidth);
                return;
            case Encoding.ByteStreamSplit:
                DecodeByteStreamSplit(data, count);
                return;
            default:
                throw new ParquetException($"encoding {encoding} is not valid for {Physical} values");
        }
    }

    private int FixedWidth => Physical == PhysicalType.FixedLenByteArray ? _column.Field.TypeLength : -1;

    private void DecodePlain(ReadOnlySpan<byte> data, int count)
    {
        switch (_values)
        {
            case FixedAccumulator<bool> a: PlainDecoder.DecodeBooleans(data, a.Append(count)); a.Commit(count); break;
            case FixedAccumulator<int> a: PlainDecoder.DecodeInt32(data, a.Append(count)); a.Commit(count); break;
            case FixedAccumulator<long> a: PlainDecoder.DecodeInt64(data, a.Append(count)); a.Commit(count); break;
            case FixedAccumulator<float> a: PlainDecoder.DecodeFloat(data, a.Append(count)); a.Commit(count); break;
            case FixedAccumulator<double> a: PlainDecoder.DecodeDouble(data, a.Append(count)); a.Commit(count); break;
            case FixedAccumulator<Int96> a: PlainDecoder.DecodeInt96(data, a.Append(count)); a.Commit(count); break;
            case BinaryAccumulator b when Physical == PhysicalType.FixedLenByteArray:
                PlainDecoder.DecodeFixedLenByteArray(data, _column.Field.TypeLength, count, b.Builder);
                break;
            case BinaryAccumulator b:
                PlainDecoder.DecodeByteArray(data, count, b.Builder);
                break;
        }
    }

    private void DecodeByteStreamSplit(ReadOnlySpan<byte> data, int count)
    {
        switch (_values)
        {
            case FixedAccumulator<int> a: ByteStreamSplit.DecodeInt32(data, a.Append(count)); a.Commit(count); break;
            case FixedAccumulator<long> a: ByteStreamSplit.DecodeInt64(data, a.Append(count)); a.Commit(count); break;
            case FixedAccumulator<float> a: ByteStreamSplit.DecodeFloat(data, a.Append(count)); a.Commit(count); break;
            case FixedAccumulator<double> a: ByteStreamSplit.DecodeDouble(data, a.Append(count)); a.Commit(count); break;
            case BinaryAccumulator b when Physical == PhysicalType.FixedLenByteArray:
                ByteStreamSplit.DecodeFixedLenByteArray(data, _column.Field.TypeLength, count, b.Builder);
                break;
            default:
                throw new ParquetException($"encoding BYTE_STREAM_SPLIT is not valid for {Physical} values");
        }
    }

    private void DecodeDictionaryIndices(ReadOnlySpan<byte> data, int count)
    {
        if (_dictionary is null && _binaryDictionary is null)
        {
            throw new ParquetException("data page is dictionary encoded but the column chunk has no dictionary page");
        }

        var indices = _pool.RentInts(count);
        try
        {
            var span = indices.AsSpan(0, count);
            RleBitPackedHybrid.DecodeDictionaryIndices(data, span);
            switch (_values)
            {
                case BinaryAccumulator b:
                    DictionaryGather.Gather(_binaryDictionary!.AsSpan(), span, b.Builder);
                    break;
                case FixedAccumulator<int> a: Gather(a, ((int[])_dictionary!).AsSpan(0, _dictionaryCount), span); break;
                case FixedAccumulator<long> a: Gather(a, ((long[])_dictionary!).AsSpan(0, _dictionaryCount), span); break;
                case FixedAccumulator<float> a: Gather(a, ((float[])_dictionary!).AsSpan(0, _dictionaryCount), span); break;
                case FixedAccumulator<double> a: Gather(a, ((double[])_dictionary!).AsSpan(0, _dictionaryCount), span); break;
                case FixedAccumulator<Int96> a: Gather(a, ((Int96[])_dictionary!).AsSpan(0, _dictionaryCount), span); break;
                default: throw new ParquetException($"{Physical} values cannot be dictionary encoded");
            }
        }
        finally
        {
            _pool.Return(indices);
        }
    }

    private static void Gather<T>(FixedAccumulator<T> target, ReadOnlySpan<T> dictionary, ReadOnlySpan<int> indices)
        where T : unmanaged
    {
        DictionaryGather.Gather<T>(dictionary, indices, target.Append(indices.Length));
        target.Commit(indices.Length);
    }

    private ReadOnlySpan<byte> Decompress(ReadOnlySpan<byte> input, int uncompressedSize, out byte[]? rented)
    {
        var codec = (CodecId)(int)_meta.Codec;
        if (codec == CodecId.Uncompressed)
        {
            if (input.Length != uncompressedSize)
            {
                throw new ParquetException($"uncompressed page holds {input.Length} bytes but declares {uncompressedSize}");
            }

            rented = null;
            return input;
        }

        if (uncompressedSize < 0 || uncompressedSize > _options.MaxPageBytes)
        {
            throw new ParquetException($"page claims {uncompressedSize} uncompressed bytes (limit {_options.MaxPageBytes})");
        }

        if (uncompressedSize > PageCompression.MaxDecompressedLength(codec, input.Length))
        {
            throw new ParquetException($"{PageCompression.Name(codec)} page of {input.Length} bytes cannot decompress to the {uncompressedSize} bytes it declares");
        }

        rented = _pool.RentBytes(Math.Max(1, uncompressedSize));
        var output = rented.AsSpan(0, uncompressedSize);
        PageCompression.Decompress(codec, input, output);
        return output;
    }

    private void Return(byte[]? rented)
    {
        if (rented is not null)
        {
            _pool.Return(rented);
        }
    }

    private static MetaPhysicalType ToMetaType(PhysicalType type) => type switch
    {
        PhysicalType.Boolean => MetaPhysicalType.Boolean,
        PhysicalType.Int32 => MetaPhysicalType.Int32,
        PhysicalType.Int64 => MetaPhysicalType.Int64,
        PhysicalType.Int96 => MetaPhysicalType.Int96,
        PhysicalType.Float => MetaPhysicalType.Float,
        PhysicalType.Double => MetaPhysicalType.Double,
        PhysicalType.ByteArray => MetaPhysicalType.ByteArray,
        _ => MetaPhysicalType.FixedLenByteArray,
    };
}
