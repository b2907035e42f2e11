using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CdcLake.Parquet.Encodings;

/// <summary>
/// BYTE_STREAM_SPLIT (encoding 9): byte k of every value goes to stream k, the K streams concatenated. The data
/// has no header, so its length must be exactly K times the value count: the stream stride depends on it.
/// </summary>
internal static class ByteStreamSplit
{
    private const string Name = "BYTE_STREAM_SPLIT";

    public static void DecodeInt32(ReadOnlySpan<byte> data, Span<int> values) => DecodeFixed(data, values);

    public static void DecodeInt64(ReadOnlySpan<byte> data, Span<long> values) => DecodeFixed(data, values);

    public static void DecodeFloat(ReadOnlySpan<byte> data, Span<float> values) => DecodeFixed(data, values);

    public static void DecodeDouble(ReadOnlySpan<byte> data, Span<double> values) => DecodeFixed(data, values);

    /// <summary>
    /// Reassembles values of <paramref name="width"/> bytes: <c>output.Length</c> must equal <c>data.Length</c>
    /// and be a multiple of the width (little-endian value bytes, as PLAIN would hold them).
    /// </summary>
    public static void Decode(ReadOnlySpan<byte> data, int width, Span<byte> output)
    {
        if (width <= 0)
        {
            EncodingErrors.Throw($"{Name}: value width {width} is not positive");
        }

        if (data.Length != output.Length || data.Length % width != 0)
        {
            EncodingErrors.Throw($"{Name}: {data.Length} bytes are not {output.Length / width} values of {width} bytes");
        }

        int count = data.Length / width;
        switch (width)
        {
            case 4:
                Gather4(data, output, count);
                break;
            case 8:
                Gather8(data, output, count);
                break;
            default:
                for (int k = 0; k < width; k++)
                {
                    ReadOnlySpan<byte> stream = data.Slice(k * count, count);
                    for (int i = 0; i < stream.Length; i++)
                    {
                        output[(i * width) + k] = stream[i];
                    }
                }

                break;
        }
    }

    /// <summary>FIXED_LEN_BYTE_ARRAY of <paramref name="width"/>: appends <paramref name="count"/> values to <paramref name="output"/>.</summary>
    public static void DecodeFixedLenByteArray(ReadOnlySpan<byte> data, int width, int count, ByteArrayBuilder output)
    {
        if (count < 0)
        {
            EncodingErrors.NegativeCount(Name, count);
        }

        if (width <= 0 || (long)width * count != data.Length)
        {
            EncodingErrors.Throw($"{Name}: {data.Length} bytes are not {count} values of {width} bytes");
        }

        output.Reserve(count, data.Length);
        for (int i = 0; i < count; i++)
        {
            Span<byte> value = output.AppendUninitialized(width);
            for (int k = 0; k < value.Length; k++)
            {
                value[k] = data[(k * count) + i];
            }
        }
    }

    public static void EncodeInt32(ReadOnlySpan<int> values, IBufferWriter<byte> output) => EncodeFixed(values, output);

    public static void EncodeInt64(ReadOnlySpan<long> values, IBufferWriter<byte> output) => EncodeFixed(values, output);

    public static void EncodeFloat(ReadOnlySpan<float> values, IBufferWriter<byte> output) => EncodeFixed(values, output);

    public static void EncodeDouble(ReadOnlySpan<double> values, IBufferWriter<byte> output) => EncodeFixed(values, output);

    /// <summary>Splits values of <paramref name="width"/> bytes (little-endian, as PLAIN) into streams.</summary>
    public static void Encode(ReadOnlySpan<byte> values, int width, IBufferWriter<byte> output)
    {
        if (width <= 0 || values.Length % width != 0)
        {
            EncodingErrors.Throw($"{Name}: {values.Length} bytes are not whole values of {width} bytes");
        }

        if (values.IsEmpty)
        {
            return;
        }

        int count = values.Length / width;
        Span<byte> span = output.GetSpan(values.Length).Slice(0, values.Length);
        for (int k = 0; k < width; k++)
        {
            Span<byte> stream = span.Slice(k * count, count);
            for (int i = 0; i < stream.Length; i++)
            {
                stream[i] = values[(i * width) + k];
            }
        }

        output.Advance(values.Length);
    }

    public static void EncodeFixedLenByteArray(ByteArraySpan values, int width, IBufferWriter<byte> output)
    {
        values.Validate(Name);
        int count = values.Count;
        for (int i = 0; i < count; i++)
        {
            DeltaLengthByteArray.CheckWidth(Name, i, values.Offsets[i + 1] - values.Offsets[i], width);
        }

        if (width <= 0)
        {
            EncodingErrors.Throw($"{Name}: value width {width} is not positive");
        }

        // Fixed-width values sit back to back, so the column's bytes are already the value-major layout.
        int start = count == 0 ? 0 : values.Offsets[0];
        Encode(values.Data.Slice(start, count * width), width, output);
    }

    private static void DecodeFixed<T>(ReadOnlySpan<byte> data, Span<T> values)
        where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        if ((long)values.Length * size != data.Length)
        {
            EncodingErrors.Throw($"{Name}: {data.Length} bytes are not {values.Length} values of {size} bytes");
        }

        Decode(data, size, MemoryMarshal.AsBytes(values));
        if (!BitConverter.IsLittleEndian)
        {
            Span<byte> bytes = MemoryMarshal.AsBytes(values);
            for (int i = 0; i < bytes.Length; i += size)
            {
                bytes.Slice(i, size).Reverse();
            }
        }
    }

    private static void EncodeFixed<T>(ReadOnlySpan<T> values, IBufferWriter<byte> output)
        where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        if (BitConverter.IsLittleEndian)
        {
            Encode(MemoryMarshal.AsBytes(values), size, output);
            return;
        }

        byte[] copy = MemoryMarshal.AsBytes(values).ToArray();
        for (int i = 0; i < copy.Length; i += size)
        {
            copy.AsSpan(i, size).Reverse();
        }

        Encode(copy, size, output);
    }

    // One pass over the output with K sequential read streams keeps every access streaming through the cache.
    private static void Gather4(ReadOnlySpan<byte> data, Span<byte> output, int count)
    {
        ReadOnlySpan<byte> s0 = data.Slice(0, count);
        ReadOnlySpan<byte> s1 = data.Slice(count, count);
        ReadOnlySpan<byte> s2 = data.Slice(2 * count, count);
        ReadOnlySpan<byte> s3 = data.Slice(3 * count, count);
        Span<uint> words = MemoryMarshal.Cast<byte, uint>(output.Slice(0, count * 4));
        if (!BitConverter.IsLittleEndian)
        {
            for (int i = 0; i < count; i++)
            {
                output[4 * i] = s0[i];
                output[(4 * i) + 1] = s1[i];
                output[(4 * i) + 2] = s2[i];
                output[(4 * i) + 3] = s3[i];
            }

            return;
        }

        // The redundant length tests let the JIT drop the per-element bounds checks on every stream.
        for (int i = 0; i < words.Length && i < s0.Length && i < s1.Length && i < s2.Length && i < s3.Length; i++)
        {
            words[i] = s0[i] | ((uint)s1[i] << 8) | ((uint)s2[i] << 16) | ((uint)s3[i] << 24);
        }
    }

    private static void Gather8(ReadOnlySpan<byte> data, Span<byte> output, int count)
    {
        if (!BitConverter.IsLittleEndian)
        {
            for (int k = 0; k < 8; k++)
            {
                for (int i = 0; i < count; i++)
                {
                    output[(8 * i) + k] = data[(k * count) + i];
                }
            }

            return;
        }

        ReadOnlySpan<byte> s0 = data.Slice(0, count);
        ReadOnlySpan<byte> s1 = data.Slice(count, count);
        ReadOnlySpan<byte> s2 = data.Slice(2 * count, count);
        ReadOnlySpan<byte> s3 = data.Slice(3 * count, count);
        ReadOnlySpan<byte> s4 = data.Slice(4 * count, count);
        ReadOnlySpan<byte> s5 = data.Slice(5 * count, count);
        ReadOnlySpan<byte> s6 = data.Slice(6 * count, count);
        ReadOnlySpan<byte> s7 = data.Slice(7 * count, count);
        Span<ulong> words = MemoryMarshal.Cast<byte, ulong>(output.Slice(0, count * 8));
        for (int i = 0; i < words.Length && i < s0.Length && i < s1.Length && i < s2.Length && i < s3.Length
            && i < s4.Length && i < s5.Length && i < s6.Length && i < s7.Length; i++)
        {
            words[i] = s0[i] | ((ulong)s1[i] << 8) | ((ulong)s2[i] << 16) | ((ulong)s3[i] << 24)
                | ((ulong)s4[i] << 32) | ((ulong)s5[i] << 40) | ((ulong)s6[i] << 48) | ((ulong)s7[i] << 56);
        }
    }
}
