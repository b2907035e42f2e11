using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CdcLake.Parquet.Encodings;

/// <summary>
/// PLAIN (encoding 0) decoders. Each decodes exactly the number of values its destination asks for, from the
/// start of the data, and returns the bytes consumed; trailing bytes are left to the caller to judge.
/// </summary>
internal static class PlainDecoder
{
    private const string Name = "PLAIN";

    // Byte b expands to eight 0/1 bytes, bit k of b landing in byte k.
    private static readonly ulong[] BitsToBools = BuildBitsToBools();

    /// <summary>BOOLEAN: one bit per value, least significant bit first. Consumes ceil(n / 8) bytes.</summary>
    public static int DecodeBooleans(ReadOnlySpan<byte> data, Span<bool> values)
    {
        int n = values.Length;
        int needed = (int)(((long)n + 7) >> 3);
        if (needed > data.Length)
        {
            EncodingErrors.TooShort(Name, $"BOOLEAN ({n} values)", needed, data.Length);
        }

        Span<byte> target = MemoryMarshal.AsBytes(values);
        int full = n >> 3;
        ulong[] table = BitsToBools;
        for (int i = 0; i < full; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(target.Slice(i * 8, 8), table[data[i]]);
        }

        for (int k = full * 8; k < n; k++)
        {
            values[k] = ((data[k >> 3] >> (k & 7)) & 1) != 0;
        }

        return needed;
    }

    public static int DecodeInt32(ReadOnlySpan<byte> data, Span<int> values) => DecodeFixed(data, values, "INT32");

    public static int DecodeInt64(ReadOnlySpan<byte> data, Span<long> values) => DecodeFixed(data, values, "INT64");

    public static int DecodeFloat(ReadOnlySpan<byte> data, Span<float> values) => DecodeFixed(data, values, "FLOAT");

    public static int DecodeDouble(ReadOnlySpan<byte> data, Span<double> values) => DecodeFixed(data, values, "DOUBLE");

    /// <summary>
    /// INT96: 12 bytes each, an 8-byte little-endian part then a 4-byte one (nanoseconds of day, Julian day).
    /// <typeparamref name="T"/> is any 12-byte struct with that field layout, such as the project's Int96.
    /// </summary>
    public static int DecodeInt96<T>(ReadOnlySpan<byte> data, Span<T> values)
        where T : unmanaged
    {
        if (Unsafe.SizeOf<T>() != 12)
        {
            throw new ArgumentException($"INT96 values need a 12-byte type, not {typeof(T).Name} ({Unsafe.SizeOf<T>()} bytes)", nameof(values));
        }

        long needed = values.Length * 12L;
        if (needed > data.Length)
        {
            EncodingErrors.TooShort(Name, $"INT96 ({values.Length} values)", needed, data.Length);
        }

        Span<byte> target = MemoryMarshal.AsBytes(values);
        data.Slice(0, (int)needed).CopyTo(target);
        if (!BitConverter.IsLittleEndian)
        {
            for (int i = 0; i < target.Length; i += 12)
            {
                target.Slice(i, 8).Reverse();
                target.Slice(i + 8, 4).Reverse();
            }
        }

        return (int)needed;
    }

    /// <summary>FIXED_LEN_BYTE_ARRAY: <paramref name="count"/> values of <paramref name="width"/> bytes, appended to <paramref name="output"/>.</summary>
    public static int DecodeFixedLenByteArray(ReadOnlySpan<byte> data, int width, int count, ByteArrayBuilder output)
    {
        if (width < 0)
        {
            EncodingErrors.Throw($"{Name}: FIXED_LEN_BYTE_ARRAY width {width} is negative");
        }

        if (count < 0)
        {
            EncodingErrors.NegativeCount(Name, count);
        }

        long needed = (long)width * count;
        if (needed > data.Length)
        {
            EncodingErrors.TooShort(Name, $"FIXED_LEN_BYTE_ARRAY ({count} values of {width} bytes)", needed, data.Length);
        }

        output.Reserve(count, needed);
        for (int i = 0; i < count; i++)
        {
            output.Append(data.Slice(i * width, width));
        }

        return (int)needed;
    }

    /// <summary>BYTE_ARRAY: each value a 4-byte little-endian length and its bytes, appended to <paramref name="output"/>.</summary>
    // Runs once per page over many values: compiled fully optimized on first use (see HotPath.cs).
    [MethodImpl(HotPath.Options)]
    public static int DecodeByteArray(ReadOnlySpan<byte> data, int count, ByteArrayBuilder output)
    {
        if (count < 0)
        {
            EncodingErrors.NegativeCount(Name, count);
        }

        if (count * 4L > data.Length)
        {
            EncodingErrors.TooShort(Name, $"BYTE_ARRAY ({count} values, 4 length bytes each at least)", count * 4L, data.Length);
        }

        return output.AppendLengthPrefixed(data, count, Name);
    }

    private static int DecodeFixed<T>(ReadOnlySpan<byte> data, Span<T> values, string type)
        where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        long needed = (long)values.Length * size;
        if (needed > data.Length)
        {
            EncodingErrors.TooShort(Name, $"{type} ({values.Length} values)", needed, data.Length);
        }

        Span<byte> target = MemoryMarshal.AsBytes(values);
        data.Slice(0, (int)needed).CopyTo(target);
        if (!BitConverter.IsLittleEndian)
        {
            for (int i = 0; i < target.Length; i += size)
            {
                target.Slice(i, size).Reverse();
            }
        }

        return (int)needed;
    }

    private static ulong[] BuildBitsToBools()
    {
        var table = new ulong[256];
        for (int b = 0; b < 256; b++)
        {
            ulong spread = 0;
            for (int k = 0; k < 8; k++)
            {
                spread |= (ulong)((b >> k) & 1) << (8 * k);
            }

            table[b] = spread;
        }

        return table;
    }
}

/// <summary>PLAIN (encoding 0) encoders, appending to any <see cref="IBufferWriter{T}"/>.</summary>
internal static class PlainEncoder
{
    private const string Name = "PLAIN";

    /// <summary>BOOLEAN: one bit per value, least significant bit first, the last byte zero-padded.</summary>
    public static void EncodeBooleans(ReadOnlySpan<bool> values, IBufferWriter<byte> output)
    {
        int n = values.Length;
        int total = (n + 7) >> 3;
        if (total == 0)
        {
            return;
        }

        Span<byte> span = output.GetSpan(total).Slice(0, total);
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values);
        int full = n >> 3;
        for (int i = 0; i < full; i++)
        {
            // Gathers the low bit of each of eight bytes into one byte: the multiply lines bit 8k up at bit 56+k
            // with no carries reaching the top byte.
            ulong eight = BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(i * 8, 8)) & 0x0101010101010101UL;
            span[i] = (byte)((eight * 0x0102040810204080UL) >> 56);
        }

        if (full < total)
        {
            int last = 0;
            for (int k = full * 8; k < n; k++)
            {
                if (values[k])
                {
                    last |= 1 << (k & 7);
                }
            }

            span[full] = (byte)last;
        }

        output.Advance(total);
    }

    public static void EncodeInt32(ReadOnlySpan<int> values, IBufferWriter<byte> output) => EncodeFixed(values, output);

    public static void EncodeInt64(ReadOnlySpan<long> values, IBufferWriter<byte> output) => EncodeFixed(values, output);

    public static void EncodeFloat(ReadOnlySpan<float> values, IBufferWriter<byte> output) => EncodeFixed(values, output);

    public static void EncodeDouble(ReadOnlySpan<double> values, IBufferWriter<byte> output) => EncodeFixed(values, output);

    /// <summary>INT96 from any 12-byte struct laid out as an 8-byte then a 4-byte field.</summary>
    public static void EncodeInt96<T>(ReadOnlySpan<T> values, IBufferWriter<byte> output)
        where T : unmanaged
    {
        if (Unsafe.SizeOf<T>() != 12)
        {
            throw new ArgumentException($"INT96 values need a 12-byte type, not {typeof(T).Name} ({Unsafe.SizeOf<T>()} bytes)", nameof(values));
        }

        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values);
        if (bytes.IsEmpty)
        {
            return;
        }

        Span<byte> span = output.GetSpan(bytes.Length).Slice(0, bytes.Length);
        bytes.CopyTo(span);
        if (!BitConverter.IsLittleEndian)
        {
            for (int i = 0; i < span.Length; i += 12)
            {
                span.Slice(i, 8).Reverse();
                span.Slice(i + 8, 4).Reverse();
            }
        }

        output.Advance(bytes.Length);
    }

    /// <summary>FIXED_LEN_BYTE_ARRAY: the bytes of each value, each of which must be <paramref name="width"/> long.</summary>
    public static void EncodeFixedLenByteArray(ByteArraySpan values, int width, IBufferWriter<byte> output)
    {
        values.Validate(Name);
        for (int i = 0; i < values.Count; i++)
        {
            ReadOnlySpan<byte> value = values[i];
            if (value.Length != width)
            {
                EncodingErrors.Throw($"{Name}: FIXED_LEN_BYTE_ARRAY value {i} has {value.Length} bytes, not the column's {width}");
            }

            output.Write(value);
        }
    }

    /// <summary>BYTE_ARRAY: a 4-byte little-endian length before each value's bytes.</summary>
    public static void EncodeByteArray(ByteArraySpan values, IBufferWriter<byte> output)
    {
        values.Validate(Name);
        for (int i = 0; i < values.Count; i++)
        {
            ReadOnlySpan<byte> value = values[i];
            Span<byte> span = output.GetSpan(4 + value.Length);
            BinaryPrimitives.WriteInt32LittleEndian(span, value.Length);
            value.CopyTo(span.Slice(4));
            output.Advance(4 + value.Length);
        }
    }

    private static void EncodeFixed<T>(ReadOnlySpan<T> values, IBufferWriter<byte> output)
        where T : unmanaged
    {
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values);
        if (bytes.IsEmpty)
        {
            return;
        }

        int size = Unsafe.SizeOf<T>();

        // Large pages are written in slices so a sink with bounded segments (a pipe) is never asked for one huge span.
        const int Slice = 1 << 16;
        for (int start = 0; start < bytes.Length; start += Slice)
        {
            int length = Math.Min(Slice, bytes.Length - start);
            Span<byte> span = output.GetSpan(length).Slice(0, length);
            bytes.Slice(start, length).CopyTo(span);
            if (!BitConverter.IsLittleEndian)
            {
                for (int i = 0; i < span.Length; i += size)
                {
                    span.Slice(i, size).Reverse();
                }
            }

            output.Advance(length);
        }
    }
}
