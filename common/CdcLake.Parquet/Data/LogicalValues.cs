using System.Buffers.Binary;

namespace CdcLake.Parquet;

/// <summary>
/// Turns stored values into .NET values of their logical type: integers of the annotated width and sign,
/// <see cref="ParquetDecimal"/>, <see cref="DateOnly"/>, <see cref="TimeOnly"/>, <see cref="DateTime"/>
/// (UTC kind for instants, unspecified for local timestamps; sub-100ns digits dropped), <see cref="Guid"/>,
/// <see cref="Half"/>, strings, and byte arrays for everything else.
/// </summary>
public static class LogicalValues
{
    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;
    private const int UnixEpochJulianDay = 2_440_588;
    private static readonly int UnixEpochDayNumber = DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    public static object ConvertPrimitive<T>(Field field, T raw)
        where T : unmanaged
    {
        var logical = (field as PrimitiveField)?.LogicalType;
        return raw switch
        {
            int i => ConvertInt32(logical, i),
            long l => ConvertInt64(logical, l),
            Int96 t => DateTime.SpecifyKind(FromInt96(t, field), DateTimeKind.Utc),
            _ => raw,
        };
    }

    public static object ConvertBinary(Field field, ReadOnlySpan<byte> bytes)
    {
        var logical = (field as PrimitiveField)?.LogicalType;
        return logical?.Kind switch
        {
            LogicalKind.String or LogicalKind.Enum or LogicalKind.Json => System.Text.Encoding.UTF8.GetString(bytes),
            LogicalKind.Uuid when bytes.Length == 16 => new Guid(bytes, bigEndian: true),
            LogicalKind.Decimal => ParquetDecimal.FromBigEndian(bytes, logical.Scale),
            LogicalKind.Float16 when bytes.Length == 2 => BinaryPrimitives.ReadHalfLittleEndian(bytes),
            _ => bytes.ToArray(),
        };
    }

    public static DateOnly DateFromDays(int daysSinceEpoch)
    {
        var dayNumber = (long)UnixEpochDayNumber + daysSinceEpoch;
        if (dayNumber < DateOnly.MinValue.DayNumber || dayNumber > DateOnly.MaxValue.DayNumber)
        {
            throw new ParquetException($"date {daysSinceEpoch} days from 1970-01-01 is outside the range .NET dates can hold (years 1-9999)");
        }

        return DateOnly.FromDayNumber((int)dayNumber);
    }

    public static int DaysFromDate(DateOnly date) => date.DayNumber - UnixEpochDayNumber;

    /// <summary>Converts a count of <paramref name="unit"/>s since the epoch to .NET ticks (100 ns), truncating toward minus infinity.</summary>
    public static long ToTicks(long value, TimeUnit unit)
    {
        try
        {
            return unit switch
            {
                TimeUnit.Millis => checked(value * 10_000),
                TimeUnit.Micros => checked(value * 10),
                _ => Math.DivRem(value, 100, out var rem) - (rem < 0 ? 1 : 0),
            };
        }
        catch (OverflowException)
        {
            throw new ParquetException($"time value {value} {unit.ToString().ToLowerInvariant()} is outside the range .NET dates can hold (years 1-9999)");
        }
    }

    private static object ConvertInt32(LogicalType? logical, int value) => logical?.Kind switch
    {
        LogicalKind.Integer => (logical.BitWidth, logical.IsSigned) switch
        {
            (8, true) => (sbyte)value,
            (8, false) => (byte)value,
            (16, true) => (short)value,
            (16, false) => (ushort)value,
            (32, false) => (uint)value,
            _ => value,
        },
        LogicalKind.Date => DateFromDays(value),
        LogicalKind.Time => TimeOfDay(value, logical.Unit),
        LogicalKind.Decimal => new ParquetDecimal(value, logical.Scale),
        _ => value,
    };

    private static object ConvertInt64(LogicalType? logical, long value) => logical?.Kind switch
    {
        LogicalKind.Integer when !logical.IsSigned => (ulong)value,
        LogicalKind.Time => TimeOfDay(value, logical.Unit),
        LogicalKind.Timestamp => DateTime.SpecifyKind(
            FromUnixTicks(ToTicks(value, logical.Unit), null),
            logical.IsAdjustedToUtc ? DateTimeKind.Utc : DateTimeKind.Unspecified),
        LogicalKind.Decimal => new ParquetDecimal(value, logical.Scale),
        _ => value,
    };

    private static TimeOnly TimeOfDay(long value, TimeUnit unit)
    {
        var ticks = ToTicks(value, unit);
        if (ticks < 0 || ticks >= TimeSpan.TicksPerDay)
        {
            throw new ParquetException($"time value {value} {unit.ToString().ToLowerInvariant()} is not a time of day (00:00 to 24:00)");
        }

        return new TimeOnly(ticks);
    }

    private static DateTime FromInt96(Int96 value, Field field)
    {
        // Int96.ToUnixMicros in 128 bits: a corrupt Julian day must be refused, not wrapped into a valid date.
        var micros = ((Int128)value.JulianDay - UnixEpochJulianDay) * 86_400_000_000L + value.NanosOfDay / 1000;
        var ticks = micros * 10;
        if (ticks < long.MinValue / 2 || ticks > long.MaxValue / 2)
        {
            throw new ParquetException($"field '{field.Name}': INT96 timestamp (Julian day {value.JulianDay}) is outside years 1-9999");
        }

        return FromUnixTicks((long)ticks, field);
    }

    private static DateTime FromUnixTicks(long ticks, Field? field)
    {
        var absolute = UnixEpochTicks + ticks;
        if (absolute < DateTime.MinValue.Ticks || absolute > DateTime.MaxValue.Ticks)
        {
            throw new ParquetException($"{(field is null ? "timestamp" : $"field '{field.Name}': timestamp")} is outside years 1-9999");
        }

        return new DateTime(absolute);
    }
}
