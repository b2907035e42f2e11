using System.Buffers;
using System.Buffers.Text;
using CdcLake.Parquet;

namespace CdcLake.Cli.Output;

/// <summary>
/// Dates, times and timestamps rendered as text by integer arithmetic on the proleptic Gregorian
/// calendar, so every stored value renders, including those outside <see cref="DateTime"/>'s years
/// 1-9999. Years 0000-9999 have four digits; other years use ISO 8601 expanded years with
/// astronomical numbering (1 BC is 0000, 2 BC is -0001): <c>-0043-03-15</c>, <c>+10000-01-01</c>.
/// This is also how DuckDB's oracle renders them. Sub-microsecond digits are truncated toward
/// minus infinity (the instant 1969-12-31T23:59:59.9999995 renders as <c>…59.999999</c>).
/// </summary>
public static class CivilTime
{
    public const long MicrosPerDay = 86_400_000_000L;

    /// <summary>The longest text <see cref="FormatTimestamp"/> produces (sign, 6-digit year, Z) fits.</summary>
    public const int MaxTimestampLength = 40;

    /// <summary>Floor division: the quotient rounded toward minus infinity, the remainder never negative.</summary>
    public static long FloorDivRem(long value, long divisor, out long remainder)
    {
        var quotient = Math.DivRem(value, divisor, out remainder);
        if (remainder < 0)
        {
            remainder += divisor;
            quotient--;
        }

        return quotient;
    }

    /// <summary>Year, month (1-12) and day (1-31) of a day count since 1970-01-01 (H. Hinnant's civil_from_days).</summary>
    public static (long Year, int Month, int Day) CivilFromDays(long days)
    {
        // Shift the epoch to 0000-03-01 so that leap days end each 400-year era.
        var z = days + 719_468;
        var era = FloorDivRem(z, 146_097, out var doe);
        var yoe = (doe - (doe / 1_460) + (doe / 36_524) - (doe / 146_096)) / 365;
        var doy = doe - ((365 * yoe) + (yoe / 4) - (yoe / 100));
        var mp = ((5 * doy) + 2) / 153;
        var day = (int)(doy - (((153 * mp) + 2) / 5) + 1);
        var month = (int)(mp < 10 ? mp + 3 : mp - 9);
        var year = yoe + (era * 400) + (month <= 2 ? 1 : 0);
        return (year, month, day);
    }

    /// <summary><c>YYYY-MM-DD</c> of a day count since 1970-01-01.</summary>
    public static int FormatDate(long daysSinceEpoch, Span<byte> destination)
    {
        var (year, month, day) = CivilFromDays(daysSinceEpoch);
        var n = FormatYear(year, destination);
        destination[n++] = (byte)'-';
        n += Two(month, destination[n..]);
        destination[n++] = (byte)'-';
        n += Two(day, destination[n..]);
        return n;
    }

    /// <summary>
    /// <c>YYYY-MM-DDTHH:mm:ss.ffffff</c>, followed by <c>Z</c> when <paramref name="adjustedToUtc"/>,
    /// of a count of <paramref name="unit"/>s since the epoch.
    /// </summary>
    public static int FormatTimestamp(long value, TimeUnit unit, bool adjustedToUtc, Span<byte> destination)
    {
        long days;
        long microsOfDay;
        switch (unit)
        {
            case TimeUnit.Millis:
                days = FloorDivRem(value, 86_400_000L, out var millis);
                microsOfDay = millis * 1_000;
                break;
            case TimeUnit.Micros:
                days = FloorDivRem(value, MicrosPerDay, out microsOfDay);
                break;
            default:
                days = FloorDivRem(value, MicrosPerDay * 1_000, out var nanos);
                microsOfDay = nanos / 1_000; // nanos >= 0, so this is the floor
                break;
        }

        return FormatTimestamp(days, microsOfDay, adjustedToUtc, destination);
    }

    /// <summary>A timestamp given as days since the epoch plus microseconds into that day (0 ≤ micros &lt; 1 day).</summary>
    public static int FormatTimestamp(long days, long microsOfDay, bool adjustedToUtc, Span<byte> destination)
    {
        var n = FormatDate(days, destination);
        destination[n++] = (byte)'T';
        n += FormatTimeOfDay(microsOfDay, destination[n..]);
        if (adjustedToUtc)
        {
            destination[n++] = (byte)'Z';
        }

        return n;
    }

    /// <summary>
    /// <c>HH:mm:ss.ffffff</c> of microseconds since midnight. A value of exactly one day renders as
    /// <c>24:00:00.000000</c>; values outside a day (corrupt or unusual data) still render, with more
    /// hour digits or a leading minus sign, never an exception.
    /// </summary>
    public static int FormatTimeOfDay(long micros, Span<byte> destination)
    {
        var n = 0;
        ulong magnitude;
        if (micros < 0)
        {
            destination[n++] = (byte)'-';
            magnitude = (ulong)(-(micros + 1)) + 1;
        }
        else
        {
            magnitude = (ulong)micros;
        }

        var fraction = magnitude % 1_000_000;
        var seconds = magnitude / 1_000_000;
        var hours = seconds / 3_600;
        if (hours < 10)
        {
            destination[n++] = (byte)'0';
        }

        Utf8Formatter.TryFormat(hours, destination[n..], out var written);
        n += written;
        destination[n++] = (byte)':';
        n += Two((int)(seconds / 60 % 60), destination[n..]);
        destination[n++] = (byte)':';
        n += Two((int)(seconds % 60), destination[n..]);
        destination[n++] = (byte)'.';
        Utf8Formatter.TryFormat(fraction, destination[n..], out written, new StandardFormat('D', 6));
        return n + written;
    }

    private static int FormatYear(long year, Span<byte> destination)
    {
        var n = 0;
        ulong magnitude;
        if (year < 0)
        {
            destination[n++] = (byte)'-';
            magnitude = (ulong)(-year);
        }
        else
        {
            if (year > 9_999)
            {
                destination[n++] = (byte)'+';
            }

            magnitude = (ulong)year;
        }

        Utf8Formatter.TryFormat(magnitude, destination[n..], out var written, new StandardFormat('D', 4));
        return n + written;
    }

    private static int Two(int value, Span<byte> destination)
    {
        destination[0] = (byte)('0' + (value / 10));
        destination[1] = (byte)('0' + (value % 10));
        return 2;
    }
}
