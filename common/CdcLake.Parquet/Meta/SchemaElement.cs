namespace CdcLake.Parquet.Meta;

/// <summary>
/// parquet.thrift <c>SchemaElement</c>: one node of the schema tree, which the footer lists depth-first.
/// A group has <see cref="NumChildren"/> and no <see cref="Type"/>; a leaf has <see cref="Type"/>.
/// </summary>
internal sealed class SchemaElement : IThriftStruct
{
    public PhysicalType? Type { get; set; }

    /// <summary>Byte length of FIXED_LEN_BYTE_ARRAY values.</summary>
    public int? TypeLength { get; set; }

    /// <summary>Absent only on the root.</summary>
    public FieldRepetitionType? RepetitionType { get; set; }

    public string Name { get; set; } = "";

    public int? NumChildren { get; set; }

    public ConvertedType? ConvertedType { get; set; }

    /// <summary>Legacy DECIMAL scale; <see cref="LogicalType"/> carries it too.</summary>
    public int? Scale { get; set; }

    /// <summary>Legacy DECIMAL precision; <see cref="LogicalType"/> carries it too.</summary>
    public int? Precision { get; set; }

    public int? FieldId { get; set; }

    public LogicalType? LogicalType { get; set; }

    /// <summary>Slots per parent occurrence when <see cref="RepetitionType"/> is VECTOR.</summary>
    public int? VectorLength { get; set; }

    public override string ToString() => Type is null ? $"{Name} (group of {NumChildren})" : $"{Name} ({Type})";

    public static SchemaElement Read(ref ThriftCompactReader r)
    {
        var e = new SchemaElement();
        string? name = null;
        var scope = r.BeginStruct(nameof(SchemaElement));
        while (r.ReadFieldHeader(out var f))
        {
            switch (f.Id)
            {
                case 1 when f.Is(ThriftType.I32): e.Type = (PhysicalType)r.ReadI32(f); break;
                case 2 when f.Is(ThriftType.I32): e.TypeLength = r.ReadI32(f); break;
                case 3 when f.Is(ThriftType.I32): e.RepetitionType = (FieldRepetitionType)r.ReadI32(f); break;
                case 4: name = r.ReadString(f); break;
                case 5 when f.Is(ThriftType.I32): e.NumChildren = r.ReadI32(f); break;
                case 6 when f.Is(ThriftType.I32): e.ConvertedType = (ConvertedType)r.ReadI32(f); break;
                case 7 when f.Is(ThriftType.I32): e.Scale = r.ReadI32(f); break;
                case 8 when f.Is(ThriftType.I32): e.Precision = r.ReadI32(f); break;
                case 9 when f.Is(ThriftType.I32): e.FieldId = r.ReadI32(f); break;
                case 10 when f.Is(ThriftType.Struct):
                    e.LogicalType = LogicalType.Read(ref r);
                    break;
                case 11 when f.Is(ThriftType.I32): e.VectorLength = r.ReadI32(f); break;
                default: r.Skip(f); break;
            }
        }

        r.EndStruct(scope);
        e.Name = name ?? throw ThriftCompactReader.MissingField(nameof(SchemaElement), "name");
        return e;
    }

    public void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.WriteI32Field(1, (int?)Type);
        w.WriteI32Field(2, TypeLength);
        w.WriteI32Field(3, (int?)RepetitionType);
        w.WriteStringField(4, Name ?? throw new ParquetException("SchemaElement: required field 'name' is not set"));
        w.WriteI32Field(5, NumChildren);
        w.WriteI32Field(6, (int?)ConvertedType);
        w.WriteI32Field(7, Scale);
        w.WriteI32Field(8, Precision);
        w.WriteI32Field(9, FieldId);
        w.WriteStructField(10, LogicalType);
        w.WriteI32Field(11, VectorLength);
        w.EndStruct();
    }
}
