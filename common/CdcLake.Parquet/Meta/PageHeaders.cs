namespace CdcLake.Parquet.Meta;

/// <summary>parquet.thrift <c>DataPageHeader</c> (data page v1: levels and values compressed together).</summary>
internal sealed class DataPageHeader : IThriftStruct
{
    /// <summary>Values including nulls.</summary>
    public int NumValues { get; set; }
    public Encoding Encoding { get; set; }
    public Encoding DefinitionLevelEncoding { get; set; }
    public Encoding RepetitionLevelEncoding { get; set; }
    public Statistics? Statistics { get; set; }

    public static DataPageHeader Read(ref ThriftCompactReader r)
    {
        const string name = nameof(DataPageHeader);
        var h = new DataPageHeader();
        int? numValues = null, encoding = null, defEncoding = null, repEncoding = null;
        var scope = r.BeginStruct(name);
        while (r.ReadFieldHeader(out var f))
        {
            switch (f.Id)
            {
                case 1: numValues = r.ReadI32(f); break;
                case 2: encoding = r.ReadI32(f); break;
                case 3: defEncoding = r.ReadI32(f); break;
                case 4: repEncoding = r.ReadI32(f); break;
                case 5 when f.Is(ThriftType.Struct):
                    h.Statistics = Statistics.Read(ref r);
                    break;
                default: r.Skip(f); break;
            }
        }

        r.EndStruct(scope);
        h.NumValues = numValues ?? throw ThriftCompactReader.MissingField(name, "num_values");
        h.Encoding = (Encoding)(encoding ?? throw ThriftCompactReader.MissingField(name, "encoding"));
        h.DefinitionLevelEncoding = (Encoding)(defEncoding ?? throw ThriftCompactReader.MissingField(name, "definition_level_encoding"));
        h.RepetitionLevelEncoding = (Encoding)(repEncoding ?? throw ThriftCompactReader.MissingField(name, "repetition_level_encoding"));
        return h;
    }

    public void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.WriteI32Field(1, NumValues);
        w.WriteI32Field(2, (int)Encoding);
        w.WriteI32Field(3, (int)DefinitionLevelEncoding);
        w.WriteI32Field(4, (int)RepetitionLevelEncoding);
        w.WriteStructField(5, Statistics);
        w.EndStruct();
    }
}

/// <summary>parquet.thrift <c>IndexPageHeader</c>; the format defines no members yet.</summary>
internal sealed class IndexPageHeader : IThriftStruct
{
    public static IndexPageHeader Read(ref ThriftCompactReader r)
    {
        var scope = r.BeginStruct(nameof(IndexPageHeader));
        while (r.ReadFieldHeader(out var f))
            r.Skip(f);
        r.EndStruct(scope);
        return new IndexPageHeader();
    }

    public void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.EndStruct();
    }
}

/// <summary>parquet.thrift <c>DictionaryPageHeader</c>.</summary>
internal sealed class DictionaryPageHeader : IThriftStruct
{
    public int NumValues { get; set; }
    public Encoding Encoding { get; set; }
    public bool? IsSorted { get; set; }

    public static DictionaryPageHeader Read(ref ThriftCompactReader r)
    {
        const string name = nameof(DictionaryPageHeader);
        var h = new DictionaryPageHeader();
        int? numValues = null, encoding = null;
        var scope = r.BeginStruct(name);
        while (r.ReadFieldHeader(out var f))
        {
            switch (f.Id)
            {
                case 1: numValues = r.ReadI32(f); break;
                case 2: encoding = r.ReadI32(f); break;
                case 3 when f.IsBool: h.IsSorted = r.ReadBool(f); break;
                default: r.Skip(f); break;
            }
        }

        r.EndStruct(scope);
        h.NumValues = numValues ?? throw ThriftCompactReader.MissingField(name, "num_values");
        h.Encoding = (Encoding)(encoding ?? throw ThriftCompactReader.MissingField(name, "encoding"));
        return h;
    }

    public void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.WriteI32Field(1, NumValues);
        w.WriteI32Field(2, (int)Encoding);
        w.WriteBoolField(3, IsSorted);
        w.EndStruct();
    }
}

/// <summary>
/// parquet.thrift <c>DataPageHeaderV2</c>: levels are stored uncompressed ahead of the values, and only
/// the values section is compressed (unless <see cref="IsCompressed"/> is false).
/// </summary>
internal sealed class DataPageHeaderV2 : IThriftStruct
{
    public int NumValues { get; set; }
    public int NumNulls { get; set; }
    public int NumRows { get; set; }
    public Encoding Encoding { get; set; }
    public int DefinitionLevelsByteLength { get; set; }
    public int RepetitionLevelsByteLength { get; set; }

    /// <summary>As written; absent means true (see <see cref="ValuesAreCompressed"/>).</summary>
    public bool? IsCompressed { get; set; }

    public Statistics? Statistics { get; set; }

    /// <summary>The format's default for an absent <see cref="IsCompressed"/> is true.</summary>
    public bool ValuesAreCompressed => IsCompressed ?? true;

    public static DataPageHeaderV2 Read(ref ThriftCompactReader r)
    {
        const string name = nameof(DataPageHeaderV2);
        var h = new DataPageHeaderV2();
        int? numValues = null, numNulls = null, numRows = null, encoding = null, defLength = null, repLength = null;
        var scope = r.BeginStruct(name);
        while (r.ReadFieldHeader(out var f))
        {
            switch (f.Id)
            {
                case 1: numValues = r.ReadI32(f); break;
                case 2: numNulls = r.ReadI32(f); break;
                case 3: numRows = r.ReadI32(f); break;
                case 4: encoding = r.ReadI32(f); break;
                case 5: defLength = r.ReadI32(f); break;
                case 6: repLength = r.ReadI32(f); break;
                case 7 when f.IsBool: h.IsCompressed = r.ReadBool(f); break;
                case 8 when f.Is(ThriftType.Struct):
                    h.Statistics = Statistics.Read(ref r);
                    break;
                default: r.Skip(f); break;
            }
        }

        r.EndStruct(scope);
        h.NumValues = numValues ?? throw ThriftCompactReader.MissingField(name, "num_values");
        h.NumNulls = numNulls ?? throw ThriftCompactReader.MissingField(name, "num_nulls");
        h.NumRows = numRows ?? throw ThriftCompactReader.MissingField(name, "num_rows");
        h.Encoding = (Encoding)(encoding ?? throw ThriftCompactReader.MissingField(name, "encoding"));
        h.DefinitionLevelsByteLength = defLength ?? throw ThriftCompactReader.MissingField(name, "definition_levels_byte_length");
        h.RepetitionLevelsByteLength = repLength ?? throw ThriftCompactReader.MissingField(name, "repetition_levels_byte_length");
        return h;
    }

    public void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.WriteI32Field(1, NumValues);
        w.WriteI32Field(2, NumNulls);
        w.WriteI32Field(3, NumRows);
        w.WriteI32Field(4, (int)Encoding);
        w.WriteI32Field(5, DefinitionLevelsByteLength);
        w.WriteI32Field(6, RepetitionLevelsByteLength);
        w.WriteBoolField(7, IsCompressed);
        w.WriteStructField(8, Statistics);
        w.EndStruct();
    }
}
