namespace CdcLake.Parquet.Meta;

/// <summary>Members of the parquet.thrift <c>ColumnOrder</c> union; the value is the union field id.</summary>
internal enum ColumnOrderKind
{
    /// <summary>The union was empty.</summary>
    None = 0,
    TypeOrder = 1,
    Ieee754TotalOrder = 2,
    Int96TimestampOrder = 3,
}

/// <summary>
/// parquet.thrift <c>ColumnOrder</c>: the order min/max statistics of a leaf column follow. A member newer
/// than this codec is kept as its number; the format says statistics of such a column must be ignored.
/// </summary>
internal sealed class ColumnOrder : IThriftStruct
{
    public ColumnOrderKind Kind { get; set; }

    public static ColumnOrder TypeOrder => new() { Kind = ColumnOrderKind.TypeOrder };

    public bool IsRecognized => Kind is ColumnOrderKind.TypeOrder or ColumnOrderKind.Ieee754TotalOrder or ColumnOrderKind.Int96TimestampOrder;

    public static ColumnOrder Read(ref ThriftCompactReader r)
    {
        var order = new ColumnOrder();
        var scope = r.BeginStruct(nameof(ColumnOrder));
        while (r.ReadFieldHeader(out var f))
        {
            // Every member is a marker struct today; the members of a newer one are of no use here.
            if (f.Is(ThriftType.Struct) && order.Kind != ColumnOrderKind.None)
                throw r.Malformed($"ColumnOrder: union has more than one member (fields {(int)order.Kind} and {f.Id})");
            if (f.Is(ThriftType.Struct))
                order.Kind = (ColumnOrderKind)f.Id;
            r.Skip(f);
        }

        r.EndStruct(scope);
        return order;
    }

    public void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        if (Kind != ColumnOrderKind.None)
            w.WriteEmptyStructField((short)Kind);
        w.EndStruct();
    }
}
