using System.Globalization;
using System.Text;

namespace CdcLake.Cdc;

/// <summary>
/// A change's place in the total order of a table's changes, and its text, the <c>_cdc_order</c> column
/// (the table's precombine field). The text is fixed-width per table, so comparing two values as plain
/// (ordinal) strings gives the same answer as <see cref="CompareTo"/>; ORDERING.md gives the exact format:
/// <code>
/// LOAD  0|&lt;segment class 1&gt;&lt;segment 16 hex&gt;|&lt;counter 8 hex&gt;|&lt;row 10&gt;
/// CDC   1|&lt;ordering value 35&gt;|…|&lt;file time yyyyMMddHHmmssfffffff&gt;|&lt;path hash 8 hex&gt;|&lt;row 10&gt;
/// </code>
/// </summary>
/// <remarks>
/// Ordering values are held as numbers below 10^35 (<see cref="OrderValues"/>); a CDC order refers to them
/// through a slice of an array its batch shares, so an order costs no allocation of its own.
/// </remarks>
public readonly struct CdcOrder : IComparable<CdcOrder>, IEquatable<CdcOrder>
{
    /// <summary>The order column's name in the table.</summary>
    public const string ColumnName = "_cdc_order";

    /// <summary>Digits of one ordering value.</summary>
    public const int ValueWidth = 35;

    /// <summary>Digits of the row position.</summary>
    public const int RowWidth = 10;

    /// <summary>Rows a file may have for the row position to fit its digits.</summary>
    public const long MaxRow = 9_999_999_999;

    private const int FileTimeWidth = 21;

    private readonly ReadOnlyMemory<UInt128> _values;

    public CdcOrder(FileOrderKey file, long row, ReadOnlyMemory<UInt128> values = default)
    {
        if (row < 0 || row > MaxRow)
        {
            throw new ArgumentOutOfRangeException(nameof(row), row, $"a row position has at most {RowWidth} digits");
        }

        if (file.Phase == ChangePhase.Load && !values.IsEmpty)
        {
            throw new ArgumentException("LOAD rows carry no ordering values: they precede every CDC change whatever their columns say", nameof(values));
        }

        foreach (var value in values.Span)
        {
            if (value > OrderValues.Max)
            {
                throw new ArgumentOutOfRangeException(nameof(values), value, $"an ordering value has at most {ValueWidth} digits");
            }
        }

        File = file;
        Row = row;
        _values = values;
    }

    public ChangePhase Phase => File.Phase;

    public FileOrderKey File { get; }

    /// <summary>Position of the row in its file, counting from 0 across row groups.</summary>
    public long Row { get; }

    /// <summary>CDC: one value per ordering column of the table, in priority order (0 where a file lacks the column).</summary>
    public ReadOnlySpan<UInt128> Values => _values.Span;

    public int ValueCount => _values.Length;

    public static bool operator ==(CdcOrder left, CdcOrder right) => left.Equals(right);

    public static bool operator !=(CdcOrder left, CdcOrder right) => !left.Equals(right);

    public static bool operator <(CdcOrder left, CdcOrder right) => left.CompareTo(right) < 0;

    public static bool operator >(CdcOrder left, CdcOrder right) => left.CompareTo(right) > 0;

    public static bool operator <=(CdcOrder left, CdcOrder right) => left.CompareTo(right) <= 0;

    public static bool operator >=(CdcOrder left, CdcOrder right) => left.CompareTo(right) >= 0;

    /// <summary>
    /// The total order: phase; for CDC the ordering values, then the file, then the row; for LOAD the file, then
    /// the row. Orders with different numbers of ordering values (a table whose ordering columns changed) are
    /// compared by their text.
    /// </summary>
    public int CompareTo(CdcOrder other)
    {
        var c = Phase.CompareTo(other.Phase);
        if (c != 0)
        {
            return c;
        }

        if (Phase == ChangePhase.Cdc)
        {
            if (_values.Length != other._values.Length)
            {
                return string.CompareOrdinal(ToString(), other.ToString());
            }

            var mine = _values.Span;
            var theirs = other._values.Span;
            for (var i = 0; i < mine.Length; i++)
            {
                c = mine[i].CompareTo(theirs[i]);
                if (c != 0)
                {
                    return c;
                }
            }
        }

        c = File.CompareTo(other.File);
        return c != 0 ? c : Row.CompareTo(other.Row);
    }

    public bool Equals(CdcOrder other) => CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is CdcOrder other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(File);
        hash.Add(Row);
        foreach (var value in Values)
        {
            hash.Add(value);
        }

        return hash.ToHashCode();
    }

    /// <summary>The <c>_cdc_order</c> text.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Phase == ChangePhase.Load ? 39 : 45 + (_values.Length * (ValueWidth + 1)));
        if (Phase == ChangePhase.Load)
        {
            sb.Append("0|")
                .Append((char)('0' + File.SegmentClass))
                .Append(File.Segment.ToString("X16", CultureInfo.InvariantCulture))
                .Append('|')
                .Append(File.Counter.ToString("X8", CultureInfo.InvariantCulture));
        }
        else
        {
            sb.Append('1');
            foreach (var value in Values)
            {
                sb.Append('|').Append(value.ToString("D35", CultureInfo.InvariantCulture));
            }

            var time = File.Time;
            sb.Append('|')
                .Append(time.ToString("yyyyMMddHHmmssfffffff", CultureInfo.InvariantCulture))
                .Append('|')
                .Append(File.PathHash.ToString("X8", CultureInfo.InvariantCulture));
        }

        return sb.Append('|').Append(Row.ToString("D10", CultureInfo.InvariantCulture)).ToString();
    }

    /// <summary>Reads a <c>_cdc_order</c> text back (e.g. from a stored row), so stored and incoming orders compare as values.</summary>
    /// <exception cref="FormatException">The text is not a <c>_cdc_order</c> value.</exception>
    public static CdcOrder Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var order) ? order : throw new FormatException($"'{text}' is not a {ColumnName} value");
    }

    public static bool TryParse(string? text, out CdcOrder order)
    {
        order = default;
        if (text is null)
        {
            return false;
        }

        var parts = text.Split('|');
        if (parts.Length < 4 || !TryDigits(parts[^1], RowWidth, out var row))
        {
            return false;
        }

        if (parts[0] == "0" && parts.Length == 4)
        {
            var segment = parts[1];
            if (segment.Length != 17 || segment[0] is < '0' or > '2'
                || !IsUpperHex(segment.AsSpan(1)) || !IsUpperHex(parts[2]) || parts[2].Length != 8)
            {
                return false;
            }

            var file = FileOrderKey.Load(
                (byte)(segment[0] - '0'),
                ulong.Parse(segment.AsSpan(1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture),
                uint.Parse(parts[2], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
            order = new CdcOrder(file, (long)row);
            return true;
        }

        if (parts[0] != "1")
        {
            return false;
        }

        var values = new UInt128[parts.Length - 4];
        for (var i = 0; i < values.Length; i++)
        {
            if (!TryDigits(parts[i + 1], ValueWidth, out values[i]))
            {
                return false;
            }
        }

        var timeText = parts[^3];
        var hashText = parts[^2];
        if (timeText.Length != FileTimeWidth || hashText.Length != 8 || !IsUpperHex(hashText)
            || !DateTime.TryParseExact(timeText, "yyyyMMddHHmmssfffffff", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
        {
            return false;
        }

        var cdc = FileOrderKey.Cdc(time.Ticks, uint.Parse(hashText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
        order = new CdcOrder(cdc, (long)row, values);
        return true;
    }

    private static bool TryDigits(string text, int width, out UInt128 value)
    {
        value = 0;
        if (text.Length != width)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            value = (value * 10) + (uint)(c - '0');
        }

        return true;
    }

    private static bool IsUpperHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'A' and <= 'F')))
            {
                return false;
            }
        }

        return true;
    }
}
