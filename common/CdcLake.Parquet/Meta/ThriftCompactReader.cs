using System.Buffers.Binary;

namespace CdcLake.Parquet.Meta;

/// <summary>
/// Reads the Thrift compact protocol from untrusted bytes. Every bound is checked before it is used, so
/// malformed input only ever raises <see cref="ParquetException"/>: lengths and element counts are compared
/// with the bytes left before anything is allocated, and nesting is limited so that a crafted file cannot
/// exhaust the stack.
/// </summary>
/// <remarks>
/// Struct readers follow one pattern: <see cref="BeginStruct"/>, loop on <see cref="ReadFieldHeader"/>,
/// read each known field with the typed method that checks its wire type, <see cref="Skip"/> the rest,
/// then <see cref="EndStruct"/>. Optional fields are read only when their wire type matches (see
/// <see cref="ThriftField.Is"/>). The current struct and field are tracked only to name them in errors.
/// </remarks>
internal ref struct ThriftCompactReader
{
    /// <summary>Deepest struct/container nesting accepted; parquet.thrift itself needs fewer than ten.</summary>
    public const int MaxDepth = 64;

    private readonly ReadOnlySpan<byte> _data;
    private int _pos;
    private int _depth;
    private short _lastFieldId;
    private short _fieldId;
    private bool _inField;
    private string _struct;

    public ThriftCompactReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _struct = "thrift";
    }

    /// <summary>Bytes consumed so far, e.g. the length of a page header once it has been read.</summary>
    public readonly int Position => _pos;

    public readonly int Remaining => _data.Length - _pos;

    // ---- structs and fields ----------------------------------------------------------------------------

    /// <summary>Enters a struct; the returned scope must be passed to <see cref="EndStruct"/>.</summary>
    public StructScope BeginStruct(string name)
    {
        Enter();
        var scope = new StructScope(_struct, _lastFieldId, _fieldId, _inField);
        _struct = name;
        _lastFieldId = 0;
        _inField = false;
        return scope;
    }

    public void EndStruct(StructScope scope)
    {
        _depth--;
        _struct = scope.Name;
        _lastFieldId = scope.LastFieldId;
        _fieldId = scope.FieldId;
        _inField = scope.InField;
    }

    /// <summary>Reads the next field header; false at the struct's STOP byte.</summary>
    public bool ReadFieldHeader(out ThriftField field)
    {
        _inField = false;
        byte b = ReadByteRaw("field header");
        if (b == 0)
        {
            field = default;
            return false;
        }

        int delta = b >> 4;
        var type = (ThriftType)(b & 0x0F);
        int id = delta != 0 ? _lastFieldId + delta : ReadI16();
        if (id > short.MaxValue)
            throw Malformed($"{_struct}: field id {id} out of range");
        if (type is ThriftType.Stop || (byte)type > (byte)ThriftType.Uuid)
            throw Malformed($"{_struct}: field {id} has wire type {(int)type}, which does not exist");

        _lastFieldId = (short)id;
        _fieldId = (short)id;
        _inField = true;
        field = new ThriftField((short)id, type);
        return true;
    }

    // ---- field values, with the wire type checked ------------------------------------------------------

    public bool ReadBool(ThriftField f) => f.Type switch
    {
        ThriftType.BoolTrue => true,
        ThriftType.BoolFalse => false,
        _ => throw WrongType(f, ThriftType.BoolTrue),
    };

    public sbyte ReadI8(ThriftField f)
    {
        Expect(f, ThriftType.Byte);
        return ReadI8();
    }

    public short ReadI16(ThriftField f)
    {
        Expect(f, ThriftType.I16);
        return ReadI16();
    }

    public int ReadI32(ThriftField f)
    {
        Expect(f, ThriftType.I32);
        return ReadI32();
    }

    public long ReadI64(ThriftField f)
    {
        Expect(f, ThriftType.I64);
        return ReadI64();
    }

    public double ReadDouble(ThriftField f)
    {
        Expect(f, ThriftType.Double);
        return ReadDouble();
    }

    public byte[] ReadBinary(ThriftField f)
    {
        Expect(f, ThriftType.Binary);
        return ReadBinary();
    }

    public string ReadString(ThriftField f)
    {
        Expect(f, ThriftType.Binary);
        return ReadString();
    }

    /// <summary>Checks that a field holds a struct, so that the caller may read it.</summary>
    public readonly void ExpectStruct(ThriftField f) => Expect(f, ThriftType.Struct);

    public List<T> ReadList<T>(ThriftField f, ThriftType elementType, ThriftElementReader<T> read)
    {
        Expect(f, ThriftType.List);
        int count = ReadListHeader(out var actual);
        if (count > 0 && !SameType(actual, elementType))
            throw Malformed($"{_struct}: field {f.Id} is a list of wire type {(int)actual} ({actual}), expected {(int)elementType} ({elementType})");

        Enter();
        var list = new List<T>(count);
        for (int i = 0; i < count; i++)
            list.Add(read(ref this));
        _depth--;
        return list;
    }

    /// <summary>Captures a field value undecoded, so that it can be written back unchanged.</summary>
    public ThriftRawValue ReadRaw(ThriftField f)
    {
        int start = _pos;
        Skip(f);
        return new ThriftRawValue(f.Type, _data[start.._pos].ToArray());
    }

    /// <summary>Skips a field this reader does not know, including nested and unknown containers.</summary>
    public void Skip(ThriftField f) => SkipValue(f.Type, isElement: false);

    // ---- bare values (list elements) -------------------------------------------------------------------

    public bool ReadBool()
    {
        // Apache Thrift writes 1/2; some writers use 0 for false.
        byte b = ReadByteRaw("bool");
        return b switch
        {
            1 => true,
            0 or 2 => false,
            _ => throw Malformed($"thrift: bool element has value {b} at byte {_pos - 1} ({Where})"),
        };
    }

    public sbyte ReadI8() => (sbyte)ReadByteRaw("i8");

    public short ReadI16()
    {
        int v = ZigZag(ReadVarint32("i16"));
        if (v is < short.MinValue or > short.MaxValue)
            throw Malformed($"thrift: i16 value {v} out of range ({Where})");
        return (short)v;
    }

    public int ReadI32() => ZigZag(ReadVarint32("i32"));

    public long ReadI64()
    {
        ulong u = ReadVarint64("i64");
        return (long)(u >> 1) ^ -(long)(u & 1);
    }

    public double ReadDouble()
    {
        Need(8, "double");
        double v = BinaryPrimitives.ReadDoubleLittleEndian(_data.Slice(_pos, 8));
        _pos += 8;
        return v;
    }

    public byte[] ReadBinary() => ReadBytes("binary").ToArray();

    public string ReadString() => System.Text.Encoding.UTF8.GetString(ReadBytes("string"));

    /// <summary>Reads a list or set header; the count is already checked against the bytes left.</summary>
    public int ReadListHeader(out ThriftType elementType)
    {
        byte b = ReadByteRaw("list header");
        elementType = (ThriftType)(b & 0x0F);
        long count = b >> 4;
        if (count == 15)
            count = ReadVarint32("list size");
        if (count == 0)
            return 0;
        CheckElementType(elementType, "list");
        long capacity = Remaining / MinSize(elementType);
        if (count > capacity)
            throw Malformed($"thrift: list of {count} elements exceeds the {Remaining} bytes left ({Where})");
        return (int)count;
    }

    /// <summary>Reads a map header; the count is already checked against the bytes left.</summary>
    public int ReadMapHeader(out ThriftType keyType, out ThriftType valueType)
    {
        long count = ReadVarint32("map size");
        if (count == 0)
        {
            keyType = valueType = ThriftType.Stop;
            return 0;
        }

        byte b = ReadByteRaw("map types");
        keyType = (ThriftType)(b >> 4);
        valueType = (ThriftType)(b & 0x0F);
        CheckElementType(keyType, "map key");
        CheckElementType(valueType, "map value");
        long capacity = Remaining / (MinSize(keyType) + MinSize(valueType));
        if (count > capacity)
            throw Malformed($"thrift: map of {count} entries exceeds the {Remaining} bytes left ({Where})");
        return (int)count;
    }

    // ---- errors ----------------------------------------------------------------------------------------

    public static ParquetException MissingField(string structName, string fieldName) =>
        new($"{structName}: required field '{fieldName}' is missing");

    public readonly ParquetException Malformed(string reason) => new(reason);

    private readonly string Where => _inField ? $"{_struct} field {_fieldId}" : _struct;

    private readonly void Expect(ThriftField f, ThriftType expected)
    {
        if (f.Type != expected)
            throw WrongType(f, expected);
    }

    private readonly ParquetException WrongType(ThriftField f, ThriftType expected) =>
        new($"{_struct}: field {f.Id} has wire type {(int)f.Type} ({f.Type}), expected {(int)expected} ({(expected == ThriftType.BoolTrue ? "Bool" : expected)})");

    // ---- primitives ------------------------------------------------------------------------------------

    private void Enter()
    {
        if (++_depth > MaxDepth)
            throw Malformed($"thrift: nesting deeper than {MaxDepth} levels at byte {_pos} ({Where})");
    }

    private readonly void Need(int count, string what)
    {
        if (count > _data.Length - _pos)
            throw Malformed($"thrift: input ends at byte {_data.Length} while reading {what} ({Where})");
    }

    private byte ReadByteRaw(string what)
    {
        Need(1, what);
        return _data[_pos++];
    }

    private ReadOnlySpan<byte> ReadBytes(string what)
    {
        uint length = ReadVarint32(what + " length");
        if (length > Remaining)
            throw Malformed($"thrift: {what} length {length} exceeds the {Remaining} bytes left ({Where})");
        var bytes = _data.Slice(_pos, (int)length);
        _pos += (int)length;
        return bytes;
    }

    private uint ReadVarint32(string what)
    {
        ulong v = ReadVarint64(what);
        if (v > uint.MaxValue)
            throw Malformed($"thrift: varint {v} for {what} does not fit in 32 bits ({Where})");
        return (uint)v;
    }

    private ulong ReadVarint64(string what)
    {
        int start = _pos;
        ulong result = 0;
        for (int shift = 0; shift < 63; shift += 7)
        {
            byte b = ReadByteRaw(what);
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return result;
        }

        // The tenth byte holds only bit 63; anything more is an eleventh byte or an overflow.
        byte last = ReadByteRaw(what);
        if (last > 1)
            throw Malformed($"thrift: varint for {what} at byte {start} is longer than 10 bytes or overflows 64 bits ({Where})");
        return result | ((ulong)last << 63);
    }

    private static int ZigZag(uint u) => (int)(u >> 1) ^ -(int)(u & 1);

    private void SkipValue(ThriftType type, bool isElement)
    {
        switch (type)
        {
            case ThriftType.BoolTrue or ThriftType.BoolFalse:
                if (isElement)
                    ReadBool();
                break;
            case ThriftType.Byte:
                ReadByteRaw("i8");
                break;
            case ThriftType.I16 or ThriftType.I32 or ThriftType.I64:
                ReadVarint64("integer");
                break;
            case ThriftType.Double:
                Need(8, "double");
                _pos += 8;
                break;
            case ThriftType.Uuid:
                Need(16, "uuid");
                _pos += 16;
                break;
            case ThriftType.Binary:
                ReadBytes("binary");
                break;
            case ThriftType.List or ThriftType.Set:
                {
                    Enter();
                    int count = ReadListHeader(out var elementType);
                    for (int i = 0; i < count; i++)
                        SkipValue(elementType, isElement: true);
                    _depth--;
                    break;
                }
            case ThriftType.Map:
                {
                    Enter();
                    int count = ReadMapHeader(out var keyType, out var valueType);
                    for (int i = 0; i < count; i++)
                    {
                        SkipValue(keyType, isElement: true);
                        SkipValue(valueType, isElement: true);
                    }
                    _depth--;
                    break;
                }
            case ThriftType.Struct:
                {
                    var scope = BeginStruct(_struct);
                    while (ReadFieldHeader(out var inner))
                        SkipValue(inner.Type, isElement: false);
                    EndStruct(scope);
                    break;
                }
            default:
                throw Malformed($"thrift: cannot skip wire type {(int)type} ({Where})");
        }
    }

    private readonly void CheckElementType(ThriftType type, string container)
    {
        if (type is ThriftType.Stop || (byte)type > (byte)ThriftType.Uuid)
            throw Malformed($"thrift: {container} element wire type {(int)type} does not exist ({Where})");
    }

    // Bool elements may be announced with either bool nibble.
    private static bool SameType(ThriftType actual, ThriftType expected) =>
        actual == expected || (IsBool(actual) && IsBool(expected));

    private static bool IsBool(ThriftType t) => t is ThriftType.BoolTrue or ThriftType.BoolFalse;

    // The fewest bytes one element of this type can occupy; bounds how many elements a count may claim.
    private static int MinSize(ThriftType type) => type switch
    {
        ThriftType.Double => 8,
        ThriftType.Uuid => 16,
        _ => 1,
    };

    /// <summary>What <see cref="EndStruct"/> restores: the enclosing struct's state.</summary>
    public readonly struct StructScope
    {
        internal StructScope(string name, short lastFieldId, short fieldId, bool inField)
        {
            Name = name;
            LastFieldId = lastFieldId;
            FieldId = fieldId;
            InField = inField;
        }

        internal string Name { get; }
        internal short LastFieldId { get; }
        internal short FieldId { get; }
        internal bool InField { get; }
    }
}
