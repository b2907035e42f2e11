using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CdcLake.Cdc;

/// <summary>
/// Which DMS files a table has merged, kept as a JSON string in the <c>extraMetadata</c> of the Hudi commit that
/// merged them (key <see cref="ExtraMetadataKey"/>), so data and checkpoint commit atomically. Its size stays
/// bounded however long the pipeline runs (CHECKPOINT.md):
/// <list type="bullet">
/// <item>CDC files: every file with time at or before <see cref="Floor"/> counts as merged; files after it are
///   merged exactly when <see cref="Recent"/> holds their identity. The floor trails the newest merged file time
///   (<see cref="Watermark"/>) by the late-file window, so a file landing late inside the window is still merged.</item>
/// <item>LOAD files: the identities of the current full load's files, and of files left from an earlier one, so a
///   LOAD file rewritten in place, or a new one after CDC was merged, is seen as a reload.</item>
/// </list>
/// Immutable: <see cref="Advance"/> returns the checkpoint to commit with the merged files.
/// </summary>
public sealed class CdcCheckpoint
{
    /// <summary>The commit <c>extraMetadata</c> key holding the checkpoint JSON.</summary>
    public const string ExtraMetadataKey = "cdclake.checkpoint";

    public const int CurrentVersion = 1;

    private const string TimeFormat = "yyyyMMddHHmmssfffffff";

    private readonly Dictionary<string, ulong> _load;
    private readonly HashSet<ulong> _staleLoad;
    private readonly List<RecentFile> _recent;
    private readonly HashSet<(long, ulong)> _recentSet;

    private CdcCheckpoint(DateTime? watermark, DateTime? floor, List<RecentFile> recent, Dictionary<string, ulong> load, HashSet<ulong> staleLoad, bool cdcSinceLoad, int reloads)
    {
        Watermark = watermark;
        Floor = floor;
        _recent = recent;
        _recentSet = [.. recent.Select(r => (r.TimeTicks, r.IdentityHash))];
        _load = load;
        _staleLoad = staleLoad;
        CdcSinceLoad = cdcSinceLoad;
        Reloads = reloads;
    }

    /// <summary>Nothing merged yet.</summary>
    public static CdcCheckpoint Empty { get; } = new(null, null, [], new(StringComparer.Ordinal), [], false, 0);

    /// <summary>The newest CDC file time merged; null before the first CDC file.</summary>
    public DateTime? Watermark { get; }

    /// <summary>Every CDC file with a time at or before this counts as merged; null: none does by time alone.</summary>
    public DateTime? Floor { get; }

    /// <summary>The merged CDC files after <see cref="Floor"/>: time and identity hash, oldest first.</summary>
    public IReadOnlyList<RecentFile> Recent => _recent;

    /// <summary>The current full load's merged files: path relative to the table folder → identity hash.</summary>
    public IReadOnlyDictionary<string, ulong> LoadFiles => _load;

    /// <summary>Identity hashes of LOAD files left from an earlier full load, still in the folder.</summary>
    public IReadOnlySet<ulong> StaleLoadFiles => _staleLoad;

    /// <summary>A CDC file was merged after the current full load began: a LOAD file appearing now is a reload.</summary>
    public bool CdcSinceLoad { get; }

    /// <summary>How many full reloads the table has been through.</summary>
    public int Reloads { get; }

    /// <summary>The checkpoint in a commit's extraMetadata, or <see cref="Empty"/> when it has none.</summary>
    /// <exception cref="FormatException">The value is not a checkpoint.</exception>
    public static CdcCheckpoint FromExtraMetadata(IReadOnlyDictionary<string, string>? extraMetadata) =>
        extraMetadata is not null && extraMetadata.TryGetValue(ExtraMetadataKey, out var json) ? Parse(json) : Empty;

    /// <summary>
    /// The files of <paramref name="listing"/> not merged yet. A LOAD file rewritten under a merged name (new
    /// size, time or ETag), or a new LOAD file once CDC has been merged, means DMS reloaded the table:
    /// <see cref="FileSelection.FullReload"/>, with the new full load as the LOAD files to merge.
    /// </summary>
    public FileSelection SelectNew(DmsListing listing)
    {
        ArgumentNullException.ThrowIfNull(listing);
        var fresh = new List<DmsFile>();
        var stale = new List<DmsFile>();
        var unchanged = new List<DmsFile>();
        string? reason = null;
        foreach (var file in listing.LoadFiles)
        {
            var hash = file.Identity.Hash;
            if (_load.TryGetValue(file.RelativePath, out var merged))
            {
                if (merged == hash)
                {
                    unchanged.Add(file);
                    continue;
                }

                reason ??= $"{file.Path} was rewritten (now {file.Identity})";
                fresh.Add(file);
            }
            else if (_staleLoad.Contains(hash))
            {
                stale.Add(file);
            }
            else
            {
                if (CdcSinceLoad)
                {
                    reason ??= $"{file.Path} appeared after CDC files were merged";
                }

                fresh.Add(file);
            }
        }

        var reload = reason is not null;
        if (reload)
        {
            // The old full load's files that the reload has not rewritten (yet) are leftovers, not part of it.
            stale.AddRange(unchanged);
        }

        var cdc = new List<DmsFile>();
        var beforeReload = new List<DmsFile>();
        var reloadStart = reload && fresh.Count > 0 ? fresh.Min(f => f.LastModified.UtcDateTime) : (DateTime?)null;
        foreach (var file in listing.CdcFiles)
        {
            var time = file.OrderKey.Time;
            if ((Floor is { } floor && time <= floor) || _recentSet.Contains((time.Ticks, file.Identity.Hash)))
            {
                continue;
            }

            if (reloadStart is { } start && time < start)
            {
                beforeReload.Add(file);
            }
            else
            {
                cdc.Add(file);
            }
        }

        stale.Sort((a, b) => a.OrderKey.CompareTo(b.OrderKey));
        return new FileSelection(fresh, cdc, reload, reason, stale, beforeReload, [.. listing.LoadFiles.Select(f => f.Identity)]);
    }

    /// <summary>
    /// The checkpoint after the job handled <paramref name="handled"/> of <paramref name="selection"/>: the files it
    /// merged, plus any of <see cref="FileSelection.CdcBeforeReload"/> it decided to skip. The job may handle a
    /// prefix of the selection (the floor never passes a selected file it did not handle).
    /// </summary>
    public CdcCheckpoint Advance(FileSelection selection, IEnumerable<DmsFile> handled, CheckpointOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(handled);
        options ??= CheckpointOptions.Default;
        var done = handled.ToList();

        var load = selection.FullReload ? new Dictionary<string, ulong>(StringComparer.Ordinal) : new Dictionary<string, ulong>(_load, StringComparer.Ordinal);
        var stale = new HashSet<ulong>(_staleLoad);
        stale.UnionWith(selection.StaleLoadFiles.Select(f => f.Identity.Hash));
        // Leftovers DMS has since deleted or overwritten need no remembering.
        stale.IntersectWith(selection.ListedLoadFiles.Select(i => i.Hash));
        foreach (var file in done.Where(f => f.Kind == DmsFileKind.Load))
        {
            load[file.RelativePath] = file.Identity.Hash;
            stale.Remove(file.Identity.Hash);
        }

        var cdcDone = done.Where(f => f.Kind == DmsFileKind.Cdc).ToList();
        var mergedCdc = cdcDone.Where(f => !selection.CdcBeforeReload.Contains(f)).ToList();
        var cdcSinceLoad = (!selection.FullReload && CdcSinceLoad) || mergedCdc.Count > 0;

        var recent = new List<RecentFile>(_recent);
        recent.AddRange(cdcDone.Select(f => new RecentFile(f.OrderKey.TimeTicks, f.Identity.Hash)));
        var watermark = Max(Watermark, cdcDone.Count == 0 ? null : cdcDone.Max(f => f.OrderKey.Time));

        // Selected files the job did not get to must stay above the floor, or they would count as merged.
        var doneSet = new HashSet<DmsFile>(cdcDone);
        var pending = selection.CdcFiles.Concat(selection.CdcBeforeReload).Where(f => !doneSet.Contains(f)).Select(f => f.OrderKey.TimeTicks).DefaultIfEmpty(long.MaxValue).Min();
        var ceiling = pending == long.MaxValue ? long.MaxValue : pending - 1;

        var floor = Floor?.Ticks;
        if (watermark is { } w)
        {
            var byWindow = Math.Min(w.Ticks - Math.Min(w.Ticks, options.LateFileWindow.Ticks), ceiling);
            floor = floor is null ? byWindow : Math.Max(floor.Value, byWindow);
        }

        recent = Prune(recent, floor);
        if (recent.Count > options.MaxRecentFiles)
        {
            recent.Sort();
            var cut = Math.Min(recent[recent.Count - options.MaxRecentFiles - 1].TimeTicks, ceiling);
            floor = Math.Max(floor ?? cut, cut);
            recent = Prune(recent, floor);
        }

        recent.Sort();
        return new CdcCheckpoint(
            watermark,
            floor is { } f ? new DateTime(f, DateTimeKind.Utc) : null,
            recent,
            load,
            stale,
            cdcSinceLoad,
            Reloads + (selection.FullReload ? 1 : 0));
    }

    /// <summary>Compact JSON, the value stored under <see cref="ExtraMetadataKey"/> (format in CHECKPOINT.md).</summary>
    public string ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", CurrentVersion);
            if (Watermark is { } watermark)
            {
                json.WriteString("watermark", Time(watermark.Ticks));
            }

            if (Floor is { } floor)
            {
                json.WriteString("floor", Time(floor.Ticks));
            }

            json.WriteStartArray("recent");
            foreach (var r in _recent)
            {
                json.WriteStringValue($"{Time(r.TimeTicks)}:{r.IdentityHash:x16}");
            }

            json.WriteEndArray();
            json.WriteStartArray("load");
            foreach (var (path, hash) in _load.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                json.WriteStringValue($"{path}:{hash:x16}");
            }

            json.WriteEndArray();
            json.WriteStartArray("staleLoad");
            foreach (var hash in _staleLoad.Order())
            {
                json.WriteStringValue($"{hash:x16}");
            }

            json.WriteEndArray();
            json.WriteBoolean("cdcSinceLoad", CdcSinceLoad);
            json.WriteNumber("reloads", Reloads);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <exception cref="FormatException">The text is not a checkpoint; the message names the field.</exception>
    public static CdcCheckpoint Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Bad("$", "expected an object");
            }

            var version = root.TryGetProperty("v", out var v) && v.TryGetInt32(out var n) ? n : throw Bad("v", "required");
            if (version != CurrentVersion)
            {
                throw Bad("v", $"version {version} is not supported (this build reads {CurrentVersion})");
            }

            DateTime? watermark = root.TryGetProperty("watermark", out var wm) ? new DateTime(ParseTime(wm.GetString(), "watermark"), DateTimeKind.Utc) : null;
            DateTime? floor = root.TryGetProperty("floor", out var fl) ? new DateTime(ParseTime(fl.GetString(), "floor"), DateTimeKind.Utc) : null;
            var recent = new List<RecentFile>();
            foreach (var item in Array(root, "recent"))
            {
                var text = item.GetString() ?? "";
                var colon = text.IndexOf(':', StringComparison.Ordinal);
                recent.Add(new RecentFile(ParseTime(colon < 0 ? null : text[..colon], "recent"), ParseHash(text[(colon + 1)..], "recent")));
            }

            var load = new Dictionary<string, ulong>(StringComparer.Ordinal);
            foreach (var item in Array(root, "load"))
            {
                var text = item.GetString() ?? "";
                var colon = text.LastIndexOf(':');
                if (colon <= 0)
                {
                    throw Bad("load", $"'{text}' is not path:hash");
                }

                load[text[..colon]] = ParseHash(text[(colon + 1)..], "load");
            }

            var stale = new HashSet<ulong>(Array(root, "staleLoad").Select(i => ParseHash(i.GetString(), "staleLoad")));
            var cdcSinceLoad = root.TryGetProperty("cdcSinceLoad", out var since) && since.GetBoolean();
            var reloads = root.TryGetProperty("reloads", out var r) ? r.GetInt32() : 0;
            recent.Sort();
            return new CdcCheckpoint(watermark, floor, recent, load, stale, cdcSinceLoad, reloads);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new FormatException($"{ExtraMetadataKey}: not a checkpoint: {e.Message}", e);
        }
    }

    public override string ToString() => ToJson();

    private static List<RecentFile> Prune(List<RecentFile> recent, long? floor) =>
        floor is { } f ? recent.Where(r => r.TimeTicks > f).ToList() : recent;

    private static DateTime? Max(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a > b ? a : b;

    private static string Time(long ticks) => new DateTime(ticks, DateTimeKind.Utc).ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static long ParseTime(string? text, string field) =>
        DateTime.TryParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? time.Ticks
            : throw Bad(field, $"'{text}' is not a time ({TimeFormat})");

    private static ulong ParseHash(string? text, string field) =>
        text is { Length: 16 } && ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hash)
            ? hash
            : throw Bad(field, $"'{text}' is not a 16-digit hex hash");

    private static IEnumerable<JsonElement> Array(JsonElement root, string name) =>
        root.TryGetProperty(name, out var array) ? array.EnumerateArray() : [];

    private static FormatException Bad(string field, string message) => new($"{ExtraMetadataKey}.{field}: {message}");
}

/// <summary>A merged CDC file the checkpoint remembers: its file time and identity hash.</summary>
public readonly record struct RecentFile(long TimeTicks, ulong IdentityHash) : IComparable<RecentFile>
{
    public int CompareTo(RecentFile other) =>
        TimeTicks.CompareTo(other.TimeTicks) is var c and not 0 ? c : IdentityHash.CompareTo(other.IdentityHash);
}
