namespace CdcLake.Parquet.Meta;

/// <summary>parquet.thrift <c>RowGroup</c>: one column chunk per leaf column, in schema order.</summary>
internal sealed class RowGroup : IThriftStruct
{
    public List<ColumnChunk> Columns { get; set; } = [];

    /// <summary>Uncompressed bytes of all column data.</summary>
    public long TotalByteSize { get; set; }

    public long NumRows { get; set; }
    public List<SortingColumn>? SortingColumns { get; set; }

    /// <summary>Offset of the row group's first page.</summary>
    public long? FileOffset { get; set; }

    public long? TotalCompressedSize { get; set; }
    public short? Ordinal { get; set; }

    public static RowGroup Read(ref ThriftCompactReader r)
    {
        const string name = nameof(RowGroup);
        var g = new RowGroup();
        List<ColumnChunk>? columns = null;
        long? totalByteSize = null, numRows = null;
        var scope = r.BeginStruct(name);
        while (r.ReadFieldHeader(out var f))
        {
            switch (f.Id)
            {
                case 1: columns = r.ReadList(f, ThriftType.Struct, ColumnChunk.Read); break;
                case 2: totalByteSize = r.ReadI64(f); break;
                case 3: numRows = r.ReadI64(f); break;
                case 4 when f.Is(ThriftType.List): g.SortingColumns = r.ReadList(f, ThriftType.Struct, SortingColumn.Read); break;
                case 5 when f.Is(ThriftType.I64): g.FileOffset = r.ReadI64(f); break;
                case 6 when f.Is(ThriftType.I64): g.TotalCompressedSize = r.ReadI64(f); break;
                case 7 when f.Is(ThriftType.I16): g.Ordinal = r.ReadI16(f); break;
                default: r.Skip(f); break;
            }
        }

        r.EndStruct(scope);
        g.Columns = columns ?? throw ThriftCompactReader.MissingField(name, "columns");
        g.TotalByteSize = totalByteSize ?? throw ThriftCompactReader.MissingField(name, "total_byte_size");
        g.NumRows = numRows ?? throw ThriftCompactReader.MissingField(name, "num_rows");
        return g;
    }

    public void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.WriteListField(1, ThriftType.Struct, Columns ?? throw new ParquetException("RowGroup: required field 'columns' is not set"), static (w, c) => c.Write(w));
        w.WriteI64Field(2, TotalByteSize);
        w.WriteI64Field(3, NumRows);
        w.WriteListField(4, ThriftType.Struct, SortingColumns, static (w, s) => s.Write(w));
        w.WriteI64Field(5, FileOffset);
        w.WriteI64Field(6, TotalCompressedSize);
        w.WriteI16Field(7, Ordinal);
        w.EndStruct();
    }
}
