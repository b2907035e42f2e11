namespace CdcLake.Parquet.Meta;

/// <summary>
/// parquet.thrift <c>Statistics</c>, per column chunk or page. Values are PLAIN-encoded without a length
/// prefix. <see cref="Max"/>/<see cref="Min"/> are the deprecated signed-order fields; prefer
/// <see cref="MaxValue"/>/<see cref="MinValue"/>, which follow the column order.
/// </summary>
internal sealed class Statistics : IThriftStruct
{
    public byte[]? Max { get; set; }
    public byte[]? Min { get; set; }
    public long? NullCount { get; set; }
    public long? DistinctCount { get; set; }
    public byte[]? MaxValue { get; set; }
    public byte[]? MinValue { get; set; }
    public bool? IsMaxValueExact { get; set; }
    public bool? IsMinValueExact { get; set; }
    public long? NanCount { get; set; }

    public static Statistics Read(ref ThriftCompactReader r)
    {
        var s = new Statistics();
        var scope = r.BeginStruct(nameof(Statistics));
        while (r.ReadFieldHeader(out var f))
        {
            switch (f.Id)
            {
                case 1 when f.Is(ThriftType.Binary): s.Max = r.ReadBinary(f); break;
                case 2 when f.Is(ThriftType.Binary): s.Min = r.ReadBinary(f); break;
                case 3 when f.Is(ThriftType.I64): s.NullCount = r.ReadI64(f); break;
                case 4 when f.Is(ThriftType.I64): s.DistinctCount = r.ReadI64(f); break;
                case 5 when f.Is(ThriftType.Binary): s.MaxValue = r.ReadBinary(f); break;
                case 6 when f.Is(ThriftType.Binary): s.MinValue = r.ReadBinary(f); break;
                case 7 when f.IsBool: s.IsMaxValueExact = r.ReadBool(f); break;
                case 8 when f.IsBool: s.IsMinValueExact = r.ReadBool(f); break;
                case 9 when f.Is(ThriftType.I64): s.NanCount = r.ReadI64(f); break;
                default: r.Skip(f); break;
            }
        }

        r.EndStruct(scope);
        return s;
    }

    public void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.WriteBinaryField(1, Max);
        w.WriteBinaryField(2, Min);
        w.WriteI64Field(3, NullCount);
        w.WriteI64Field(4, DistinctCount);
        w.WriteBinaryField(5, MaxValue);
        w.WriteBinaryField(6, MinValue);
        w.WriteBoolField(7, IsMaxValueExact);
        w.WriteBoolField(8, IsMinValueExact);
        w.WriteI64Field(9, NanCount);
        w.EndStruct();
    }
}

/// <summary>parquet.thrift <c>SizeStatistics</c>: unencoded sizes and level histograms of a column chunk.</summary>
internal sealed class SizeStatistics : IThriftStruct
{
    public long? UnencodedByteArrayDataBytes { get; set; }
    public List<long>? RepetitionLevelHistogram { get; set; }
    public List<long>? DefinitionLevelHistogram { get; set; }

    public static SizeStatistics Read(ref ThriftCompactReader r)
    {
        var s = new SizeStatistics();
        var scope = r.BeginStruct(nameof(SizeStatistics));
        while (r.ReadFieldHeader(out var f))
        {
            switch (f.Id)
            {
                case 1 when f.Is(ThriftType.I64): s.UnencodedByteArrayDataBytes = r.ReadI64(f); break;
                case 2 when f.Is(ThriftType.List): s.RepetitionLevelHistogram = r.ReadList(f, ThriftType.I64, ReadI64); break;
                case 3 when f.Is(ThriftType.List): s.DefinitionLevelHistogram = r.ReadList(f, ThriftType.I64, ReadI64); break;
                default: r.Skip(f); break;
            }
        }

        r.EndStruct(scope);
        return s;
    }

    public void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.WriteI64Field(1, UnencodedByteArrayDataBytes);
        w.WriteListField(2, ThriftType.I64, RepetitionLevelHistogram, static (w, v) => w.WriteI64(v));
        w.WriteListField(3, ThriftType.I64, DefinitionLevelHistogram, static (w, v) => w.WriteI64(v));
        w.EndStruct();
    }

    private static long ReadI64(ref ThriftCompactReader r) => r.ReadI64();
}
