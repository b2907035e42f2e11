using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CdcLake.Parquet.Internal.Writing;

/// <summary>
/// Min/max of a column chunk in the order the format's TYPE_ORDER prescribes for the column:
/// <list type="bullet">
/// <item>INT32/INT64 signed, or unsigned under an unsigned INTEGER annotation;</item>
/// <item>FLOAT/DOUBLE (and FLOAT16) by value, NaN ignored (all NaN: no bounds), a zero minimum written as -0.0
/// and a zero maximum as +0.0 so that readers cannot prune a chunk holding the other zero;</item>
/// <item>BYTE_ARRAY/FIXED_LEN_BYTE_ARRAY unsigned lexicographic, except DECIMAL which is signed numeric;</item>
/// <item>BOOLEAN false &lt; true; INT96 and INTERVAL have no defined order and get no bounds.</item>
/// </list>
/// Bounds are PLAIN-encoded without a length prefix.
/// </summary>
internal static class StatisticsBuilder
{
    /// <summary>Bounds longer than this are left out, as parquet-cpp does, rather than bloating the footer.</summary>
    public const int MaxBoundBytes = 4096;

    /// <summary>Whether the deprecated min/max (fields 1 and 2, signed comparison) may also be written.</summary>
    public static bool LegacyOrderIsSound(PrimitiveField field) =>
        field.PhysicalType is PhysicalType.Boolean or PhysicalType.Int32 or PhysicalType.Int64 or PhysicalType.Float or PhysicalType.Double
        && field.LogicalType is not { Kind: LogicalKind.Integer, IsSigned: false };

    public static FixedStats<T> ForFixed<T>(PrimitiveField field)
        where T : unmanaged
    {
        var unsigned = field.LogicalType is { Kind: LogicalKind.Integer, IsSigned: false };
        object stats = field.PhysicalType switch
        {
            PhysicalType.Int32 when unsigned => new IntegerStats<int, uint>(),
            PhysicalType.Int32 => new IntegerStats<int, int>(),
            PhysicalType.Int64 when unsigned => new IntegerStats<long, ulong>(),
            PhysicalType.Int64 => new IntegerStats<long, long>(),
            PhysicalType.Float => new FloatingStats<float>(),
            PhysicalType.Double => new FloatingStats<double>(),
            _ => new NoFixedStats<T>(),
        };
        return (FixedStats<T>)stats;
    }

    public static BinaryStats ForBinary(PrimitiveField field) => field.LogicalType?.Kind switch
    {
        LogicalKind.Decimal => new BinaryStats(BinaryOrder.SignedDecimal),
        LogicalKind.Float16 => new BinaryStats(BinaryOrder.Float16),
        LogicalKind.Interval => new BinaryStats(BinaryOrder.None),
        _ => new BinaryStats(BinaryOrder.Unsigned),
    };
}

/// <summary>Bounds of fixed-width values (INT32, INT64, FLOAT, DOUBLE; INT96 has none).</summary>
internal abstract class FixedStats<T>
    where T : unmanaged
{
    public abstract void Update(ReadOnlySpan<T> values);

    /// <summary>The PLAIN bytes of the bounds, or nulls when there are none.</summary>
    public abstract (byte[]? Min, byte[]? Max) Bounds();

    public abstract void Reset();

    protected static byte[] Bytes<TValue>(TValue value)
        where TValue : unmanaged
    {
        var bytes = new byte[Unsafe.SizeOf<TValue>()];
        MemoryMarshal.Write(bytes, in value);
        if (!BitConverter.IsLittleEndian)
        {
            bytes.AsSpan().Reverse();
        }

        return bytes;
    }
}

internal sealed class NoFixedStats<T> : FixedStats<T>
    where T : unmanaged
{
    public override void Update(ReadOnlySpan<T> values)
    {
    }

    public override (byte[]? Min, byte[]? Max) Bounds() => (null, null);

    public override void Reset()
    {
    }
}

/// <summary>Integers stored as <typeparamref name="TStore"/> and ordered as <typeparamref name="TOrder"/> (same width).</summary>
internal sealed class IntegerStats<TStore, TOrder> : FixedStats<TStore>
    where TStore : unmanaged
    where TOrder : unmanaged, IBinaryInteger<TOrder>, IMinMaxValue<TOrder>
{
    private TOrder _min = TOrder.MaxValue;
    private TOrder _max = TOrder.MinValue;
    private bool _any;

    public override void Update(ReadOnlySpan<TStore> values)
    {
        if (values.IsEmpty)
        {
            return;
        }

        var span = MemoryMarshal.Cast<TStore, TOrder>(values);
        var min = _min;
        var max = _max;
        var i = 0;
        if (Vector.IsHardwareAccelerated && span.Length >= Vector<TOrder>.Count * 2)
        {
            var vmin = new Vector<TOrder>(min);
            var vmax = new Vector<TOrder>(max);
            var step = Vector<TOrder>.Count;
            for (; i <= span.Length - step; i += step)
            {
                var v = new Vector<TOrder>(span.Slice(i, step));
                vmin = Vector.Min(vmin, v);
                vmax = Vector.Max(vmax, v);
            }

            for (var k = 0; k < step; k++)
            {
                if (vmin[k] < min)
                {
                    min = vmin[k];
                }

                if (vmax[k] > max)
                {
                    max = vmax[k];
                }
            }
        }

        for (; i < span.Length; i++)
        {
            var v = span[i];
            if (v < min)
            {
                min = v;
            }

            if (v > max)
            {
                max = v;
            }
        }

        _min = min;
        _max = max;
        _any = true;
    }

    public override (byte[]? Min, byte[]? Max) Bounds() => _any ? (Bytes(_min), Bytes(_max)) : (null, null);

    public override void Reset()
    {
        _min = TOrder.MaxValue;
        _max = TOrder.MinValue;
        _any = false;
    }
}

internal sealed class FloatingStats<T> : FixedStats<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private T _min = T.PositiveInfinity;
    private T _max = T.NegativeInfinity;
    private bool _any;

    public override void Update(ReadOnlySpan<T> values)
    {
        var min = _min;
        var max = _max;
        var any = _any;
        foreach (var v in values)
        {
            if (T.IsNaN(v))
            {
                continue;
            }

            any = true;
            if (v < min)
            {
                min = v;
            }

            if (v > max)
            {
                max = v;
            }
        }

        _min = min;
        _max = max;
        _any = any;
    }

    public override (byte[]? Min, byte[]? Max) Bounds()
    {
        if (!_any)
        {
            return (null, null);
        }

        // -0.0 and +0.0 compare equal, so whichever came first was kept; widen to cover both.
        var min = T.IsZero(_min) ? T.NegativeZero : _min;
        var max = T.IsZero(_max) ? T.Zero : _max;
        return (Bytes(min), Bytes(max));
    }

    public override void Reset()
    {
        _min = T.PositiveInfinity;
        _max = T.NegativeInfinity;
        _any = false;
    }
}

internal enum BinaryOrder
{
    /// <summary>No defined order (INTERVAL): no bounds.</summary>
    None,

    /// <summary>Unsigned byte-wise lexicographic: strings, binary, UUID, FIXED_LEN_BYTE_ARRAY.</summary>
    Unsigned,

    /// <summary>Big-endian two's-complement integers of any length: DECIMAL on (FIXED_LEN_)BYTE_ARRAY.</summary>
    SignedDecimal,

    /// <summary>IEEE half floats, little-endian, by value.</summary>
    Float16,
}

/// <summary>Bounds of byte-string values; the current bounds are kept in reused buffers.</summary>
internal sealed class BinaryStats
{
    private byte[] _min = new byte[16];
    private byte[] _max = new byte[16];
    private int _minLength;
    private int _maxLength;
    private bool _any;

    // The bounds' first 8 bytes, big-endian, zero-padded (unsigned order only): a value whose first 8 bytes lie
    // strictly between them is neither a new minimum nor a new maximum, which spares two byte-wise compares for
    // most values of a key or e-mail column.
    private ulong _minPrefix;
    private ulong _maxPrefix;

    public BinaryStats(BinaryOrder order)
    {
        Order = order;
    }

    public BinaryOrder Order { get; }

    public bool IsTracking => Order != BinaryOrder.None;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ReadOnlySpan<byte> value)
    {
        if (Order == BinaryOrder.None)
        {
            return;
        }

        if (!_any)
        {
            First(value);
            return;
        }

        if (Order == BinaryOrder.Unsigned && value.Length >= 8)
        {
            var prefix = BinaryPrimitives.ReadUInt64BigEndian(value);
            if (prefix > _minPrefix && prefix < _maxPrefix)
            {
                return;
            }
        }

        if (Compare(value, _min.AsSpan(0, _minLength)) < 0)
        {
            Set(ref _min, ref _minLength, value);
            _minPrefix = Prefix(value);
        }
        else if (Compare(value, _max.AsSpan(0, _maxLength)) > 0)
        {
            Set(ref _max, ref _maxLength, value);
            _maxPrefix = Prefix(value);
        }
    }

    public (byte[]? Min, byte[]? Max) Bounds()
    {
        if (!_any)
        {
            return (null, null);
        }

        var min = _min.AsSpan(0, _minLength).ToArray();
        var max = _max.AsSpan(0, _maxLength).ToArray();
        if (Order == BinaryOrder.Float16 && min.Length == 2 && max.Length == 2)
        {
            if ((float)BinaryPrimitives.ReadHalfLittleEndian(min) == 0f)
            {
                BinaryPrimitives.WriteHalfLittleEndian(min, Half.NegativeZero);
            }

            if ((float)BinaryPrimitives.ReadHalfLittleEndian(max) == 0f)
            {
                BinaryPrimitives.WriteHalfLittleEndian(max, (Half)0f);
            }
        }

        return (min, max);
    }

    public void Reset()
    {
        _any = false;
        _minLength = 0;
        _maxLength = 0;
    }

    /// <summary>Signed comparison of big-endian two's-complement integers of possibly different lengths.</summary>
    public static int CompareSignedBigEndian(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        // FIXED_LEN_BYTE_ARRAY decimals all have one width: a signed first byte, then unsigned bytes in order.
        if (a.Length == b.Length && !a.IsEmpty)
        {
            if (a.Length == 8)
            {
                return BinaryPrimitives.ReadInt64BigEndian(a).CompareTo(BinaryPrimitives.ReadInt64BigEndian(b));
            }

            return a[0] != b[0] ? ((sbyte)a[0]).CompareTo((sbyte)b[0]) : a[1..].SequenceCompareTo(b[1..]);
        }

        var negativeA = !a.IsEmpty && a[0] >= 0x80;
        var negativeB = !b.IsEmpty && b[0] >= 0x80;
        if (negativeA != negativeB)
        {
            return negativeA ? -1 : 1;
        }

        // Same sign: compare the sign-extended forms byte by byte, which orders them numerically.
        var pad = negativeA ? (byte)0xFF : (byte)0;
        var length = Math.Max(a.Length, b.Length);
        for (var i = 0; i < length; i++)
        {
            var x = i < length - a.Length ? pad : a[i - (length - a.Length)];
            var y = i < length - b.Length ? pad : b[i - (length - b.Length)];
            if (x != y)
            {
                return x < y ? -1 : 1;
            }
        }

        return 0;
    }

    private void First(ReadOnlySpan<byte> value)
    {
        if (Order == BinaryOrder.Float16 && (value.Length != 2 || Half.IsNaN(BinaryPrimitives.ReadHalfLittleEndian(value))))
        {
            return;
        }

        Set(ref _min, ref _minLength, value);
        Set(ref _max, ref _maxLength, value);
        _minPrefix = _maxPrefix = Prefix(value);
        _any = true;
    }

    /// <summary>The first 8 bytes of <paramref name="value"/> as a big-endian number, zeros past its end.</summary>
    private static ulong Prefix(ReadOnlySpan<byte> value)
    {
        if (value.Length >= 8)
        {
            return BinaryPrimitives.ReadUInt64BigEndian(value);
        }

        Span<byte> padded = stackalloc byte[8];
        padded.Clear();
        value.CopyTo(padded);
        return BinaryPrimitives.ReadUInt64BigEndian(padded);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => Order switch
    {
        BinaryOrder.Unsigned => a.SequenceCompareTo(b),
        BinaryOrder.SignedDecimal => CompareSignedBigEndian(a, b),
        _ => CompareHalf(a, b),
    };

    private static int CompareHalf(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var x = BinaryPrimitives.ReadHalfLittleEndian(a);
        if (Half.IsNaN(x))
        {
            // A NaN is neither below the minimum nor above the maximum: it never becomes a bound.
            return 0;
        }

        return x.CompareTo(BinaryPrimitives.ReadHalfLittleEndian(b));
    }

    private static void Set(ref byte[] buffer, ref int length, ReadOnlySpan<byte> value)
    {
        if (buffer.Length < value.Length)
        {
            buffer = new byte[Math.Max(value.Length, buffer.Length * 2)];
        }

        value.CopyTo(buffer);
        length = value.Length;
    }
}

/// <summary>Bounds of booleans: false &lt; true.</summary>
internal sealed class BooleanStats
{
    private bool _sawFalse;
    private bool _sawTrue;

    public void Update(ReadOnlySpan<bool> values)
    {
        if (_sawFalse && _sawTrue)
        {
            return;
        }

        var bytes = MemoryMarshal.AsBytes(values);
        if (!_sawTrue && bytes.IndexOfAnyExcept((byte)0) >= 0)
        {
            _sawTrue = true;
        }

        if (!_sawFalse && bytes.Contains((byte)0))
        {
            _sawFalse = true;
        }
    }

    public (byte[]? Min, byte[]? Max) Bounds() => (_sawFalse, _sawTrue) switch
    {
        (false, false) => (null, null),
        (true, false) => ([0], [0]),
        (false, true) => ([1], [1]),
        _ => ([0], [1]),
    };

    public void Reset()
    {
        _sawFalse = false;
        _sawTrue = false;
    }
}
