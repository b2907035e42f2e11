using System.Diagnostics.CodeAnalysis;

namespace CdcLake.Cdc;

/// <summary>
/// Turns the value of an ordering column into the number <see cref="CdcOrder"/> compares and prints with 35
/// digits, so that every kind of ordering column sorts correctly as text (ORDERING.md, "ordering values"):
/// <list type="bullet">
/// <item>a change sequence (AR_H_CHANGE_SEQ: a string of digits) — the digits as a number;</item>
/// <item>a timestamp — <c>yyyyMMddHHmmss</c> × 10^9 + nanoseconds, from a timestamp or date column or from
///   DMS's timestamp text <c>yyyy-MM-dd HH:mm:ss[.fffffffff]</c>;</item>
/// <item>an integer (e.g. an LSN column) — the value + 2^63, so negatives sort first;</item>
/// <item>null or an empty string — 0, sorting before every value.</item>
/// </list>
/// </summary>
public static class OrderValues
{
    /// <summary>The largest value: 35 nines.</summary>
    public static readonly UInt128 Max = UInt128.Parse("99999999999999999999999999999999999", System.Globalization.CultureInfo.InvariantCulture);

    private const long NanosPerSecond = 1_000_000_000;

    /// <summary>A string ordering value: digits (a change sequence) or timestamp text; null/empty is 0.</summary>
    public static bool TryFromText(ReadOnlySpan<char> text, out UInt128 value, [NotNullWhen(false)] out string? error)
    {
        value = 0;
        error = null;
        if (text.IsEmpty)
        {
            return true;
        }

        if (char.IsAsciiDigit(text[0]) && text.Length >= 5 && text[4] == '-')
        {
            if (TryParseTimestampText(text, out var timestamp))
            {
                value = timestamp;
                return true;
            }

            error = "is not a timestamp of the form yyyy-MM-dd HH:mm:ss[.fffffffff]";
            return false;
        }

        if (text.Length > CdcOrder.ValueWidth)
        {
            error = $"has more than {CdcOrder.ValueWidth} digits";
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                error = "is neither a change sequence (digits only) nor a timestamp (yyyy-MM-dd HH:mm:ss[.ffffff])";
                return false;
            }

            value = (value * 10) + (uint)(c - '0');
        }

        return true;
    }

    /// <summary>A timestamp given as ticks (100 ns) since 0001-01-01 plus extra nanoseconds below a tick (0-99).</summary>
    public static UInt128 FromTimestamp(DateTime time, int extraNanos = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(extraNanos);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(extraNanos, 99);
        var seconds = (UInt128)(ulong)((time.Year * 10000L) + (time.Month * 100) + time.Day) * 1_000_000
            + (ulong)((time.Hour * 10000) + (time.Minute * 100) + time.Second);
        var nanos = (ulong)(time.Ticks % TimeSpan.TicksPerSecond * 100) + (ulong)extraNanos;
        return (seconds * NanosPerSecond) + nanos;
    }

    /// <summary>A date: its midnight as a timestamp.</summary>
    public static UInt128 FromDate(DateOnly date) => FromTimestamp(date.ToDateTime(TimeOnly.MinValue));

    /// <summary>An integer, offset by 2^63 so that the order of signed values is kept.</summary>
    public static UInt128 FromInt64(long value) => (ulong)value ^ 0x8000_0000_0000_0000ul;

    /// <summary>Parses DMS's timestamp text: <c>yyyy-MM-dd HH:mm:ss</c> (or <c>T</c> between date and time) with 0-9 fractional digits.</summary>
    public static bool TryParseTimestampText(ReadOnlySpan<char> text, out UInt128 value)
    {
        value = 0;
        if (text.Length < 19 || text[4] != '-' || text[7] != '-' || text[10] is not (' ' or 'T') || text[13] != ':' || text[16] != ':')
        {
            return false;
        }

        if (!Digits(text[..4], out var year) || !Digits(text[5..7], out var month) || !Digits(text[8..10], out var day)
            || !Digits(text[11..13], out var hour) || !Digits(text[14..16], out var minute) || !Digits(text[17..19], out var second))
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > (ulong)DateTime.DaysInMonth((int)year, (int)month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        ulong nanos = 0;
        if (text.Length > 19)
        {
            var fraction = text[20..];
            if (text[19] != '.' || fraction.IsEmpty || fraction.Length > 9 || !Digits(fraction, out var f))
            {
                return false;
            }

            nanos = f;
            for (var i = fraction.Length; i < 9; i++)
            {
                nanos *= 10;
            }
        }

        var seconds = (UInt128)((year * 10000) + (month * 100) + day) * 1_000_000 + (hour * 10000) + (minute * 100) + second;
        value = (seconds * NanosPerSecond) + nanos;
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> text, out ulong value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (ulong)(c - '0');
        }

        return true;
    }
}
