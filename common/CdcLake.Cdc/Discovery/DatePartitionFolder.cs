namespace CdcLake.Cdc;

/// <summary>DMS's <c>DatePartitionSequence</c>: the order of the date parts in a CDC folder.</summary>
public enum DatePartitionSequence
{
    YYYYMMDD,
    YYYYMMDDHH,
    YYYYMM,
    MMYYYYDD,
    DDMMYYYY,
}

/// <summary>DMS's <c>DatePartitionDelimiter</c>: what separates the date parts.</summary>
public enum DatePartitionDelimiter
{
    Slash,
    Underscore,
    Dash,
    None,
}

/// <summary>
/// The date folders DMS puts CDC files in with <c>DatePartitionEnabled</c>: every sequence and delimiter.
/// Only diagnostics use them: files are ordered by the time in their names, since MMYYYYDD and DDMMYYYY
/// folders do not sort by date and <c>DatePartitionTimezone</c> may shift the folder's day.
/// </summary>
public static class DatePartitionFolder
{
    private static readonly (DatePartitionSequence Sequence, int[] Widths, char[] Parts)[] s_layouts =
    [
        (DatePartitionSequence.YYYYMMDD, [4, 2, 2], ['y', 'M', 'd']),
        (DatePartitionSequence.YYYYMMDDHH, [4, 2, 2, 2], ['y', 'M', 'd', 'H']),
        (DatePartitionSequence.YYYYMM, [4, 2], ['y', 'M']),
        (DatePartitionSequence.MMYYYYDD, [2, 4, 2], ['M', 'y', 'd']),
        (DatePartitionSequence.DDMMYYYY, [2, 2, 4], ['d', 'M', 'y']),
    ];

    /// <summary>The folder (relative to the table folder) DMS writes a file committed at <paramref name="time"/> into.</summary>
    public static string Format(DateTime time, DatePartitionSequence sequence, DatePartitionDelimiter delimiter)
    {
        var layout = s_layouts.Single(l => l.Sequence == sequence);
        var parts = layout.Parts.Select(p => p switch
        {
            'y' => time.Year.ToString("D4", System.Globalization.CultureInfo.InvariantCulture),
            'M' => time.Month.ToString("D2", System.Globalization.CultureInfo.InvariantCulture),
            'd' => time.Day.ToString("D2", System.Globalization.CultureInfo.InvariantCulture),
            _ => time.Hour.ToString("D2", System.Globalization.CultureInfo.InvariantCulture),
        });
        var separator = delimiter switch
        {
            DatePartitionDelimiter.Slash => "/",
            DatePartitionDelimiter.Underscore => "_",
            DatePartitionDelimiter.Dash => "-",
            _ => "",
        };
        return string.Join(separator, parts);
    }

    /// <summary>
    /// The periods (start inclusive, end exclusive) <paramref name="folder"/> can stand for under any sequence and
    /// delimiter; empty when it is not a date folder. Folders without delimiters can be ambiguous (<c>01022024</c>).
    /// </summary>
    public static IReadOnlyList<(DateTime Start, DateTime End)> Periods(string folder)
    {
        var result = new List<(DateTime, DateTime)>();
        if (string.IsNullOrEmpty(folder))
        {
            return result;
        }

        var delimiters = folder.Where(c => !char.IsAsciiDigit(c)).Distinct().ToArray();
        if (delimiters.Length > 1 || (delimiters.Length == 1 && delimiters[0] is not ('/' or '_' or '-')))
        {
            return result;
        }

        var pieces = delimiters.Length == 0 ? null : folder.Split(delimiters[0]);
        var digits = folder.Where(char.IsAsciiDigit).ToArray();
        foreach (var (_, widths, parts) in s_layouts)
        {
            if (digits.Length != widths.Sum())
            {
                continue;
            }

            if (pieces is not null && (pieces.Length != widths.Length || pieces.Select(p => p.Length).Where((w, i) => w != widths[i]).Any()))
            {
                continue;
            }

            int year = 0, month = 1, day = 1, hour = -1, at = 0;
            for (var i = 0; i < widths.Length; i++)
            {
                var value = int.Parse(new string(digits, at, widths[i]), System.Globalization.CultureInfo.InvariantCulture);
                at += widths[i];
                switch (parts[i])
                {
                    case 'y': year = value; break;
                    case 'M': month = value; break;
                    case 'd': day = value; break;
                    default: hour = value; break;
                }
            }

            if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23)
            {
                continue;
            }

            var start = new DateTime(year, month, day, Math.Max(hour, 0), 0, 0, DateTimeKind.Utc);
            var end = hour >= 0 ? start.AddHours(1) : parts.Contains('d') ? start.AddDays(1) : start.AddMonths(1);
            if (!result.Contains((start, end)))
            {
                result.Add((start, end));
            }
        }

        return result;
    }

    /// <summary>
    /// Whether a CDC file with time <paramref name="time"/> may sit in <paramref name="folder"/>: some reading of the
    /// folder covers the time, give or take a day for <c>DatePartitionTimezone</c>.
    /// </summary>
    public static bool Covers(string folder, DateTime time) =>
        Periods(folder).Any(p => time >= p.Start.AddDays(-1) && time < p.End.AddDays(1));
}
