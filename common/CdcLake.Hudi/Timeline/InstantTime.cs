using System.Globalization;

namespace CdcLake.Hudi;

/// <summary>
/// Instant times: <c>yyyyMMddHHmmssSSS</c> (17 digits), compared as strings. Older tables have 14-digit
/// (second) instants and the metadata table appends a 3-digit suffix; both parse, as in Hudi.
/// </summary>
public static class InstantTime
{
    public const int Length = 17;

    private const string Format17 = "yyyyMMddHHmmssfff";
    private const int SecondsLength = 14;

    /// <summary>The 17-digit instant of <paramref name="time"/> as it reads on the clock (its Kind is not converted).</summary>
    public static string Format(DateTime time) => time.ToString(Format17, CultureInfo.InvariantCulture);

    /// <summary>
    /// The wall-clock time an instant names (in the writer's time zone, hoodie.table.timeline.timezone).
    /// A 14-digit instant reads as second .999 and digits past the 17th are ignored, as Hudi does.
    /// </summary>
    /// <exception cref="FormatException">Not an instant time.</exception>
    public static DateTime Parse(string instantTime)
    {
        if (!TryParse(instantTime, out var time))
        {
            throw new FormatException($"'{instantTime}' is not a Hudi instant time (yyyyMMddHHmmssSSS)");
        }

        return time;
    }

    public static bool TryParse(string? instantTime, out DateTime time)
    {
        time = default;
        if (instantTime is null || instantTime.Length is not (SecondsLength or >= Length) || !instantTime.All(char.IsAsciiDigit))
        {
            return false;
        }

        var text = instantTime.Length == SecondsLength ? instantTime + "999" : instantTime[..Length];
        return DateTime.TryParseExact(text, Format17, CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }

    /// <summary>Whether <paramref name="text"/> is an instant time Hudi accepts (see <see cref="Parse"/>).</summary>
    public static bool IsValid(string? text) => TryParse(text, out _);

    /// <summary>Ordinal comparison, which is time order for instants of equal length.</summary>
    public static int Compare(string a, string b) => string.CompareOrdinal(a, b);
}

/// <summary>
/// Hands out instant times that strictly increase: each is max(now, previous + 1 ms), so two commits in the
/// same millisecond, a clock that steps back, or another writer's later instant (see <see cref="Observe"/>)
/// never produce a repeated or earlier instant. Thread-safe.
/// </summary>
public sealed class InstantTimeGenerator
{
    private readonly object _gate = new();
    private readonly TimeProvider _clock;
    private readonly TimeZoneInfo _zone;
    private DateTime? _last;

    /// <param name="clock">The clock; the system clock by default.</param>
    /// <param name="timeZone">
    /// Zone of the instants' wall-clock time. UTC by default; Hudi uses the writer JVM's zone unless
    /// hoodie.table.timeline.timezone=UTC, and EMR's machines run in UTC.
    /// </param>
    public InstantTimeGenerator(TimeProvider? clock = null, TimeZoneInfo? timeZone = null)
    {
        _clock = clock ?? TimeProvider.System;
        _zone = timeZone ?? TimeZoneInfo.Utc;
    }

    /// <summary>The last instant handed out or observed, or null.</summary>
    public string? Last
    {
        get
        {
            lock (_gate)
            {
                return _last is { } last ? InstantTime.Format(last) : null;
            }
        }
    }

    public string Next()
    {
        var now = TimeZoneInfo.ConvertTime(_clock.GetUtcNow(), _zone).DateTime;
        now = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Unspecified);
        lock (_gate)
        {
            var next = _last is { } last && now <= last ? last.AddMilliseconds(1) : now;
            _last = next;
            return InstantTime.Format(next);
        }
    }

    /// <summary>Makes later instants come after <paramref name="instantTime"/> (e.g. the newest instant on the timeline).</summary>
    public void Observe(string instantTime)
    {
        var time = InstantTime.Parse(instantTime);
        lock (_gate)
        {
            if (_last is null || time > _last)
            {
                _last = time;
            }
        }
    }
}
