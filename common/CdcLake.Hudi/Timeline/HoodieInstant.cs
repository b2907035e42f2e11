using System.Text.RegularExpressions;

namespace CdcLake.Hudi;

/// <summary>An instant's state; a completed instant outranks an inflight one, which outranks a requested one.</summary>
public enum InstantState
{
    Requested,
    Inflight,
    Completed,
}

/// <summary>The action names of instant files.</summary>
public static class HoodieActions
{
    public const string Commit = "commit";
    public const string DeltaCommit = "deltacommit";
    public const string ReplaceCommit = "replacecommit";
    public const string Clean = "clean";
    public const string Rollback = "rollback";
    public const string Savepoint = "savepoint";
    public const string Compaction = "compaction";
    public const string LogCompaction = "logcompaction";
    public const string Restore = "restore";
    public const string Indexing = "indexing";
    public const string SchemaCommit = "schemacommit";

    /// <summary>Table version 8+: a pending clustering, completed as a replacecommit.</summary>
    public const string Clustering = "clustering";

    /// <summary>The action a completed instant of <paramref name="action"/> is recorded under (compaction → commit, ...).</summary>
    public static string CompletedAction(string action) => action switch
    {
        Compaction => Commit,
        LogCompaction => DeltaCommit,
        Clustering => ReplaceCommit,
        _ => action,
    };

    /// <summary>Actions whose completed instants add data files.</summary>
    public static bool IsWriteAction(string action) => action is Commit or DeltaCommit or ReplaceCommit;
}

/// <summary>
/// One instant file of the timeline: time, action and state, plus the completion time that table
/// version 8+ puts in completed instants' names (<c>&lt;requested&gt;_&lt;completed&gt;.commit</c>).
/// </summary>
public sealed partial record HoodieInstant(string Time, string Action, InstantState State, string? CompletionTime = null)
{
    public bool IsCompleted => State == InstantState.Completed;

    public bool IsPending => State != InstantState.Completed;

    /// <summary>
    /// Parses a timeline file name of either layout: <c>&lt;t&gt;.commit</c>, <c>&lt;t&gt;.commit.requested</c>,
    /// <c>&lt;t&gt;.inflight</c> (a commit), <c>&lt;t&gt;.&lt;action&gt;[.requested|.inflight]</c>, and in layout 2
    /// <c>&lt;t&gt;_&lt;completed&gt;.&lt;action&gt;</c>. Other files of <c>.hoodie/</c> (hoodie.properties,
    /// folders, checksums) are not instants.
    /// </summary>
    public static bool TryParseFileName(string fileName, out HoodieInstant instant)
    {
        instant = null!;
        var match = FileNamePattern().Match(fileName);
        if (!match.Success)
        {
            return false;
        }

        var time = match.Groups["time"].Value;
        var completion = match.Groups["completed"].Success ? match.Groups["completed"].Value : null;
        var action = match.Groups["action"].Value;
        var suffix = match.Groups["state"].Success ? match.Groups["state"].Value : null;
        if (action == "inflight" && suffix is null)
        {
            // A commit's inflight file is "<t>.inflight": the one action without its name in the file.
            instant = new HoodieInstant(time, HoodieActions.Commit, InstantState.Inflight);
            return completion is null;
        }

        if (action is "requested" or "inflight")
        {
            return false;
        }

        var state = suffix switch
        {
            "requested" => InstantState.Requested,
            "inflight" => InstantState.Inflight,
            _ => InstantState.Completed,
        };
        if (completion is not null && state != InstantState.Completed)
        {
            return false;
        }

        instant = new HoodieInstant(time, action, state, completion);
        return true;
    }

    /// <summary>The file name of this instant in <paramref name="layout"/>.</summary>
    public string FileName(TimelineLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return State switch
        {
            InstantState.Requested => $"{Time}.{Action}.requested",
            InstantState.Inflight when Action == HoodieActions.Commit => $"{Time}.inflight",
            InstantState.Inflight => $"{Time}.{Action}.inflight",
            _ when layout.CompletedNamesCarryCompletionTime => CompletionTime is null
                ? throw new InvalidOperationException($"a completed instant of timeline layout {layout.LayoutVersion} needs its completion time: {this}")
                : $"{Time}_{CompletionTime}.{HoodieActions.CompletedAction(Action)}",
            _ => $"{Time}.{HoodieActions.CompletedAction(Action)}",
        };
    }

    public override string ToString() =>
        $"{Time}.{Action} {State.ToString().ToUpperInvariant()}{(CompletionTime is null ? "" : " completed " + CompletionTime)}";

    [GeneratedRegex(@"^(?<time>[0-9]{14,})(?:_(?<completed>[0-9]{14,}))?\.(?<action>[a-z]+)(?:\.(?<state>requested|inflight))?$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNamePattern();
}
