namespace CdcLake.Parquet.Meta;

/// <summary>
/// Wire types of the Thrift compact protocol. A bool field carries its value in the type nibble of its
/// field header (<see cref="BoolTrue"/> / <see cref="BoolFalse"/>); a bool list element is one byte.
/// </summary>
internal enum ThriftType : byte
{
    Stop = 0,
    BoolTrue = 1,
    BoolFalse = 2,
    Byte = 3,
    I16 = 4,
    I32 = 5,
    I64 = 6,
    Double = 7,
    Binary = 8,
    List = 9,
    Set = 10,
    Map = 11,
    Struct = 12,
    Uuid = 13,
}

/// <summary>A field header as read from the wire: the field id and its wire type.</summary>
internal readonly record struct ThriftField(short Id, ThriftType Type)
{
    public bool IsBool => Type is ThriftType.BoolTrue or ThriftType.BoolFalse;

    /// <summary>
    /// Whether the field has the wire type its IDL declares. Struct readers guard optional fields with
    /// this and skip a mismatch, as Thrift-generated readers do: writers built from a diverging IDL exist
    /// (a Dremio parquet-mr writes a list as ColumnMetaData field 15), and their files must still read.
    /// Required fields are read unguarded, so a mismatch there is reported as such.
    /// </summary>
    public bool Is(ThriftType type) => Type == type;
}

/// <summary>A parquet.thrift struct that writes itself, opening and closing its own struct.</summary>
internal interface IThriftStruct
{
    void Write(ThriftCompactWriter w);
}

/// <summary>Reads one list element; a delegate so that list reading lives in one place.</summary>
internal delegate T ThriftElementReader<out T>(ref ThriftCompactReader reader);

/// <summary>
/// The undecoded bytes of one field value, kept so that a field this codec does not model (an unknown
/// logical type, encryption metadata) survives a read/write round trip unchanged.
/// </summary>
internal sealed class ThriftRawValue
{
    public ThriftRawValue(ThriftType type, byte[] bytes)
    {
        Type = type;
        Bytes = bytes;
    }

    /// <summary>Wire type of the value; for a bool field the value itself.</summary>
    public ThriftType Type { get; }

    /// <summary>The value's bytes exactly as on the wire (no field header).</summary>
    public byte[] Bytes { get; }
}
