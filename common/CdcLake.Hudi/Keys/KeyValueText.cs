using System.Globalization;
using System.Numerics;
using CdcLake.Hudi.Internal;
using CdcLake.Parquet;

namespace CdcLake.Hudi;

/// <summary>
/// The text Hudi's Spark writer makes of a field value in a record key or partition path: Java's toString
/// of the Avro value after Hudi's logical-type conversion (HoodieAvroUtils.getNestedFieldValAsString).
/// Values are the .NET values CdcLake.Parquet reads (<see cref="LogicalValues"/>).
/// </summary>
public static class KeyValueText
{
    /// <summary>
    /// Integers in decimal; booleans <c>true</c>/<c>false</c>; floats and doubles as Java prints them
    /// (<c>1.0</c>, <c>1.0E10</c>); decimals as java.math.BigDecimal (<c>12345.67890</c>, <c>0E-10</c>) with the
    /// column's scale; dates ISO (<c>2023-04-01</c>); timestamps as epoch microseconds (Spark's
    /// timestamp-micros long, <c>1680368460000000</c>), or with <paramref name="consistentLogicalTimestamp"/>
    /// as java.sql.Timestamp text in UTC (<c>2023-04-01 17:01:00.0</c>); UUIDs lowercase. Null for null.
    /// </summary>
    /// <exception cref="HoodieKeyException">Binary, nested or otherwise unsupported values.</exception>
    public static string? Format(object? value, bool consistentLogicalTimestamp = false) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        sbyte or byte or short or ushort or int or uint or long or ulong or BigInteger =>
            ((IFormattable)value).ToString(null, CultureInfo.InvariantCulture),
        float f => JavaNumberText.Float(f),
        Half h => JavaNumberText.Float((float)h),
        double d => JavaNumberText.Double(d),
        decimal m => JavaNumberText.BigDecimal(m),
        ParquetDecimal pd => JavaNumberText.BigDecimal(pd.Unscaled, pd.Scale),
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime dt => Timestamp(dt.Kind == DateTimeKind.Local ? dt.ToUniversalTime() : dt, consistentLogicalTimestamp),
        DateTimeOffset dto => Timestamp(dto.UtcDateTime, consistentLogicalTimestamp),
        TimeOnly t => (t.Ticks / 10).ToString(CultureInfo.InvariantCulture),
        Guid g => g.ToString("D"),
        byte[] or ReadOnlyMemory<byte> or Memory<byte> => throw new HoodieKeyException(
            "a binary value cannot be part of a record key or partition path (Hudi would write a Java ByteBuffer description)"),
        _ => throw new HoodieKeyException(
            $"a {value.GetType().Name} value cannot be part of a record key or partition path; use a primitive field"),
    };

    /// <summary>Epoch microseconds of a UTC (or zone-less) time, as Spark's Avro timestamp-micros long.</summary>
    public static long ToEpochMicros(DateTime utc) => FloorDiv(utc.Ticks - DateTime.UnixEpoch.Ticks, 10);

    private static string Timestamp(DateTime utc, bool consistent)
    {
        var micros = FloorDiv(utc.Ticks - DateTime.UnixEpoch.Ticks, 10);
        if (!consistent)
        {
            return micros.ToString(CultureInfo.InvariantCulture);
        }

        // Hudi: new java.sql.Timestamp(micros / 1000), Java's truncating division, printed in the JVM's zone (UTC here).
        var millis = micros / 1000;
        var time = DateTime.UnixEpoch.AddTicks(FloorDiv(millis, 1000) * TimeSpan.TicksPerSecond);
        var nanos = (int)(millis - (FloorDiv(millis, 1000) * 1000)) * 1_000_000;
        var fraction = nanos == 0 ? "0" : nanos.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        return time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "." + fraction;
    }

    private static long FloorDiv(long a, long b) => (a / b) - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);
}
