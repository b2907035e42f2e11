namespace CdcLake.Parquet.Meta;

/// <summary>parquet.thrift <c>SortingColumn</c>: one key of a row group's sort order.</summary>
internal sealed class SortingColumn : IThriftStruct
{
    /// <summary>Ordinal of the leaf column in the row group.</summary>
    public int ColumnIdx { get; set; }
    public bool Descending { get; set; }
    public bool NullsFirst { get; set; }

    public static SortingColumn Read(ref ThriftCompactReader r)
    {
        const string name = nameof(SortingColumn);
        int? columnIdx = null;
        bool? descending = null, nullsFirst = null;
        var scope = r.BeginStruct(name);
        while (r.ReadFieldHeader(out var f))
        {
            switch (f.Id)
            {
                case 1: columnIdx = r.ReadI32(f); break;
                case 2: descending = r.ReadBool(f); break;
                case 3: nullsFirst = r.ReadBool(f); break;
                default: r.Skip(f); break;
            }
        }

        r.EndStruct(scope);
        return new SortingColumn
        {
            ColumnIdx = columnIdx ?? throw ThriftCompactReader.MissingField(name, "column_idx"),
            Descending = descending ?? throw ThriftCompactReader.MissingField(name, "descending"),
            NullsFirst = nullsFirst ?? throw ThriftCompactReader.MissingField(name, "nulls_first"),
        };
    }

    public void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.WriteI32Field(1, ColumnIdx);
        w.WriteBoolField(2, Descending);
        w.WriteBoolField(3, NullsFirst);
        w.EndStruct();
    }
}
