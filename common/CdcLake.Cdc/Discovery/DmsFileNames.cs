using System.Globalization;
using System.Text.RegularExpressions;

namespace CdcLake.Cdc;

/// <summary>
/// DMS's file names: full-load files <c>[SEGMENTn_]LOAD&lt;8 uppercase hex digits&gt;.parquet</c> and CDC files
/// <c>yyyyMMdd-HHmmss&lt;fraction&gt;.parquet</c> (DMS writes milliseconds, <c>20221023-013830913</c>; the
/// documentation also shows ten digits after the dash, so 0 to 9 fractional digits are read, to 100 ns).
/// </summary>
public static partial class DmsFileNames
{
    /// <summary>Reads a full-load file name; <paramref name="segment"/> is n of a <c>SEGMENTn_</c> prefix, or null.</summary>
    public static bool TryParseLoad(string name, out uint counter, out ulong? segment)
    {
        counter = 0;
        segment = null;
        var match = LoadPattern().Match(name);
        if (!match.Success)
        {
            return false;
        }

        if (match.Groups[1].Success)
        {
            if (!ulong.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            segment = n;
        }

        counter = uint.Parse(match.Groups[2].ValueSpan, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        return true;
    }

    /// <summary>Reads a CDC file name's UTC time (digits beyond 100 ns are dropped).</summary>
    public static bool TryParseCdc(string name, out DateTime time)
    {
        time = default;
        var match = CdcPattern().Match(name);
        if (!match.Success)
        {
            return false;
        }

        if (!DateTime.TryParseExact(
                match.Groups[1].Value + match.Groups[2].Value,
                "yyyyMMddHHmmss",
                CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal,
                out time))
        {
            return false;
        }

        var fraction = match.Groups[3].Value;
        if (fraction.Length > 0)
        {
            var ticksText = fraction.Length >= 7 ? fraction[..7] : fraction.PadRight(7, '0');
            time = time.AddTicks(long.Parse(ticksText, CultureInfo.InvariantCulture));
        }

        time = DateTime.SpecifyKind(time, DateTimeKind.Utc);
        return true;
    }

    /// <summary>The CDC file name DMS would write for <paramref name="time"/> (milliseconds, as DMS writes them).</summary>
    public static string CdcName(DateTime time) => time.ToString("yyyyMMdd-HHmmssfff", CultureInfo.InvariantCulture) + ".parquet";

    /// <summary>The full-load file name for <paramref name="counter"/> (1-based, hex).</summary>
    public static string LoadName(uint counter, ulong? segment = null) =>
        (segment is { } n ? $"SEGMENT{n.ToString(CultureInfo.InvariantCulture)}_" : "") + "LOAD" + counter.ToString("X8", CultureInfo.InvariantCulture) + ".parquet";

    [GeneratedRegex(@"^(?:SEGMENT([0-9]{1,18})_)?LOAD([0-9A-F]{8})\.parquet$", RegexOptions.CultureInvariant)]
    private static partial Regex LoadPattern();

    [GeneratedRegex(@"^([0-9]{8})-([0-9]{6})([0-9]{0,9})\.parquet$", RegexOptions.CultureInvariant)]
    private static partial Regex CdcPattern();
}
