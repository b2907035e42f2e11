namespace CdcLake.Parquet.Meta;

/// <summary>parquet.thrift <c>FileMetaData</c>: the footer of a Parquet file.</summary>
internal sealed class FileMetaData : IThriftStruct
{
    /// <summary>1 or 2; readers treat them alike.</summary>
    public int Version { get; set; } = 1;

    /// <summary>The schema tree flattened depth-first; element 0 is the root.</summary>
    public List<SchemaElement> Schema { get; set; } = [];

    public long NumRows { get; set; }
    public List<RowGroup> RowGroups { get; set; } = [];
    public List<KeyValue>? KeyValueMetadata { get; set; }
    public string? CreatedBy { get; set; }

    /// <summary>One per leaf column, in leaf order.</summary>
    public List<ColumnOrder>? ColumnOrders { get; set; }

    /// <summary>EncryptionAlgorithm of a file with a plaintext footer, kept undecoded.</summary>
    public ThriftRawValue? EncryptionAlgorithm { get; set; }

    public byte[]? FooterSigningKeyMetadata { get; set; }

    public bool IsEncrypted => EncryptionAlgorithm is not null;

    public static FileMetaData Read(ref ThriftCompactReader r)
    {
        const string name = nameof(FileMetaData);
        var m = new FileMetaData();
        int? version = null;
        List<SchemaElement>? schema = null;
        long? numRows = null;
        List<RowGroup>? rowGroups = null;
        var scope = r.BeginStruct(name);
        while (r.ReadFieldHeader(out var f))
        {
            switch (f.Id)
            {
                case 1: version = r.ReadI32(f); break;
                case 2: schema = r.ReadList(f, ThriftType.Struct, SchemaElement.Read); break;
                case 3: numRows = r.ReadI64(f); break;
                case 4: rowGroups = r.ReadList(f, ThriftType.Struct, RowGroup.Read); break;
                case 5 when f.Is(ThriftType.List): m.KeyValueMetadata = r.ReadList(f, ThriftType.Struct, KeyValue.Read); break;
                case 6 when f.Is(ThriftType.Binary): m.CreatedBy = r.ReadString(f); break;
                case 7 when f.Is(ThriftType.List): m.ColumnOrders = r.ReadList(f, ThriftType.Struct, ColumnOrder.Read); break;
                case 8 when f.Is(ThriftType.Struct):
                    m.EncryptionAlgorithm = r.ReadRaw(f);
                    break;
                case 9 when f.Is(ThriftType.Binary): m.FooterSigningKeyMetadata = r.ReadBinary(f); break;
                default: r.Skip(f); break;
            }
        }

        r.EndStruct(scope);
        m.Version = version ?? throw ThriftCompactReader.MissingField(name, "version");
        m.Schema = schema ?? throw ThriftCompactReader.MissingField(name, "schema");
        m.NumRows = numRows ?? throw ThriftCompactReader.MissingField(name, "num_rows");
        m.RowGroups = rowGroups ?? throw ThriftCompactReader.MissingField(name, "row_groups");
        return m;
    }

    public void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.WriteI32Field(1, Version);
        w.WriteListField(2, ThriftType.Struct, Schema ?? throw NotSet("schema"), static (w, e) => e.Write(w));
        w.WriteI64Field(3, NumRows);
        w.WriteListField(4, ThriftType.Struct, RowGroups ?? throw NotSet("row_groups"), static (w, g) => g.Write(w));
        w.WriteListField(5, ThriftType.Struct, KeyValueMetadata, static (w, kv) => kv.Write(w));
        w.WriteStringField(6, CreatedBy);
        w.WriteListField(7, ThriftType.Struct, ColumnOrders, static (w, o) => o.Write(w));
        w.WriteRawField(8, EncryptionAlgorithm);
        w.WriteBinaryField(9, FooterSigningKeyMetadata);
        w.EndStruct();
    }

    private static ParquetException NotSet(string field) => new($"FileMetaData: required field '{field}' is not set");
}
