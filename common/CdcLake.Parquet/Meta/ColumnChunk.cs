namespace CdcLake.Parquet.Meta;

/// <summary>parquet.thrift <c>ColumnChunk</c>: one leaf column within one row group.</summary>
internal sealed class ColumnChunk : IThriftStruct
{
    /// <summary>Set only in summary (_metadata) files; data is otherwise in this file.</summary>
    public string? FilePath { get; set; }

    /// <summary>
    /// Deprecated; writers put 0 here. Declared "required i64 file_offset = 0", so a missing value is read
    /// as that default rather than refused.
    /// </summary>
    public long FileOffset { get; set; }

    /// <summary>Optional in the IDL, but every real writer sets it; readers must refuse a chunk without it.</summary>
    public ColumnMetaData? MetaData { get; set; }

    public long? OffsetIndexOffset { get; set; }
    public int? OffsetIndexLength { get; set; }
    public long? ColumnIndexOffset { get; set; }
    public int? ColumnIndexLength { get; set; }

    /// <summary>ColumnCryptoMetaData, kept undecoded: this codec does not decrypt.</summary>
    public ThriftRawValue? CryptoMetadata { get; set; }

    public byte[]? EncryptedColumnMetadata { get; set; }

    public bool IsEncrypted => CryptoMetadata is not null || EncryptedColumnMetadata is not null;

    public static ColumnChunk Read(ref ThriftCompactReader r)
    {
        var c = new ColumnChunk();
        var scope = r.BeginStruct(nameof(ColumnChunk));
        while (r.ReadFieldHeader(out var f))
        {
            switch (f.Id)
            {
                case 1 when f.Is(ThriftType.Binary): c.FilePath = r.ReadString(f); break;
                case 2: c.FileOffset = r.ReadI64(f); break;
                case 3 when f.Is(ThriftType.Struct):
                    c.MetaData = ColumnMetaData.Read(ref r);
                    break;
                case 4 when f.Is(ThriftType.I64): c.OffsetIndexOffset = r.ReadI64(f); break;
                case 5 when f.Is(ThriftType.I32): c.OffsetIndexLength = r.ReadI32(f); break;
                case 6 when f.Is(ThriftType.I64): c.ColumnIndexOffset = r.ReadI64(f); break;
                case 7 when f.Is(ThriftType.I32): c.ColumnIndexLength = r.ReadI32(f); break;
                case 8 when f.Is(ThriftType.Struct):
                    c.CryptoMetadata = r.ReadRaw(f);
                    break;
                case 9 when f.Is(ThriftType.Binary): c.EncryptedColumnMetadata = r.ReadBinary(f); break;
                default: r.Skip(f); break;
            }
        }

        r.EndStruct(scope);
        return c;
    }

    public void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.WriteStringField(1, FilePath);
        w.WriteI64Field(2, FileOffset);
        w.WriteStructField(3, MetaData);
        w.WriteI64Field(4, OffsetIndexOffset);
        w.WriteI32Field(5, OffsetIndexLength);
        w.WriteI64Field(6, ColumnIndexOffset);
        w.WriteI32Field(7, ColumnIndexLength);
        w.WriteRawField(8, CryptoMetadata);
        w.WriteBinaryField(9, EncryptedColumnMetadata);
        w.EndStruct();
    }
}
