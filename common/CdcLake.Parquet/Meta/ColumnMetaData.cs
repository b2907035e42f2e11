namespace CdcLake.Parquet.Meta;

/// <summary>parquet.thrift <c>ColumnMetaData</c>: where a column chunk's pages are and how they are stored.</summary>
internal sealed class ColumnMetaData : IThriftStruct
{
    public PhysicalType Type { get; set; }

    /// <summary>Every encoding used in the chunk, levels included.</summary>
    public List<Encoding> Encodings { get; set; } = [];

    public List<string> PathInSchema { get; set; } = [];
    public CompressionCodec Codec { get; set; }

    /// <summary>Values including nulls (and, for repeated columns, including empty lists).</summary>
    public long NumValues { get; set; }

    /// <summary>Bytes of all pages once decompressed, headers included.</summary>
    public long TotalUncompressedSize { get; set; }

    /// <summary>Bytes of all pages as stored, headers included.</summary>
    public long TotalCompressedSize { get; set; }

    public List<KeyValue>? KeyValueMetadata { get; set; }
    public long DataPageOffset { get; set; }
    public long? IndexPageOffset { get; set; }
    public long? DictionaryPageOffset { get; set; }
    public Statistics? Statistics { get; set; }
    public List<PageEncodingStats>? EncodingStats { get; set; }
    public long? BloomFilterOffset { get; set; }
    public int? BloomFilterLength { get; set; }
    public SizeStatistics? SizeStatistics { get; set; }

    /// <summary>GeospatialStatistics, kept undecoded.</summary>
    public ThriftRawValue? GeospatialStatistics { get; set; }

    /// <summary>
    /// Where the chunk's first page starts. Some writers record a dictionary page offset of 0 (or one past
    /// the data pages); only an offset that lies before the first data page is believed.
    /// </summary>
    public long FirstPageOffset =>
        DictionaryPageOffset is long d && d > 0 && d < DataPageOffset ? d : DataPageOffset;

    public static ColumnMetaData Read(ref ThriftCompactReader r)
    {
        const string name = nameof(ColumnMetaData);
        var m = new ColumnMetaData();
        int? type = null, codec = null;
        List<Encoding>? encodings = null;
        List<string>? path = null;
        long? numValues = null, uncompressed = null, compressed = null, dataPageOffset = null;
        var scope = r.BeginStruct(name);
        while (r.ReadFieldHeader(out var f))
        {
            switch (f.Id)
            {
                case 1: type = r.ReadI32(f); break;
                case 2: encodings = r.ReadList(f, ThriftType.I32, static (ref ThriftCompactReader x) => (Encoding)x.ReadI32()); break;
                case 3: path = r.ReadList(f, ThriftType.Binary, static (ref ThriftCompactReader x) => x.ReadString()); break;
                case 4: codec = r.ReadI32(f); break;
                case 5: numValues = r.ReadI64(f); break;
                case 6: uncompressed = r.ReadI64(f); break;
                case 7: compressed = r.ReadI64(f); break;
                case 8 when f.Is(ThriftType.List): m.KeyValueMetadata = r.ReadList(f, ThriftType.Struct, KeyValue.Read); break;
                case 9: dataPageOffset = r.ReadI64(f); break;
                case 10 when f.Is(ThriftType.I64): m.IndexPageOffset = r.ReadI64(f); break;
                case 11 when f.Is(ThriftType.I64): m.DictionaryPageOffset = r.ReadI64(f); break;
                case 12 when f.Is(ThriftType.Struct):
                    m.Statistics = Statistics.Read(ref r);
                    break;
                case 13 when f.Is(ThriftType.List): m.EncodingStats = r.ReadList(f, ThriftType.Struct, PageEncodingStats.Read); break;
                case 14 when f.Is(ThriftType.I64): m.BloomFilterOffset = r.ReadI64(f); break;
                case 15 when f.Is(ThriftType.I32): m.BloomFilterLength = r.ReadI32(f); break;
                case 16 when f.Is(ThriftType.Struct):
                    m.SizeStatistics = SizeStatistics.Read(ref r);
                    break;
                case 17 when f.Is(ThriftType.Struct):
                    m.GeospatialStatistics = r.ReadRaw(f);
                    break;
                default: r.Skip(f); break;
            }
        }

        r.EndStruct(scope);
        m.Type = (PhysicalType)(type ?? throw ThriftCompactReader.MissingField(name, "type"));
        m.Encodings = encodings ?? throw ThriftCompactReader.MissingField(name, "encodings");
        m.PathInSchema = path ?? throw ThriftCompactReader.MissingField(name, "path_in_schema");
        m.Codec = (CompressionCodec)(codec ?? throw ThriftCompactReader.MissingField(name, "codec"));
        m.NumValues = numValues ?? throw ThriftCompactReader.MissingField(name, "num_values");
        m.TotalUncompressedSize = uncompressed ?? throw ThriftCompactReader.MissingField(name, "total_uncompressed_size");
        m.TotalCompressedSize = compressed ?? throw ThriftCompactReader.MissingField(name, "total_compressed_size");
        m.DataPageOffset = dataPageOffset ?? throw ThriftCompactReader.MissingField(name, "data_page_offset");
        return m;
    }

    public void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.WriteI32Field(1, (int)Type);
        w.WriteListField(2, ThriftType.I32, Required(Encodings, "encodings"), static (w, e) => w.WriteI32((int)e));
        w.WriteListField(3, ThriftType.Binary, Required(PathInSchema, "path_in_schema"), static (w, s) => w.WriteString(s));
        w.WriteI32Field(4, (int)Codec);
        w.WriteI64Field(5, NumValues);
        w.WriteI64Field(6, TotalUncompressedSize);
        w.WriteI64Field(7, TotalCompressedSize);
        w.WriteListField(8, ThriftType.Struct, KeyValueMetadata, static (w, kv) => kv.Write(w));
        w.WriteI64Field(9, DataPageOffset);
        w.WriteI64Field(10, IndexPageOffset);
        w.WriteI64Field(11, DictionaryPageOffset);
        w.WriteStructField(12, Statistics);
        w.WriteListField(13, ThriftType.Struct, EncodingStats, static (w, s) => s.Write(w));
        w.WriteI64Field(14, BloomFilterOffset);
        w.WriteI32Field(15, BloomFilterLength);
        w.WriteStructField(16, SizeStatistics);
        w.WriteRawField(17, GeospatialStatistics);
        w.EndStruct();
    }

    private static T Required<T>(T? value, string field) where T : class =>
        value ?? throw new ParquetException($"ColumnMetaData: required field '{field}' is not set");
}
