using System.Buffers;
using System.Buffers.Binary;

namespace CdcLake.Parquet.Meta;

/// <summary>
/// Writes the Thrift compact protocol into a growable buffer. Field headers use the one-byte delta form
/// whenever the id is 1..15 above the previous field's, as Apache Thrift does, so output matches other
/// writers byte for byte when fields are written in id order.
/// </summary>
internal sealed class ThriftCompactWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;
    private readonly Stack<short> _enclosingLastIds = new();
    private short _lastFieldId;

    public ThriftCompactWriter(int initialCapacity = 256)
    {
        _buffer = new ArrayBufferWriter<byte>(Math.Max(initialCapacity, 16));
    }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public int WrittenCount => _buffer.WrittenCount;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    /// <summary>Empties the buffer for reuse (e.g. one writer for all page headers of a column).</summary>
    public void Clear()
    {
        _buffer.Clear();
        _enclosingLastIds.Clear();
        _lastFieldId = 0;
    }

    // ---- structs and fields ----------------------------------------------------------------------------

    public void BeginStruct()
    {
        _enclosingLastIds.Push(_lastFieldId);
        _lastFieldId = 0;
    }

    public void EndStruct()
    {
        WriteByte((byte)ThriftType.Stop);
        _lastFieldId = _enclosingLastIds.Pop();
    }

    public void WriteFieldHeader(short id, ThriftType type)
    {
        int delta = id - _lastFieldId;
        if (delta is > 0 and <= 15)
        {
            WriteByte((byte)((delta << 4) | (byte)type));
        }
        else
        {
            WriteByte((byte)type);
            WriteI16(id);
        }

        _lastFieldId = id;
    }

    /// <summary>Writes the header of a struct field and enters the struct; close it with <see cref="EndStruct"/>.</summary>
    public void BeginStructField(short id)
    {
        WriteFieldHeader(id, ThriftType.Struct);
        BeginStruct();
    }

    /// <summary>Writes a struct field; nothing when <paramref name="value"/> is null.</summary>
    public void WriteStructField(short id, IThriftStruct? value)
    {
        if (value is null)
            return;
        WriteFieldHeader(id, ThriftType.Struct);
        value.Write(this);
    }

    /// <summary>A struct field whose struct has no members (the marker structs of unions).</summary>
    public void WriteEmptyStructField(short id)
    {
        BeginStructField(id);
        EndStruct();
    }

    public void WriteBoolField(short id, bool value) =>
        WriteFieldHeader(id, value ? ThriftType.BoolTrue : ThriftType.BoolFalse);

    public void WriteBoolField(short id, bool? value)
    {
        if (value is bool v)
            WriteBoolField(id, v);
    }

    public void WriteI8Field(short id, sbyte value)
    {
        WriteFieldHeader(id, ThriftType.Byte);
        WriteI8(value);
    }

    public void WriteI8Field(short id, sbyte? value)
    {
        if (value is sbyte v)
            WriteI8Field(id, v);
    }

    public void WriteI16Field(short id, short value)
    {
        WriteFieldHeader(id, ThriftType.I16);
        WriteI16(value);
    }

    public void WriteI16Field(short id, short? value)
    {
        if (value is short v)
            WriteI16Field(id, v);
    }

    public void WriteI32Field(short id, int value)
    {
        WriteFieldHeader(id, ThriftType.I32);
        WriteI32(value);
    }

    public void WriteI32Field(short id, int? value)
    {
        if (value is int v)
            WriteI32Field(id, v);
    }

    public void WriteI64Field(short id, long value)
    {
        WriteFieldHeader(id, ThriftType.I64);
        WriteI64(value);
    }

    public void WriteI64Field(short id, long? value)
    {
        if (value is long v)
            WriteI64Field(id, v);
    }

    public void WriteDoubleField(short id, double value)
    {
        WriteFieldHeader(id, ThriftType.Double);
        WriteDouble(value);
    }

    /// <summary>Writes a binary field; nothing when <paramref name="value"/> is null.</summary>
    public void WriteBinaryField(short id, byte[]? value)
    {
        if (value is null)
            return;
        WriteFieldHeader(id, ThriftType.Binary);
        WriteBinary(value);
    }

    /// <summary>Writes a string field; nothing when <paramref name="value"/> is null.</summary>
    public void WriteStringField(short id, string? value)
    {
        if (value is null)
            return;
        WriteFieldHeader(id, ThriftType.Binary);
        WriteString(value);
    }

    /// <summary>Writes a list field; nothing when <paramref name="items"/> is null.</summary>
    public void WriteListField<T>(short id, ThriftType elementType, IReadOnlyList<T>? items, Action<ThriftCompactWriter, T> writeElement)
    {
        if (items is null)
            return;
        WriteFieldHeader(id, ThriftType.List);
        WriteListHeader(elementType, items.Count);
        foreach (var item in items)
            writeElement(this, item);
    }

    /// <summary>Writes back a value captured by <see cref="ThriftCompactReader.ReadRaw"/>; nothing when null.</summary>
    public void WriteRawField(short id, ThriftRawValue? raw)
    {
        if (raw is null)
            return;
        WriteFieldHeader(id, raw.Type);
        Write(raw.Bytes);
    }

    // ---- bare values (list elements) -------------------------------------------------------------------

    public void WriteListHeader(ThriftType elementType, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        // Apache Thrift announces bool elements with the "true" nibble.
        byte type = (byte)(elementType is ThriftType.BoolFalse ? ThriftType.BoolTrue : elementType);
        if (count < 15)
        {
            WriteByte((byte)((count << 4) | type));
        }
        else
        {
            WriteByte((byte)(0xF0 | type));
            WriteVarint((uint)count);
        }
    }

    public void WriteMapHeader(ThriftType keyType, ThriftType valueType, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        WriteVarint((uint)count);
        if (count > 0)
            WriteByte((byte)(((byte)keyType << 4) | (byte)valueType));
    }

    public void WriteBool(bool value) => WriteByte(value ? (byte)ThriftType.BoolTrue : (byte)ThriftType.BoolFalse);

    public void WriteI8(sbyte value) => WriteByte((byte)value);

    public void WriteI16(short value) => WriteI32(value);

    public void WriteI32(int value) => WriteVarint((uint)((value << 1) ^ (value >> 31)));

    public void WriteI64(long value) => WriteVarint((ulong)((value << 1) ^ (value >> 63)));

    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    public void WriteBinary(ReadOnlySpan<byte> value)
    {
        WriteVarint((uint)value.Length);
        Write(value);
    }

    public void WriteString(string value)
    {
        int length = System.Text.Encoding.UTF8.GetByteCount(value);
        WriteVarint((uint)length);
        System.Text.Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
    }

    // ---- primitives ------------------------------------------------------------------------------------

    private void WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    private void Write(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    private void WriteVarint(ulong value)
    {
        var span = _buffer.GetSpan(10);
        int n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        _buffer.Advance(n);
    }
}
