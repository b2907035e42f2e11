namespace CdcLake.Parquet.Mutation;

/// <summary>What a <see cref="ThriftToken"/> holds.</summary>
public enum TokenKind
{
    /// <summary>A zigzag varint: an i16, i32 or i64 field or element.</summary>
    Integer,

    /// <summary>The unsigned varint length of a binary or string.</summary>
    BinaryLength,

    /// <summary>A list or set header: one byte (size in the high nibble, 15 meaning a varint follows) plus that varint.</summary>
    ListHeader,

    /// <summary>The unsigned varint size of a map.</summary>
    MapSize,
}

/// <summary>
/// One length, count or integer found in Thrift compact bytes: where it is (absolute file offset), how many
/// bytes it takes, its value, and a path of field ids and list indexes (e.g. <c>4[0].1[2].3.9</c>) naming it.
/// </summary>
public sealed record ThriftToken(int Offset, int Length, TokenKind Kind, long Value, string Path, byte ListElementType = 0);

/// <summary>
/// A small, independent Thrift compact-protocol walker: it does not decode parquet.thrift, it only finds
/// the integers and lengths in a struct so that mutations can rewrite them precisely. Malformed input
/// (there should be none: it only walks the unmutated files) raises <see cref="FormatException"/>.
/// </summary>
public sealed class ThriftScanner
{
    private const int MaxDepth = 64;
    private readonly byte[] _data;
    private readonly int _end;
    private readonly List<ThriftToken> _tokens;
    private int _pos;
    private int _depth;

    private ThriftScanner(byte[] data, int start, int end, List<ThriftToken> tokens)
    {
        _data = data;
        _pos = start;
        _end = end;
        _tokens = tokens;
    }

    /// <summary>Walks the struct at <paramref name="start"/>; returns the offset just past it.</summary>
    public static int ScanStruct(byte[] data, int start, int end, string path, List<ThriftToken> tokens)
    {
        var scanner = new ThriftScanner(data, start, end, tokens);
        scanner.Struct(path);
        return scanner._pos;
    }

    private void Struct(string path)
    {
        if (++_depth > MaxDepth)
        {
            throw new FormatException("nesting too deep");
        }

        short last = 0;
        while (true)
        {
            var b = Byte();
            if (b == 0)
            {
                break;
            }

            var type = b & 0x0F;
            var delta = b >> 4;
            int id;
            if (delta != 0)
            {
                id = last + delta;
            }
            else
            {
                var (v, _) = Varint();
                id = (int)ZigZag(v);
            }

            last = (short)id;
            var fieldPath = path.Length == 0 ? id.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{path}.{id}";
            Value(type, fieldPath, isElement: false);
        }

        _depth--;
    }

    private void Value(int type, string path, bool isElement)
    {
        switch (type)
        {
            case 1 or 2:
                if (isElement)
                {
                    Byte();
                }

                break;
            case 3:
                Byte();
                break;
            case 4 or 5 or 6:
                {
                    var start = _pos;
                    var (v, _) = Varint();
                    _tokens.Add(new ThriftToken(start, _pos - start, TokenKind.Integer, ZigZag(v), path));
                    break;
                }

            case 7:
                Skip(8);
                break;
            case 13:
                Skip(16);
                break;
            case 8:
                {
                    var start = _pos;
                    var (v, _) = Varint();
                    _tokens.Add(new ThriftToken(start, _pos - start, TokenKind.BinaryLength, (long)v, path));
                    Skip(checked((int)v));
                    break;
                }

            case 9 or 10:
                {
                    var start = _pos;
                    var header = Byte();
                    var elementType = header & 0x0F;
                    long count = header >> 4;
                    if (count == 15)
                    {
                        count = (long)Varint().Value;
                    }

                    _tokens.Add(new ThriftToken(start, _pos - start, TokenKind.ListHeader, count, path, (byte)elementType));
                    for (var i = 0; i < count; i++)
                    {
                        Value(elementType, $"{path}[{i}]", isElement: true);
                    }

                    break;
                }

            case 11:
                {
                    var start = _pos;
                    var count = (long)Varint().Value;
                    _tokens.Add(new ThriftToken(start, _pos - start, TokenKind.MapSize, count, path));
                    if (count > 0)
                    {
                        var types = Byte();
                        for (var i = 0; i < count; i++)
                        {
                            Value(types >> 4, $"{path}{{{i}k}}", isElement: true);
                            Value(types & 0x0F, $"{path}{{{i}v}}", isElement: true);
                        }
                    }

                    break;
                }

            case 12:
                Struct(path);
                break;
            default:
                throw new FormatException($"wire type {type} at {_pos}");
        }
    }

    private byte Byte()
    {
        if (_pos >= _end)
        {
            throw new FormatException("thrift bytes end early");
        }

        return _data[_pos++];
    }

    private void Skip(int count)
    {
        if (count < 0 || count > _end - _pos)
        {
            throw new FormatException("thrift bytes end early");
        }

        _pos += count;
    }

    private (ulong Value, int Length) Varint()
    {
        ulong result = 0;
        var start = _pos;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = Byte();
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return (result, _pos - start);
            }
        }

        throw new FormatException("varint too long");
    }

    private static long ZigZag(ulong u) => (long)(u >> 1) ^ -(long)(u & 1);

    /// <summary>The compact-protocol zigzag varint of <paramref name="value"/>.</summary>
    public static byte[] EncodeZigZag(long value) => EncodeVarint((ulong)((value << 1) ^ (value >> 63)));

    public static byte[] EncodeVarint(ulong value)
    {
        var bytes = new List<byte>(10);
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value != 0 ? (byte)(b | 0x80) : b);
        }
        while (value != 0);
        return bytes.ToArray();
    }

    /// <summary>
    /// Pads a varint with redundant continuation bytes to exactly <paramref name="width"/> bytes (readers
    /// accept overlong varints), so that a rewrite need not shift the bytes after it. Null when it does not fit.
    /// </summary>
    public static byte[]? PadVarint(byte[] varint, int width)
    {
        if (varint.Length > width)
        {
            return null;
        }

        if (varint.Length == width)
        {
            return varint;
        }

        var padded = new byte[width];
        varint.CopyTo(padded, 0);
        for (var i = varint.Length - 1; i < width - 1; i++)
        {
            padded[i] |= 0x80;
        }

        padded[width - 1] = 0;
        return padded;
    }
}
