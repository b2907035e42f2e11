namespace CdcLake.Parquet.Meta;

/// <summary>
/// parquet.thrift <c>PageHeader</c>, which precedes every page of a column chunk. Exactly one of the
/// type-specific headers is set, according to <see cref="Type"/>.
/// </summary>
internal sealed class PageHeader : IThriftStruct
{
    public PageType Type { get; set; }

    /// <summary>Size of the page after the header, once decompressed.</summary>
    public int UncompressedPageSize { get; set; }

    /// <summary>Size of the page after the header, as stored.</summary>
    public int CompressedPageSize { get; set; }

    /// <summary>CRC-32 (GZIP polynomial) of the page bytes as stored, excluding the header.</summary>
    public int? Crc { get; set; }

    public DataPageHeader? DataPageHeader { get; set; }
    public IndexPageHeader? IndexPageHeader { get; set; }
    public DictionaryPageHeader? DictionaryPageHeader { get; set; }
    public DataPageHeaderV2? DataPageHeaderV2 { get; set; }

    /// <summary>
    /// Reads the header at the start of <paramref name="data"/>, which may continue with the page itself;
    /// <paramref name="headerLength"/> is where the page bytes start.
    /// </summary>
    public static PageHeader Read(ReadOnlySpan<byte> data, out int headerLength)
    {
        var r = new ThriftCompactReader(data);
        var header = Read(ref r);
        headerLength = r.Position;
        return header;
    }

    /// <summary>
    /// Also checks what every page reader relies on: sizes are not negative and the header for the page
    /// type is present. Page types newer than this codec are left to the caller, which can skip them.
    /// </summary>
    public static PageHeader Read(ref ThriftCompactReader r)
    {
        const string name = nameof(PageHeader);
        var h = new PageHeader();
        int? type = null, uncompressed = null, compressed = null;
        string? mistyped = null;
        var scope = r.BeginStruct(name);
        while (r.ReadFieldHeader(out var f))
        {
            switch (f.Id)
            {
                case 1: type = r.ReadI32(f); break;
                case 2: uncompressed = r.ReadI32(f); break;
                case 3: compressed = r.ReadI32(f); break;
                case 4 when f.Is(ThriftType.I32): h.Crc = r.ReadI32(f); break;
                case 5 when f.Is(ThriftType.Struct):
                    h.DataPageHeader = DataPageHeader.Read(ref r);
                    break;
                case 6 when f.Is(ThriftType.Struct):
                    h.IndexPageHeader = IndexPageHeader.Read(ref r);
                    break;
                case 7 when f.Is(ThriftType.Struct):
                    h.DictionaryPageHeader = DictionaryPageHeader.Read(ref r);
                    break;
                case 8 when f.Is(ThriftType.Struct):
                    h.DataPageHeaderV2 = DataPageHeaderV2.Read(ref r);
                    break;
                case >= 5 and <= 8:
                    // Skipped like any mistyped optional field, but remembered: if it was the header the
                    // page type needs, the error should say why it is missing.
                    mistyped ??= $"field {f.Id} has wire type {(int)f.Type} ({f.Type})";
                    r.Skip(f);
                    break;
                default: r.Skip(f); break;
            }
        }

        r.EndStruct(scope);
        h.Type = (PageType)(type ?? throw ThriftCompactReader.MissingField(name, "type"));
        h.UncompressedPageSize = uncompressed ?? throw ThriftCompactReader.MissingField(name, "uncompressed_page_size");
        h.CompressedPageSize = compressed ?? throw ThriftCompactReader.MissingField(name, "compressed_page_size");
        h.Validate(mistyped);
        return h;
    }

    public void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.WriteI32Field(1, (int)Type);
        w.WriteI32Field(2, UncompressedPageSize);
        w.WriteI32Field(3, CompressedPageSize);
        w.WriteI32Field(4, Crc);
        w.WriteStructField(5, DataPageHeader);
        w.WriteStructField(6, IndexPageHeader);
        w.WriteStructField(7, DictionaryPageHeader);
        w.WriteStructField(8, DataPageHeaderV2);
        w.EndStruct();
    }

    /// <summary>The serialized header, ready to precede the page bytes.</summary>
    public byte[] ToArray()
    {
        var w = new ThriftCompactWriter(64);
        Write(w);
        return w.ToArray();
    }

    private void Validate(string? mistyped)
    {
        if (UncompressedPageSize < 0)
            throw new ParquetException($"PageHeader: uncompressed_page_size {UncompressedPageSize} is negative");
        if (CompressedPageSize < 0)
            throw new ParquetException($"PageHeader: compressed_page_size {CompressedPageSize} is negative");
        string? missing = Type switch
        {
            PageType.DataPage when DataPageHeader is null => "data_page_header",
            PageType.DictionaryPage when DictionaryPageHeader is null => "dictionary_page_header",
            PageType.DataPageV2 when DataPageHeaderV2 is null => "data_page_header_v2",
            _ => null,
        };
        if (missing is not null)
            throw new ParquetException(mistyped is null
                ? $"PageHeader: page type {Type} has no {missing}"
                : $"PageHeader: page type {Type} has no {missing} ({mistyped})");
    }
}
