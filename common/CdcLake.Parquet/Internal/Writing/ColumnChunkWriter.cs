using System.Buffers;
using CdcLake.Parquet.Compression;
using CdcLake.Parquet.Encodings;
using CdcLake.Parquet.Meta;

namespace CdcLake.Parquet.Internal.Writing;

using MetaPhysicalType = CdcLake.Parquet.Meta.PhysicalType;

/// <summary>The options a column writer needs, resolved once per file.</summary>
internal sealed class WriterSettings
{
    public required CodecId Codec { get; init; }
    public required int? CompressionLevel { get; init; }
    public required int PageVersion { get; init; }
    public required int PageBytes { get; init; }
    public required bool EnableDictionary { get; init; }
    public required int DictionaryPageBytes { get; init; }
    public required bool Statistics { get; init; }
    public required bool Checksums { get; init; }
}

/// <summary>
/// Writes one leaf column, one row group (column chunk) at a time: takes levels and values, cuts them into
/// data pages (v1 or v2) of about <see cref="WriterSettings.PageBytes"/> encoded bytes, compresses each page
/// as it is cut and keeps the compressed pages until the row group is flushed. A page of a repeated column
/// always starts at a row (repetition level 0).
/// </summary>
/// <remarks>
/// <para>Dictionary encoding (every type but BOOLEAN, when enabled): values are looked up in a per-chunk
/// dictionary and pages hold RLE_DICTIONARY indices; the PLAIN dictionary page is written ahead of the data
/// pages at flush. Two rules end it for the rest of the chunk:</para>
/// <list type="number">
/// <item>When the first page is cut (or the dictionary overflows before that), the dictionary must pay off:
/// dictionary page + index bytes must be smaller than the PLAIN bytes of the same values. If not (typically
/// above about half distinct values), the dictionary is dropped altogether: the first page is written PLAIN
/// and the chunk has no dictionary page (parquet-mr's rule). Until then the page is sized as if PLAIN, so a
/// dropped dictionary leaves a page of the usual size. To spare hashing a whole page of unique keys or
/// timestamps, the same test is made early, after <see cref="DictionaryProbeValues"/> values, when at least
/// 90% of them are distinct.</item>
/// <item>Once the dictionary's PLAIN size passes <see cref="WriterSettings.DictionaryPageBytes"/>, the current
/// page is cut dictionary-encoded and the remaining pages of the chunk are PLAIN (parquet-mr and Arrow do the same).</item>
/// </list>
/// <para>The next row group starts again with an empty dictionary.</para>
/// </remarks>
internal abstract class ColumnChunkWriter : IDisposable
{
    /// <summary>Levels per page at most, whatever the byte estimate says; bounds the page buffers.</summary>
    public const int MaxPageLevels = 1 << 18;

    /// <summary>Values into the first page after which a column of nearly all distinct values is decided early.</summary>
    public const int DictionaryProbeValues = 1 << 12;

    private readonly int _maxDef;
    private readonly int _maxRep;
    private readonly int _defWidth;
    private readonly int _repWidth;
    private readonly bool _dictionaryAllowed;
    private readonly LevelBuffer _def = new();
    private readonly LevelBuffer _rep = new();
    private readonly PooledBufferWriter _body = new(4096);
    private readonly PooledBufferWriter _stored = new(4096);
    private readonly ThriftCompactWriter _header = new(64);
    private readonly ChunkBuffer _pages = new();
    private readonly ChunkBuffer _dictionaryPage = new();

    private int _pageLevels;
    private int _pageNulls;
    private int _pageRows;

    private bool _decided;
    private bool _probed;
    private long _chunkLevels;
    private long _chunkNulls;
    private long _chunkUncompressed;
    private long _chunkCompressed;
    private int _dictionaryPages;
    private int _plainPages;
    private Meta.Statistics? _statistics;

    protected ColumnChunkWriter(ColumnDescriptor column, WriterSettings settings, bool supportsDictionary)
    {
        Column = column;
        Settings = settings;
        _maxDef = column.MaxDefinitionLevel;
        _maxRep = column.MaxRepetitionLevel;
        _defWidth = RleBitPackedHybrid.BitWidthFor(_maxDef);
        _repWidth = RleBitPackedHybrid.BitWidthFor(_maxRep);
        _dictionaryAllowed = settings.EnableDictionary && supportsDictionary;
        DictionaryMode = _dictionaryAllowed;
    }

    public ColumnDescriptor Column { get; }

    protected WriterSettings Settings { get; }

    /// <summary>Whether values currently go through the dictionary.</summary>
    protected bool DictionaryMode { get; private set; }

    /// <summary>Bytes held for the open row group: finished pages, the page being built, the dictionary.</summary>
    public long BufferedBytes => _pages.Length + LevelBytesEstimate + PageValueBytes + (_dictionaryAllowed ? DictionaryPlainBytes : 0);

    // ---- value side, per physical type ---------------------------------------------------------------

    /// <summary>Values (not nulls) in the page being built.</summary>
    protected abstract int PageValueCount { get; }

    /// <summary>Encoded size of the page's values as they would be written now.</summary>
    protected abstract long PageValueBytes { get; }

    /// <summary>PLAIN size of the page's values, for the dictionary decision.</summary>
    protected abstract long PagePlainBytes { get; }

    /// <summary>Expected encoded bytes per further value, for sizing appends to the page.</summary>
    protected abstract double BytesPerValue { get; }

    /// <summary>Expected PLAIN bytes per further value.</summary>
    protected abstract double PlainBytesPerValue { get; }

    /// <summary>Largest number of slots appended between page and dictionary checks.</summary>
    protected virtual int MaxSlice => DictionaryMode ? 4096 : int.MaxValue;

    protected virtual long DictionaryPlainBytes => 0;

    protected virtual int DictionaryCount => 0;

    /// <summary>Appends slots <c>start..start+count</c> of a vector that has no nulls among them.</summary>
    protected abstract void AppendDense(ColumnVector vector, int start, int count);

    /// <summary>Appends the non-null slots among <c>start..start+count</c>.</summary>
    protected abstract void AppendValid(ColumnVector vector, int start, int count);

    /// <summary>Appends the given slots, all non-null.</summary>
    protected abstract void AppendSlots(ColumnVector vector, ReadOnlySpan<int> slots);

    /// <summary>Writes the page's values (RLE_DICTIONARY indices in dictionary mode, else PLAIN) and forgets them.</summary>
    protected abstract void WritePageValues(IBufferWriter<byte> output);

    /// <summary>Turns the page's dictionary indices back into PLAIN values and empties the dictionary.</summary>
    protected virtual void DropDictionary()
    {
    }

    protected virtual void WriteDictionaryValues(IBufferWriter<byte> output)
    {
    }

    /// <summary>PLAIN bytes of the chunk's minimum and maximum in the column's order; nulls when undefined.</summary>
    protected abstract (byte[]? Min, byte[]? Max) Bounds();

    /// <summary>Forgets the chunk's values, dictionary and bounds.</summary>
    protected abstract void ResetValues();

    /// <summary>Dictionary indices for the page: the bit-width byte and RLE/bit-packed runs.</summary>
    protected void WriteIndices(ReadOnlySpan<int> indices, IBufferWriter<byte> output) =>
        RleBitPackedHybrid.EncodeDictionaryIndices(indices, IndexBitWidth, output);

    protected int IndexBitWidth => Math.Max(1, RleBitPackedHybrid.BitWidthFor(DictionaryCount - 1));

    protected long IndexBytes(int count) => 1 + (((long)count * IndexBitWidth) + 7) / 8;

    // ---- levels and paging ------------------------------------------------------------------------------

    /// <summary>Appends rows <c>start..start+count</c> of a top-level primitive column.</summary>
    public void AppendFlat(ColumnVector vector, int start, int count)
    {
        var validity = vector.Validity;
        while (count > 0)
        {
            var take = SliceSize(count);
            var nulls = 0;
            if (_maxDef == 0)
            {
                AppendDense(vector, start, take);
            }
            else if (validity is null)
            {
                _def.AppendRun(1, take);
                AppendDense(vector, start, take);
            }
            else
            {
                nulls = _def.AppendValidity(validity, start, take);
                if (nulls == 0)
                {
                    AppendDense(vector, start, take);
                }
                else if (nulls < take)
                {
                    AppendValid(vector, start, take);
                }
            }

            _pageLevels += take;
            _pageRows += take;
            _pageNulls += nulls;
            start += take;
            count -= take;
            AfterAppend();
        }
    }

    /// <summary>
    /// Appends level positions <c>from..to</c> of a shredded nested column (both at row starts), taking the
    /// values from <see cref="ShreddedLeaf.ValueSlots"/> at <paramref name="valueCursor"/>, which advances.
    /// </summary>
    public void AppendNested(ShreddedLeaf leaf, int from, int to, ref int valueCursor)
    {
        var def = leaf.DefinitionLevels;
        var rep = leaf.RepetitionLevels;
        var slots = leaf.ValueSlots;
        var p = from;
        while (p < to)
        {
            var q = p + SliceSize(to - p);
            if (rep is not null)
            {
                while (q < to && rep[q] != 0)
                {
                    q++;
                }
            }

            var n = q - p;
            int values;
            if (def is not null)
            {
                var levels = def.AsSpan(p, n);
                _def.Append(levels);
                values = levels.Count(_maxDef);
            }
            else
            {
                values = n;
            }

            int rows;
            if (rep is not null)
            {
                var levels = rep.AsSpan(p, n);
                _rep.Append(levels);
                rows = levels.Count(0);
            }
            else
            {
                rows = n;
            }

            if (values > 0)
            {
                if (slots is null)
                {
                    throw new InvalidOperationException("shredded leaf without value slots");
                }

                AppendSlots(leaf.Leaf, slots.AsSpan(valueCursor, values));
                valueCursor += values;
            }

            _pageLevels += n;
            _pageRows += rows;
            _pageNulls += n - values;
            p = q;
            AfterAppend();
        }
    }

    /// <summary>Cuts the last page and builds the dictionary page; the chunk is then ready for <see cref="WriteChunk"/>.</summary>
    public void FinishChunk()
    {
        CutPage();
        _dictionaryPage.Reset();
        if (_dictionaryPages > 0)
        {
            _body.Clear();
            WriteDictionaryValues(_body);
            var uncompressed = _body.WrittenCount;
            var stored = Compress(_body.WrittenSpan);
            var header = new PageHeader
            {
                Type = PageType.DictionaryPage,
                UncompressedPageSize = uncompressed,
                CompressedPageSize = stored.Length,
                Crc = Settings.Checksums ? (int)Crc32.Compute(stored) : null,
                DictionaryPageHeader = new DictionaryPageHeader { NumValues = DictionaryCount, Encoding = Encoding.Plain },
            };
            var headerBytes = SerializeHeader(header);
            _dictionaryPage.Write(headerBytes);
            _dictionaryPage.Write(stored);
            _chunkUncompressed += headerBytes.Length + uncompressed;
            _chunkCompressed += headerBytes.Length + stored.Length;
        }

        _statistics = Settings.Statistics ? BuildStatistics() : null;
    }

    /// <summary>Writes the finished chunk at <paramref name="position"/> of the output and starts the next one.</summary>
    public ColumnChunk WriteChunk(Stream output, ref long position, IReadOnlyDictionary<string, string>? keyValueMetadata)
    {
        long? dictionaryOffset = null;
        if (_dictionaryPage.Length > 0)
        {
            dictionaryOffset = position;
            _dictionaryPage.WriteTo(output);
            position += _dictionaryPage.Length;
        }

        var dataOffset = position;
        _pages.WriteTo(output);
        position += _pages.Length;

        var dataPageType = Settings.PageVersion == 2 ? PageType.DataPageV2 : PageType.DataPage;
        var encodings = new List<Encoding>(3);
        var encodingStats = new List<PageEncodingStats>(3);
        if (_dictionaryPage.Length > 0)
        {
            encodingStats.Add(new PageEncodingStats { PageType = PageType.DictionaryPage, Encoding = Encoding.Plain, Count = 1 });
        }

        if (_dictionaryPage.Length > 0 || _plainPages > 0)
        {
            encodings.Add(Encoding.Plain);
        }

        if (_maxDef > 0 || _maxRep > 0)
        {
            encodings.Add(Encoding.Rle);
        }

        if (_dictionaryPages > 0)
        {
            encodings.Add(Encoding.RleDictionary);
            encodingStats.Add(new PageEncodingStats { PageType = dataPageType, Encoding = Encoding.RleDictionary, Count = _dictionaryPages });
        }

        if (_plainPages > 0)
        {
            encodingStats.Add(new PageEncodingStats { PageType = dataPageType, Encoding = Encoding.Plain, Count = _plainPages });
        }

        var meta = new ColumnMetaData
        {
            Type = (MetaPhysicalType)(int)Column.Field.PhysicalType,
            Encodings = encodings,
            PathInSchema = [.. Column.Path],
            Codec = (CompressionCodec)(int)Settings.Codec,
            NumValues = _chunkLevels,
            TotalUncompressedSize = _chunkUncompressed,
            TotalCompressedSize = _chunkCompressed,
            DataPageOffset = dataOffset,
            DictionaryPageOffset = dictionaryOffset,
            Statistics = _statistics,
            EncodingStats = encodingStats,
            KeyValueMetadata = keyValueMetadata is { Count: > 0 } kv ? [.. kv.Select(p => new KeyValue(p.Key, p.Value))] : null,
        };

        ResetChunk();
        return new ColumnChunk { FileOffset = dictionaryOffset ?? dataOffset, MetaData = meta };
    }

    public virtual void Dispose()
    {
        _def.Dispose();
        _rep.Dispose();
        _body.Dispose();
        _stored.Dispose();
        _pages.Dispose();
        _dictionaryPage.Dispose();
    }

    private long LevelBytesEstimate => _def.EstimateBytes(_defWidth) + _rep.EstimateBytes(_repWidth);

    /// <summary>
    /// Until the first-page dictionary decision is made, the page is sized as if PLAIN, so that the decision
    /// falls when a PLAIN page would be full and a dropped dictionary leaves a page of the usual size.
    /// </summary>
    private bool Undecided => DictionaryMode && !_decided;

    private long PageBytesEstimate => LevelBytesEstimate + (Undecided ? Math.Max(PageValueBytes, PagePlainBytes) : PageValueBytes);

    private int SliceSize(int remaining)
    {
        var room = Settings.PageBytes - PageBytesEstimate;
        var perValue = Math.Max((Undecided ? PlainBytesPerValue : BytesPerValue) + ((_defWidth + _repWidth) / 8.0), 0.125);
        var n = room <= 0 ? 1 : (long)(room / perValue) + 1;
        n = Math.Min(n, MaxSlice);
        n = Math.Min(n, MaxPageLevels - _pageLevels);
        return (int)Math.Clamp(n, 1, remaining);
    }

    private void AfterAppend()
    {
        // A dictionary that has grown too big is either dropped (first page: its values become PLAIN) or
        // frozen: the page so far is cut dictionary-encoded and the rest of the chunk is PLAIN.
        if (DictionaryMode && DictionaryPlainBytes > Settings.DictionaryPageBytes && (_decided || DecideDictionary()))
        {
            CutPage();
            DictionaryMode = false;
        }
        else if (Undecided && !_probed && PageValueCount >= DictionaryProbeValues)
        {
            _probed = true;
            if (DictionaryCount >= PageValueCount * 0.9)
            {
                DecideDictionary();
            }
        }

        if (_pageLevels >= MaxPageLevels || PageBytesEstimate >= Settings.PageBytes)
        {
            CutPage();
        }
    }

    /// <summary>Makes the first-page decision; returns whether the dictionary stays.</summary>
    private bool DecideDictionary()
    {
        _decided = true;
        if (DictionaryPlainBytes + IndexBytes(PageValueCount) < PagePlainBytes)
        {
            return true;
        }

        DropDictionary();
        DictionaryMode = false;
        return false;
    }

    private void CutPage()
    {
        if (_pageLevels == 0)
        {
            return;
        }

        if (DictionaryMode && !_decided)
        {
            DecideDictionary();
        }

        var dictionary = DictionaryMode;
        var encoding = dictionary ? Encoding.RleDictionary : Encoding.Plain;
        _body.Clear();
        _stored.Clear();
        PageHeader header;
        ReadOnlySpan<byte> stored;
        if (Settings.PageVersion == 2)
        {
            // Levels first, never compressed and without length prefixes; only the values are compressed.
            _rep.Encode(_repWidth, _stored);
            var repLength = _stored.WrittenCount;
            _def.Encode(_defWidth, _stored);
            var defLength = _stored.WrittenCount - repLength;
            WritePageValues(_body);
            var compressed = Settings.Codec != CodecId.Uncompressed;
            if (compressed)
            {
                PageCompression.Compress(Settings.Codec, _body.WrittenSpan, _stored, Settings.CompressionLevel);
            }
            else
            {
                _stored.Write(_body.WrittenSpan);
            }

            stored = _stored.WrittenSpan;
            header = new PageHeader
            {
                Type = PageType.DataPageV2,
                UncompressedPageSize = repLength + defLength + _body.WrittenCount,
                CompressedPageSize = stored.Length,
                DataPageHeaderV2 = new DataPageHeaderV2
                {
                    NumValues = _pageLevels,
                    NumNulls = _pageNulls,
                    NumRows = _pageRows,
                    Encoding = encoding,
                    DefinitionLevelsByteLength = defLength,
                    RepetitionLevelsByteLength = repLength,
                    IsCompressed = compressed,
                },
            };
        }
        else
        {
            if (_maxRep > 0)
            {
                _rep.EncodeLengthPrefixed(_repWidth, _body);
            }

            if (_maxDef > 0)
            {
                _def.EncodeLengthPrefixed(_defWidth, _body);
            }

            WritePageValues(_body);
            stored = Compress(_body.WrittenSpan);
            header = new PageHeader
            {
                Type = PageType.DataPage,
                UncompressedPageSize = _body.WrittenCount,
                CompressedPageSize = stored.Length,
                DataPageHeader = new DataPageHeader
                {
                    NumValues = _pageLevels,
                    Encoding = encoding,
                    DefinitionLevelEncoding = Encoding.Rle,
                    RepetitionLevelEncoding = Encoding.Rle,
                },
            };
        }

        if (Settings.Checksums)
        {
            header.Crc = (int)Crc32.Compute(stored);
        }

        var headerBytes = SerializeHeader(header);
        _pages.Write(headerBytes);
        _pages.Write(stored);
        _chunkUncompressed += headerBytes.Length + header.UncompressedPageSize;
        _chunkCompressed += headerBytes.Length + stored.Length;
        _chunkLevels += _pageLevels;
        _chunkNulls += _pageNulls;
        if (dictionary)
        {
            _dictionaryPages++;
        }
        else
        {
            _plainPages++;
        }

        _def.Clear();
        _rep.Clear();
        _pageLevels = 0;
        _pageNulls = 0;
        _pageRows = 0;
    }

    /// <summary>The page body as stored: itself when uncompressed, else compressed into the scratch buffer.</summary>
    private ReadOnlySpan<byte> Compress(ReadOnlySpan<byte> body)
    {
        if (Settings.Codec == CodecId.Uncompressed)
        {
            return body;
        }

        _stored.Clear();
        PageCompression.Compress(Settings.Codec, body, _stored, Settings.CompressionLevel);
        return _stored.WrittenSpan;
    }

    private ReadOnlySpan<byte> SerializeHeader(PageHeader header)
    {
        _header.Clear();
        header.Write(_header);
        return _header.WrittenSpan;
    }

    private Meta.Statistics BuildStatistics()
    {
        var statistics = new Meta.Statistics { NullCount = _chunkNulls };
        var (min, max) = Bounds();
        if (min is not null && max is not null && min.Length <= StatisticsBuilder.MaxBoundBytes && max.Length <= StatisticsBuilder.MaxBoundBytes)
        {
            statistics.MinValue = min;
            statistics.MaxValue = max;
            statistics.IsMinValueExact = true;
            statistics.IsMaxValueExact = true;
            if (StatisticsBuilder.LegacyOrderIsSound(Column.Field))
            {
                statistics.Min = min;
                statistics.Max = max;
            }
        }

        return statistics;
    }

    private void ResetChunk()
    {
        ResetValues();
        _pages.Reset();
        _dictionaryPage.Reset();
        DictionaryMode = _dictionaryAllowed;
        _decided = false;
        _probed = false;
        _chunkLevels = 0;
        _chunkNulls = 0;
        _chunkUncompressed = 0;
        _chunkCompressed = 0;
        _dictionaryPages = 0;
        _plainPages = 0;
        _statistics = null;
    }
}
