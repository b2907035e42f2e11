namespace CdcLake.Hudi;

/// <summary>
/// The active timeline, built from the instant file names of a table's timeline folder. Each
/// (time, action) appears once, in its highest state (completed &gt; inflight &gt; requested): Hudi leaves
/// the requested and inflight files on disk after completion.
/// </summary>
public sealed class HoodieTimeline
{
    private readonly Dictionary<string, HoodieInstant> _completedByTime;

    private HoodieTimeline(TimelineLayout layout, IReadOnlyList<HoodieInstant> files, IReadOnlyList<HoodieInstant> instants)
    {
        Layout = layout;
        InstantFiles = files;
        Instants = instants;
        _completedByTime = new Dictionary<string, HoodieInstant>(StringComparer.Ordinal);
        foreach (var instant in instants.Where(i => i.IsCompleted))
        {
            _completedByTime.TryAdd(instant.Time, instant);
        }
    }

    public TimelineLayout Layout { get; }

    /// <summary>Every instant file, in name order.</summary>
    public IReadOnlyList<HoodieInstant> InstantFiles { get; }

    /// <summary>One instant per (time, action) in its highest state, in time order.</summary>
    public IReadOnlyList<HoodieInstant> Instants { get; }

    public IEnumerable<HoodieInstant> Completed => Instants.Where(i => i.IsCompleted);

    public IEnumerable<HoodieInstant> Pending => Instants.Where(i => i.IsPending);

    /// <summary>Completed commits, delta commits and replace commits: the instants that add files.</summary>
    public IEnumerable<HoodieInstant> CompletedWrites => Completed.Where(i => HoodieActions.IsWriteAction(i.Action));

    public HoodieInstant? LastCompletedWrite => CompletedWrites.LastOrDefault();

    /// <summary>The latest instant time of any action and state: a new instant must come after it.</summary>
    public string? LatestInstantTime => Instants.Count == 0 ? null : Instants.Select(i => i.Time).Max(StringComparer.Ordinal);

    /// <summary>Builds the timeline from file names (other names are skipped).</summary>
    public static HoodieTimeline FromFileNames(IEnumerable<string> fileNames, TimelineLayout? layout = null)
    {
        ArgumentNullException.ThrowIfNull(fileNames);
        var files = new List<HoodieInstant>();
        foreach (var name in fileNames)
        {
            if (HoodieInstant.TryParseFileName(name, out var instant))
            {
                files.Add(instant);
            }
        }

        files.Sort(CompareInstants);
        var instants = files
            .GroupBy(i => (i.Time, Action: HoodieActions.CompletedAction(i.Action)))
            .Select(g => g.MaxBy(i => i.State)! is var top && top.IsCompleted
                ? top with { Action = HoodieActions.CompletedAction(top.Action) }
                : top)
            .OrderBy(i => i, Comparer<HoodieInstant>.Create(CompareInstants))
            .ToList();
        var effectiveLayout = layout ?? (files.Any(f => f.CompletionTime is not null) ? TimelineLayout.V8 : TimelineLayout.V6);
        return new HoodieTimeline(effectiveLayout, files, instants);
    }

    /// <summary>The completed instant at <paramref name="instantTime"/>, or null.</summary>
    public HoodieInstant? FindCompleted(string instantTime) => _completedByTime.GetValueOrDefault(instantTime);

    public bool IsCompleted(string instantTime) => _completedByTime.ContainsKey(instantTime);

    private static int CompareInstants(HoodieInstant a, HoodieInstant b)
    {
        var byTime = string.CompareOrdinal(a.Time, b.Time);
        if (byTime != 0)
        {
            return byTime;
        }

        var byAction = string.CompareOrdinal(a.Action, b.Action);
        return byAction != 0 ? byAction : a.State.CompareTo(b.State);
    }
}
