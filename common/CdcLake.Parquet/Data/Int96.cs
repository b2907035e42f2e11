using System.Runtime.InteropServices;

namespace CdcLake.Parquet;

/// <summary>
/// The deprecated 12-byte timestamp written by Impala, Hive and old Spark: nanoseconds within the day,
/// then the Julian day number. Kept as stored so a file can be rewritten unchanged.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public readonly record struct Int96(long NanosOfDay, int JulianDay)
{
    private const int UnixEpochJulianDay = 2_440_588;

    /// <summary>Microseconds since the Unix epoch (UTC), truncating nanoseconds.</summary>
    public long ToUnixMicros() =>
        ((long)(JulianDay - UnixEpochJulianDay) * 86_400_000_000L) + (NanosOfDay / 1000);

    public static Int96 FromUnixMicros(long micros)
    {
        var days = Math.DivRem(micros, 86_400_000_000L, out var rem);
        if (rem < 0)
        {
            rem += 86_400_000_000L;
            days--;
        }

        return new Int96(rem * 1000, checked((int)(days + UnixEpochJulianDay)));
    }
}
