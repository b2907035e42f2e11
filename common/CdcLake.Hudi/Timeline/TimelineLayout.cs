namespace CdcLake.Hudi;

/// <summary>
/// Where a table's instant files live and how they are named: table version 6 (layout 1) keeps them
/// directly in <c>.hoodie/</c>; version 8+ (layout 2) in <c>.hoodie/timeline/</c>, completed ones named
/// <c>&lt;requested&gt;_&lt;completed&gt;.&lt;action&gt;</c> and holding Avro instead of JSON.
/// </summary>
public sealed record TimelineLayout(int TableVersion, int LayoutVersion, string TimelineFolder)
{
    /// <summary>The layout this library writes: table version 6, timeline layout 1, instants in <c>.hoodie/</c>.</summary>
    public static TimelineLayout V6 { get; } = new(6, 1, "");

    /// <summary>Table version 8: timeline layout 2 in <c>.hoodie/timeline/</c>.</summary>
    public static TimelineLayout V8 { get; } = new(8, 2, "timeline");

    public bool CompletedNamesCarryCompletionTime => LayoutVersion >= 2;

    /// <summary>Whether the instant files hold JSON (layout 1) rather than Avro (layout 2).</summary>
    public bool InstantContentIsJson => LayoutVersion < 2;

    /// <summary>The timeline folder relative to the table root, with a trailing slash.</summary>
    public string TimelinePathFromTableRoot => TimelineFolder.Length == 0 ? ".hoodie/" : $".hoodie/{TimelineFolder}/";

    /// <summary>The layout of a table from its hoodie.properties values.</summary>
    /// <exception cref="UnsupportedTableVersionException">A layout other than 1 or 2, or a version this layout does not fit.</exception>
    public static TimelineLayout For(int tableVersion, int layoutVersion, string timelineFolder = "timeline") => layoutVersion switch
    {
        1 when tableVersion < 8 => new TimelineLayout(tableVersion, 1, ""),
        2 when tableVersion >= 8 => new TimelineLayout(tableVersion, 2, timelineFolder),
        1 or 2 => throw new UnsupportedTableVersionException(tableVersion, $"timeline layout version {layoutVersion} does not fit table version {tableVersion}"),
        _ => throw new UnsupportedTableVersionException(tableVersion, $"timeline layout version {layoutVersion} is unknown"),
    };

    /// <summary>
    /// Detects the layout from the paths under <c>.hoodie/</c> (relative, '/'-separated, e.g.
    /// <c>20240418173213674.commit</c> or <c>timeline/20250713010535797_20250713010536200.commit</c>),
    /// for when hoodie.properties cannot be read: instants under <c>timeline/</c> mean version 8+.
    /// </summary>
    public static TimelineLayout Detect(IEnumerable<string> pathsUnderMetaFolder)
    {
        ArgumentNullException.ThrowIfNull(pathsUnderMetaFolder);
        foreach (var raw in pathsUnderMetaFolder)
        {
            var path = raw.Replace('\\', '/').TrimStart('/');
            var slash = path.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && path[..slash] == "timeline" && HoodieInstant.TryParseFileName(path[(slash + 1)..], out _))
            {
                return V8;
            }
        }

        return V6;
    }
}
