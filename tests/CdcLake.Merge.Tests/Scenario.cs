using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CdcLake.Cdc;
using CdcLake.Parquet;
using CdcLake.Testing;

namespace CdcLake.Merge.Tests;

/// <summary>
/// One conformance scenario: <c>Scenarios/&lt;name&gt;/scenario.json</c> (the table, and per run the DMS files
/// that land before it, as rows of text) and <c>expected.jsonl</c> (the final table's rows, data columns only,
/// written by hand). Scenarios/README.md describes the format.
/// </summary>
public sealed class Scenario
{
    private Scenario(string name, JsonObject root, IReadOnlyList<JsonObject> expected)
    {
        Name = name;
        Root = root;
        Expected = expected;
        Runs = [.. root["runs"]!.AsArray().Select(r => ScenarioRun.From(r!.AsObject()))];
    }

    public static string Folder => Path.Combine(RepoPaths.Root, "tests", "CdcLake.Merge.Tests", "Scenarios");

    public string Name { get; }

    public JsonObject Root { get; }

    public string Description => Root["description"]?.GetValue<string>() ?? "";

    /// <summary>The pipeline table entry (PIPELINE.md fields, without table/source/target).</summary>
    public JsonObject Table => Root["table"]!.AsObject();

    public IReadOnlyList<ScenarioRun> Runs { get; }

    /// <summary>The final table's rows: column → JSON value in the DuckDB oracle's canonical forms.</summary>
    public IReadOnlyList<JsonObject> Expected { get; }

    /// <summary>Also compare with DuckDB's <see cref="ExpectedState"/> SQL over all the input files (one pass, no tombstone expiry or reload).</summary>
    public bool Oracle => Root["oracle"]?.GetValue<bool>() ?? false;

    /// <summary>Column → expected Parquet type name (<see cref="Field.TypeName"/>) in the table.</summary>
    public IReadOnlyDictionary<string, string> ExpectedTypes =>
        Root["schema"]?.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) ?? [];

    public static IEnumerable<string> All() =>
        Directory.EnumerateDirectories(Folder).Select(Path.GetFileName).Where(n => File.Exists(Path.Combine(Folder, n!, "scenario.json"))).Order(StringComparer.Ordinal)!;

    public static Scenario Load(string name)
    {
        var folder = Path.Combine(Folder, name);
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "scenario.json")), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        var expected = File.ReadAllLines(Path.Combine(folder, "expected.jsonl"))
            .Where(l => l.Trim().Length > 0)
            .Select(l => JsonNode.Parse(l)!.AsObject())
            .ToList();
        return new Scenario(name, root, expected);
    }

    /// <summary>The table as the job runs it, through the product's pipeline parser (the format users write).</summary>
    public TableSpec Spec(string source, string target, Action<JsonObject>? edit = null)
    {
        var table = Table.DeepClone().AsObject();
        table["table"] = "t_" + Name.Replace('-', '_');
        table["source"] = source;
        table["target"] = target;
        edit?.Invoke(table);
        var pipeline = new JsonObject { ["version"] = 1, ["tables"] = new JsonArray(table) };
        return PipelineConfig.Parse(pipeline.ToJsonString()).Resolve().Single();
    }

    /// <summary>The type of <paramref name="column"/> in <paramref name="file"/>: the file's own, else the scenario's.</summary>
    public string TypeOf(ScenarioFile file, string column) =>
        file.Types.GetValueOrDefault(column) ?? Root["columns"]?[column]?.GetValue<string>()
        ?? throw new InvalidOperationException($"{Name}: no type for column '{column}'");

    public override string ToString() => Name;
}

/// <summary>One run of the job, after <see cref="Files"/> land in the DMS folder.</summary>
public sealed class ScenarioRun
{
    public required IReadOnlyList<ScenarioFile> Files { get; init; }

    /// <summary>Days added to the real clock for this run (tombstone retention).</summary>
    public double ClockDays { get; init; }

    /// <summary>The expected status; default Merged when files land, UpToDate otherwise.</summary>
    public MergeStatus Status { get; init; }

    /// <summary>Text that one of the summary's warnings contains.</summary>
    public string? Warning { get; init; }

    /// <summary>Text the failed run's error contains.</summary>
    public IReadOnlyList<string> ErrorContains { get; init; } = [];

    /// <summary>Paths removed from the DMS folder before the run.</summary>
    public IReadOnlyList<string> Delete { get; init; } = [];

    /// <summary>Expected counts of the run's summary, by JSON name (inserts, updates, deletes, staleIgnored, …).</summary>
    public IReadOnlyDictionary<string, long> Counts { get; init; } = new Dictionary<string, long>();

    /// <summary>Rows the run must have quarantined.</summary>
    public long? Quarantined { get; init; }

    /// <summary>True when the summary must say the run was a full reload.</summary>
    public bool? FullReload { get; init; }

    public static ScenarioRun From(JsonObject run)
    {
        var files = run["files"]?.AsArray().Select(f => ScenarioFile.From(f!.AsObject())).ToList() ?? [];
        var status = run["status"] is { } s ? Enum.Parse<MergeStatus>(s.GetValue<string>()) : files.Count > 0 ? MergeStatus.Merged : MergeStatus.UpToDate;
        return new ScenarioRun
        {
            Files = files,
            ClockDays = run["clockDays"]?.GetValue<double>() ?? 0,
            Status = status,
            Warning = run["warning"]?.GetValue<string>(),
            ErrorContains = run["error"]?.AsArray().Select(e => e!.GetValue<string>()).ToList() ?? [],
            Delete = run["delete"]?.AsArray().Select(e => e!.GetValue<string>()).ToList() ?? [],
            FullReload = run["fullReload"]?.GetValue<bool>(),
            Quarantined = run["quarantined"]?.GetValue<long>(),
            Counts = run["summary"]?.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<long>()) ?? [],
        };
    }
}

/// <summary>One DMS file: its path in the table folder, columns, rows, and (optionally) its modification time.</summary>
public sealed class ScenarioFile
{
    public required string Path { get; init; }

    public required IReadOnlyList<string> Columns { get; init; }

    public required IReadOnlyList<JsonElement[]> Rows { get; init; }

    /// <summary>Per-file column types overriding the scenario's (a type changed by the source).</summary>
    public IReadOnlyDictionary<string, string> Types { get; init; } = new Dictionary<string, string>();

    /// <summary>The bytes to write instead of a Parquet file (non-data files).</summary>
    public string? Text { get; init; }

    public DateTime? ModifiedUtc { get; init; }

    public string Codec { get; init; } = "none";

    public string Name => System.IO.Path.GetFileName(Path);

    public static ScenarioFile From(JsonObject file)
    {
        var rows = file["rows"]?.AsArray().Select(r => JsonSerializer.Deserialize<JsonElement[]>(r!.ToJsonString())!).ToList() ?? [];
        return new ScenarioFile
        {
            Path = file["path"]!.GetValue<string>(),
            Columns = file["columns"]?.AsArray().Select(c => c!.GetValue<string>()).ToList() ?? [],
            Rows = rows,
            Types = file["types"]?.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) ?? [],
            Text = file["text"]?.GetValue<string>(),
            ModifiedUtc = file["mtime"] is { } m ? DateTime.Parse(m.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal) : null,
            Codec = file["codec"]?.GetValue<string>() ?? "none",
        };
    }

    /// <summary>Writes the file into the DMS folder, with its modification time (default: the time in a CDC name, else 2024-03-01).</summary>
    public void WriteTo(string folder, Scenario scenario)
    {
        var path = System.IO.Path.Combine(folder, Path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        if (Text is not null)
        {
            File.WriteAllText(path, Text);
        }
        else
        {
            var fields = Columns.Select(c => ScenarioParquet.Field(c, scenario.TypeOf(this, c))).ToList();
            ScenarioParquet.Write(path, fields, Rows, Codec);
        }

        File.SetLastWriteTimeUtc(path, ModifiedUtc ?? DefaultModified(Name));
    }

    /// <summary>A CDC file lands one second after the time in its name; other files at 2024-03-01 00:00.</summary>
    public static DateTime DefaultModified(string name)
    {
        if (name.Length >= 18 && name[8] == '-' && DateTime.TryParseExact(name[..15], "yyyyMMdd-HHmmss", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
        {
            return time.AddSeconds(1);
        }

        return new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    }
}
