using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CdcLake.Cli.Output;
using CdcLake.Storage;
using CdcLake.Testing;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>A private copy of a fixture table in a temp folder, for tests that change it.</summary>
public sealed class TableCopy : IDisposable
{
    private readonly TempDirectory _temp;

    private TableCopy(string table)
    {
        _temp = new TempDirectory("hudi-table");
        Path = System.IO.Path.Combine(_temp.Path, table);
        CopyFolder(HudiFixtures.TablePath(table), Path);
        Store = ObjectStores.For(Path);
    }

    /// <summary>The table root.</summary>
    public string Path { get; }

    /// <summary>A local store rooted at the table.</summary>
    public IObjectStore Store { get; }

    public static TableCopy Of(string table) => new(table);

    public string PathOf(string relative) => System.IO.Path.Combine(Path, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));

    /// <summary>The only base file whose path (relative, '/') contains <paramref name="fragment"/>.</summary>
    public string BaseFile(string fragment) =>
        Directory.EnumerateFiles(Path, "*.parquet", SearchOption.AllDirectories)
            .Select(p => System.IO.Path.GetRelativePath(Path, p).Replace('\\', '/'))
            .Single(p => p.Contains(fragment, StringComparison.Ordinal));

    public void Write(string relative, string text)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(PathOf(relative))!);
        File.WriteAllText(PathOf(relative), text);
    }

    public void Delete(string relative) => File.Delete(PathOf(relative));

    public void Copy(string from, string to) => File.Copy(PathOf(from), PathOf(to));

    public Task<HudiTable> OpenAsync() => HudiTable.OpenAsync(Store);

    public void Dispose()
    {
        Store.Dispose();
        _temp.Dispose();
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, System.IO.Path.Combine(to, System.IO.Path.GetFileName(file)));
        }

        foreach (var folder in Directory.EnumerateDirectories(from))
        {
            CopyFolder(folder, System.IO.Path.Combine(to, System.IO.Path.GetFileName(folder)));
        }
    }
}

/// <summary>
/// What a read should return, computed without the library: which base files a query reads (from the file
/// names and the names of the completed commit files alone), and their rows as DuckDB reads them.
/// </summary>
public static partial class Expected
{
    public const string ComplexC1 = "20240418173213674";
    public const string ComplexC2 = "20240418173235694";
    public const string NonPartitionedC1 = "20240418173550988";
    public const string NonPartitionedC2 = "20240418173551906";
    public const string SimpleC1 = "20240418172802262";
    public const string SimpleC2 = "20240418172804498";
    public const string NoMetaC1 = "20240426205419518";

    /// <summary>The v6 fixture tables with two commits, and their first commit.</summary>
    public static TheoryData<string, string> TwoCommitTables() => new()
    {
        { "v6_complexkeygen_hivestyle", ComplexC1 },
        { "v6_nonpartitioned", NonPartitionedC1 },
        { "v6_simplekeygen_nonhivestyle", SimpleC1 },
    };

    /// <summary>
    /// Written out by hand from the fixtures' listings: the base files a snapshot reads (key: table) and a
    /// read as of the first commit (key: table@instant).
    /// </summary>
    public static IReadOnlyDictionary<string, string[]> HandWritten { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["v6_complexkeygen_hivestyle"] =
        [
            "byteField=10/shortField=300/a22e8257-e249-45e9-ba46-115bc85adcba-0_0-161-223_20240418173235694.parquet",
            "byteField=20/shortField=100/bb7c3a45-387f-490d-aab2-981c3f1a8ada-0_0-140-198_20240418173213674.parquet",
            "byteField=30/shortField=100/4668e35e-bff8-4be9-9ff2-e7fb17ecb1a7-0_1-161-224_20240418173235694.parquet",
        ],
        ["v6_complexkeygen_hivestyle@" + ComplexC1] =
        [
            "byteField=10/shortField=300/a22e8257-e249-45e9-ba46-115bc85adcba-0_1-140-199_20240418173213674.parquet",
            "byteField=20/shortField=100/bb7c3a45-387f-490d-aab2-981c3f1a8ada-0_0-140-198_20240418173213674.parquet",
        ],
        ["v6_empty"] = [],
        ["v6_nonpartitioned"] = ["a079bdb3-731c-4894-b855-abfcd6921007-0_0-203-274_20240418173551906.parquet"],
        ["v6_nonpartitioned@" + NonPartitionedC1] = ["a079bdb3-731c-4894-b855-abfcd6921007-0_0-182-253_20240418173550988.parquet"],
        ["v6_simplekeygen_hivestyle_no_metafields"] =
        [
            "byteField=10/1ebfc908-fcc7-4229-b368-664440f7663c-0_0-35-78_20240426205419518.parquet",
            "byteField=20/3345afaa-7014-49b3-bfd7-8b89385e6c87-0_1-35-79_20240426205419518.parquet",
            "byteField=30/6b107d08-e901-4d2c-96e0-d0ae9d2cbd94-0_2-35-80_20240426205419518.parquet",
        ],
        ["v6_simplekeygen_nonhivestyle"] =
        [
            "10/97de74b1-2a8e-4bb7-874c-0a74e1f42a77-0_0-119-166_20240418172804498.parquet",
            "20/76e0556b-390d-4249-b7ad-9059e2bc2cbd-0_0-98-141_20240418172802262.parquet",
            "30/6db57019-98ee-480e-8eb1-fb3de48e1c24-0_1-119-167_20240418172804498.parquet",
        ],
        ["v6_simplekeygen_nonhivestyle@" + SimpleC1] =
        [
            "10/97de74b1-2a8e-4bb7-874c-0a74e1f42a77-0_1-98-142_20240418172802262.parquet",
            "20/76e0556b-390d-4249-b7ad-9059e2bc2cbd-0_0-98-141_20240418172802262.parquet",
        ],
        ["v8_nonpartitioned"] = ["2746610d-ad02-4adb-a038-5cbb99cbd455-0_0-75-100_20250713010536861.parquet"],
        ["v8_simplekeygen_nonhivestyle"] =
        [
            "10/7b0ea4f9-3768-4e87-b12c-8d33efd22b55-0_0-136-193_20250713011316909.parquet",
            "20/352d465e-0bef-4a4c-b558-3079e02459ed-0_0-115-168_20250713011315930.parquet",
            "30/6653c109-b3c0-470e-8ad4-f45947474a34-0_1-136-194_20250713011316909.parquet",
        ],
    };

    /// <summary>
    /// The base files of <paramref name="tableRoot"/> a read as of <paramref name="asOf"/> sees, by the rule in
    /// docs/hudi-cow-format.md: per (folder, file id) the newest file whose instant is a completed commit (a
    /// <c>&lt;t&gt;.commit</c> or <c>&lt;t&gt;.replacecommit</c> file in .hoodie/, or <c>&lt;t&gt;_&lt;c&gt;.commit</c>
    /// in .hoodie/timeline/) at or before <paramref name="asOf"/>. No replace commits in the fixtures.
    /// </summary>
    public static IReadOnlyList<string> BaseFiles(string tableRoot, string? asOf = null)
    {
        var hoodie = Path.Combine(tableRoot, ".hoodie");
        var completed = Directory.EnumerateFiles(hoodie).Concat(Directory.Exists(Path.Combine(hoodie, "timeline")) ? Directory.EnumerateFiles(Path.Combine(hoodie, "timeline")) : [])
            .Select(Path.GetFileName)
            .Select(n => CompletedCommit().Match(n!))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .ToHashSet(StringComparer.Ordinal);
        return [.. Directory.EnumerateFiles(tableRoot, "*.parquet", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(tableRoot, p).Replace('\\', '/'))
            .Where(p => !p.StartsWith(".hoodie/", StringComparison.Ordinal))
            .Select(p => (Path: p, Match: BaseName().Match(Path.GetFileName(p))))
            .Where(f => f.Match.Success)
            .Select(f => (f.Path, Folder: Path.GetDirectoryName(f.Path) ?? "", FileId: f.Match.Groups[1].Value, Instant: f.Match.Groups[3].Value))
            .Where(f => completed.Contains(f.Instant) && (asOf is null || string.CompareOrdinal(f.Instant, asOf) <= 0))
            .GroupBy(f => (f.Folder, f.FileId))
            .Select(g => g.MaxBy(f => f.Instant, StringComparer.Ordinal).Path)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>DuckDB's rows of <paramref name="files"/>, as canonical JSON objects (see <see cref="Normalize"/>), sorted.</summary>
    public static IReadOnlyList<string> DuckDbRows(string tableRoot, IReadOnlyList<string> files, IReadOnlyList<string>? columns = null, string? where = null)
    {
        if (files.Count == 0)
        {
            return [];
        }

        var list = string.Join(", ", files.Select(f => DuckDb.Literal(Path.Combine(tableRoot, f))));
        var select = columns is null ? "*" : string.Join(", ", columns.Select(c => $"\"{c}\""));
        var result = DuckDb.Shared.Query($"select {select} from read_parquet([{list}]){(where is null ? "" : " where " + where)}");
        return [.. result.Rows.Select(row =>
        {
            var text = new StringBuilder("{");
            for (var c = 0; c < row.Length; c++)
            {
                text.Append(c == 0 ? "" : ",").Append(JsonSerializer.Serialize(result.Columns[c].Name)).Append(':').Append(Canonical.Render(row[c]));
            }

            return Normalize(text.Append('}').ToString());
        }).Order(StringComparer.Ordinal)];
    }

    /// <summary>Our rows rendered by the CLI's JSON Lines writer, normalized and sorted.</summary>
    public static async Task<IReadOnlyList<string>> OurRows(HudiTable table, HudiQuery query)
    {
        var text = new StringWriter();
        using (var writer = new JsonlWriter(text))
        {
            await foreach (var batch in table.ReadAsync(query))
            {
                writer.WriteBatch(batch);
            }
        }

        return [.. text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Normalize).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Canonical JSON, with the one difference between the two renderings that is legitimate: how a
    /// non-integral number is spelled (DuckDB <c>1e+300</c>, .NET <c>1E+300</c>), so those are compared as doubles.
    /// Integers and every other value must match exactly.
    /// </summary>
    public static string Normalize(string json)
    {
        using var document = JsonDocument.Parse(json);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, document.RootElement);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.Number when value.GetRawText().IndexOfAny(['.', 'e', 'E']) >= 0:
                writer.WriteNumberValue(value.GetDouble());
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }

    [GeneratedRegex(@"^([0-9]+)(?:_[0-9]+)?\.(?:commit|replacecommit)$")]
    private static partial Regex CompletedCommit();

    [GeneratedRegex(@"^([a-zA-Z0-9-]+)_([a-zA-Z0-9-]+)_([0-9]+)\.parquet$")]
    private static partial Regex BaseName();
}
