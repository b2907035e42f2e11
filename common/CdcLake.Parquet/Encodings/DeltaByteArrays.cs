using System.Buffers;

namespace CdcLake.Parquet.Encodings;

/// <summary>
/// DELTA_LENGTH_BYTE_ARRAY (encoding 6): DELTA_BINARY_PACKED lengths, then all the bytes back to back.
/// </summary>
internal static class DeltaLengthByteArray
{
    private const string Name = "DELTA_LENGTH_BYTE_ARRAY";

    /// <summary>
    /// Appends <paramref name="count"/> values to <paramref name="output"/>; returns the bytes consumed. With
    /// <paramref name="fixedWidth"/> at 0 or more (a FIXED_LEN_BYTE_ARRAY column), every value must be that long.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> data, int count, ByteArrayBuilder output, int fixedWidth = -1)
    {
        if (count < 0)
        {
            EncodingErrors.NegativeCount(Name, count);
        }

        CheckDeclaredCount(data, count, Name);
        int[] lengths = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
        try
        {
            Span<int> span = lengths.AsSpan(0, count);
            int pos = DeltaBinaryPacked.DecodeInt32(data, span);
            return pos + AppendConcatenated(data.Slice(pos), span, output, fixedWidth, Name);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(lengths);
        }
    }

    public static void Encode(ByteArraySpan values, IBufferWriter<byte> output, int fixedWidth = -1)
    {
        values.Validate(Name);
        int count = values.Count;
        int[] lengths = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
        try
        {
            for (int i = 0; i < count; i++)
            {
                int length = values.Offsets[i + 1] - values.Offsets[i];
                CheckWidth(Name, i, length, fixedWidth);
                lengths[i] = length;
            }

            DeltaBinaryPacked.EncodeInt32(lengths.AsSpan(0, count), output);
            if (count > 0)
            {
                output.Write(values.Data.Slice(values.Offsets[0], values.Offsets[count] - values.Offsets[0]));
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(lengths);
        }
    }

    /// <summary>Checks the lengths against the bytes that follow them, then appends the values; returns the bytes used.</summary>
    internal static int AppendConcatenated(ReadOnlySpan<byte> bytes, ReadOnlySpan<int> lengths, ByteArrayBuilder output, int fixedWidth, string encoding)
    {
        long total = 0;
        for (int i = 0; i < lengths.Length; i++)
        {
            int length = lengths[i];
            if (length < 0)
            {
                EncodingErrors.Throw($"{encoding}: value {i} has negative length {length}");
            }

            CheckWidth(encoding, i, length, fixedWidth);
            total += length;
        }

        if (total > bytes.Length)
        {
            EncodingErrors.TooShort(encoding, $"byte data of {lengths.Length} values", total, bytes.Length);
        }

        output.Reserve(lengths.Length, total);
        int at = 0;
        foreach (int length in lengths)
        {
            output.Append(bytes.Slice(at, length));
            at += length;
        }

        return at;
    }

    /// <summary>Refuses a too-small header before any buffer is sized from <paramref name="count"/>.</summary>
    internal static void CheckDeclaredCount(ReadOnlySpan<byte> data, int count, string encoding)
    {
        int declared = DeltaBinaryPacked.ReadValueCount(data);
        if (declared < count)
        {
            EncodingErrors.Throw($"{encoding}: lengths declare {declared} values but {count} are expected");
        }
    }

    internal static void CheckWidth(string encoding, int index, int length, int fixedWidth)
    {
        if (fixedWidth >= 0 && length != fixedWidth)
        {
            EncodingErrors.Throw($"{encoding}: FIXED_LEN_BYTE_ARRAY value {index} has {length} bytes, not the column's {fixedWidth}");
        }
    }
}

/// <summary>
/// DELTA_BYTE_ARRAY (encoding 7), front coding: DELTA_BINARY_PACKED prefix lengths (shared with the previous value),
/// then the suffixes as DELTA_LENGTH_BYTE_ARRAY.
/// </summary>
internal static class DeltaByteArray
{
    private const string Name = "DELTA_BYTE_ARRAY";

    /// <summary>
    /// Appends <paramref name="count"/> values to <paramref name="output"/>; returns the bytes consumed. The first
    /// value of the data has no predecessor, so its prefix must be 0 even when <paramref name="output"/> already
    /// holds values from earlier pages. <paramref name="fixedWidth"/> as for <see cref="DeltaLengthByteArray.Decode"/>.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> data, int count, ByteArrayBuilder output, int fixedWidth = -1)
    {
        if (count < 0)
        {
            EncodingErrors.NegativeCount(Name, count);
        }

        DeltaLengthByteArray.CheckDeclaredCount(data, count, Name);
        int[] rentedPrefixes = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
        int[] rentedSuffixes = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
        try
        {
            Span<int> prefixes = rentedPrefixes.AsSpan(0, count);
            Span<int> suffixes = rentedSuffixes.AsSpan(0, count);
            int pos = DeltaBinaryPacked.DecodeInt32(data, prefixes);
            pos += DeltaBinaryPacked.DecodeInt32(data.Slice(pos), suffixes);
            ReadOnlySpan<byte> suffixBytes = data.Slice(pos);

            long total = 0;
            long suffixTotal = 0;
            long previous = 0;
            for (int i = 0; i < count; i++)
            {
                int prefix = prefixes[i];
                int suffix = suffixes[i];
                if (prefix < 0 || prefix > previous)
                {
                    EncodingErrors.Throw($"{Name}: value {i} has prefix length {prefix} but the previous value is {previous} bytes long");
                }

                if (suffix < 0)
                {
                    EncodingErrors.Throw($"{Name}: value {i} has negative suffix length {suffix}");
                }

                long length = (long)prefix + suffix;
                if (length > Array.MaxLength)
                {
                    EncodingErrors.Throw($"{Name}: value {i} would be {length} bytes long");
                }

                DeltaLengthByteArray.CheckWidth(Name, i, (int)length, fixedWidth);
                total += length;
                suffixTotal += suffix;
                previous = length;
            }

            if (suffixTotal > suffixBytes.Length)
            {
                EncodingErrors.TooShort(Name, $"suffix bytes of {count} values", suffixTotal, suffixBytes.Length);
            }

            // Sized up front, so the prefix copies below read a buffer that no longer moves.
            output.Reserve(count, total);
            int at = 0;
            int previousStart = 0;
            for (int i = 0; i < count; i++)
            {
                int prefix = prefixes[i];
                int suffix = suffixes[i];
                int start = output.DataLength;
                Span<byte> value = output.AppendUninitialized(prefix + suffix);
                output.DataBuffer.AsSpan(previousStart, prefix).CopyTo(value);
                suffixBytes.Slice(at, suffix).CopyTo(value.Slice(prefix));
                at += suffix;
                previousStart = start;
            }

            return pos + at;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rentedPrefixes);
            ArrayPool<int>.Shared.Return(rentedSuffixes);
        }
    }

    public static void Encode(ByteArraySpan values, IBufferWriter<byte> output, int fixedWidth = -1)
    {
        values.Validate(Name);
        int count = values.Count;
        int[] rentedPrefixes = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
        int[] rentedSuffixes = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
        try
        {
            Span<int> prefixes = rentedPrefixes.AsSpan(0, count);
            Span<int> suffixes = rentedSuffixes.AsSpan(0, count);
            ReadOnlySpan<byte> previous = default;
            for (int i = 0; i < count; i++)
            {
                ReadOnlySpan<byte> value = values[i];
                DeltaLengthByteArray.CheckWidth(Name, i, value.Length, fixedWidth);
                int prefix = value.CommonPrefixLength(previous);
                prefixes[i] = prefix;
                suffixes[i] = value.Length - prefix;
                previous = value;
            }

            DeltaBinaryPacked.EncodeInt32(prefixes, output);
            DeltaBinaryPacked.EncodeInt32(suffixes, output);
            for (int i = 0; i < count; i++)
            {
                output.Write(values[i].Slice(prefixes[i]));
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rentedPrefixes);
            ArrayPool<int>.Shared.Return(rentedSuffixes);
        }
    }
}
