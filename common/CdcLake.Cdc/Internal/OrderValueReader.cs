using CdcLake.Parquet;

namespace CdcLake.Cdc.Internal;

/// <summary>Reads an ordering value (<see cref="OrderValues"/>) from a column as the DMS file stores it, nanoseconds kept.</summary>
internal static class OrderValueReader
{
    private const int UnixEpochJulianDay = 2_440_588;

    /// <param name="empty">Null or an empty string: the value is 0.</param>
    public static bool TryRead(ColumnVector vector, int row, out UInt128 value, out bool empty, out string? error)
    {
        value = 0;
        error = null;
        empty = vector.IsNull(row);
        if (empty)
        {
            return true;
        }

        var logical = (vector.Field as PrimitiveField)?.LogicalType;
        switch (vector)
        {
            case BinaryVector text:
            {
                var bytes = text.GetSpan(row);
                empty = bytes.IsEmpty;
                if (bytes.Length > 64)
                {
                    error = "is longer than any change sequence or timestamp";
                    return false;
                }

                Span<char> chars = stackalloc char[64];
                var n = System.Text.Encoding.UTF8.GetChars(bytes, chars);
                if (!OrderValues.TryFromText(chars[..n], out value, out var reason))
                {
                    error = $"'{new string(chars[..n])}' {reason}";
                    return false;
                }

                return true;
            }

            case PrimitiveVector<long> longs when logical?.Kind == LogicalKind.Timestamp:
                return FromEpoch(longs.Values[row], logical.Unit, out value, out error);
            case PrimitiveVector<long> longs:
                value = OrderValues.FromInt64(longs.Values[row]);
                return true;
            case PrimitiveVector<int> ints when logical?.Kind == LogicalKind.Date:
                try
                {
                    value = OrderValues.FromDate(LogicalValues.DateFromDays(ints.Values[row]));
                    return true;
                }
                catch (ParquetException e)
                {
                    error = e.Reason;
                    return false;
                }

            case PrimitiveVector<int> ints:
                value = OrderValues.FromInt64(ints.Values[row]);
                return true;
            case PrimitiveVector<Int96> int96:
            {
                var t = int96.Values[row];
                var nanos = ((Int128)(t.JulianDay - UnixEpochJulianDay) * 86_400_000_000_000L) + t.NanosOfDay;
                if (nanos < long.MinValue || nanos > long.MaxValue)
                {
                    error = "is an INT96 timestamp outside years 1-9999";
                    return false;
                }

                return FromEpoch((long)nanos, TimeUnit.Nanos, out value, out error);
            }

            default:
                error = $"of type {vector.Field.TypeName} cannot order changes";
                return false;
        }
    }

    private static bool FromEpoch(long count, TimeUnit unit, out UInt128 value, out string? error)
    {
        value = 0;
        error = null;
        Int128 nanos = unit switch
        {
            TimeUnit.Millis => (Int128)count * 1_000_000,
            TimeUnit.Micros => (Int128)count * 1_000,
            _ => count,
        };
        var ticks = Int128.DivRem(nanos, 100);
        var whole = ticks.Quotient;
        var extra = (int)ticks.Remainder;
        if (extra < 0)
        {
            extra += 100;
            whole--;
        }

        var absolute = whole + DateTime.UnixEpoch.Ticks;
        if (absolute < DateTime.MinValue.Ticks || absolute > DateTime.MaxValue.Ticks)
        {
            error = "is a timestamp outside years 1-9999";
            return false;
        }

        value = OrderValues.FromTimestamp(new DateTime((long)absolute, DateTimeKind.Utc), extra);
        return true;
    }
}
