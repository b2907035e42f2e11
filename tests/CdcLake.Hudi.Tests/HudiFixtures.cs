using System.IO.Compression;
using CdcLake.Parquet;
using CdcLake.Testing;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>
/// The Spark-written Hudi tables of shared/fixtures/hudi, unzipped once per test run into a temp folder
/// (macOS resource forks and .DS_Store files left out).
/// </summary>
public static class HudiFixtures
{
    private static readonly Lazy<string> s_root = new(Extract, LazyThreadSafetyMode.ExecutionAndPublication);
    private static TempDirectory? s_temp;

    public static IReadOnlyList<string> TableNames { get; } =
    [
        "v6_complexkeygen_hivestyle",
        "v6_empty",
        "v6_nonpartitioned",
        "v6_simplekeygen_hivestyle_no_metafields",
        "v6_simplekeygen_nonhivestyle",
        "v8_nonpartitioned",
        "v8_simplekeygen_nonhivestyle",
    ];

    public static IEnumerable<string> V6TableNames => TableNames.Where(t => t.StartsWith("v6_", StringComparison.Ordinal));

    public static TheoryData<string> AllTables() => [.. TableNames];

    public static TheoryData<string> V6Tables() => [.. V6TableNames];

    /// <summary>The table's root folder (holding .hoodie).</summary>
    public static string TablePath(string table) => Path.Combine(s_root.Value, table, table);

    public static string MetaFolder(string table) => Path.Combine(TablePath(table), ".hoodie");

    public static byte[] HoodieProperties(string table) => File.ReadAllBytes(Path.Combine(MetaFolder(table), "hoodie.properties"));

    /// <summary>Base files, as (path relative to the table root with '/', absolute path), sorted.</summary>
    public static IReadOnlyList<(string Relative, string FullPath)> BaseFiles(string table)
    {
        var root = TablePath(table);
        return [.. Directory.EnumerateFiles(root, "*.parquet", SearchOption.AllDirectories)
            .Where(p => !Path.GetRelativePath(root, p).StartsWith(".hoodie", StringComparison.Ordinal))
            .Select(p => (Path.GetRelativePath(root, p).Replace('\\', '/'), p))
            .OrderBy(p => p.Item1, StringComparer.Ordinal)];
    }

    public static TheoryData<string, string> AllBaseFiles()
    {
        var data = new TheoryData<string, string>();
        foreach (var table in TableNames)
        {
            foreach (var (relative, _) in BaseFiles(table))
            {
                data.Add(table, relative);
            }
        }

        return data;
    }

    /// <summary>Every .hoodie_partition_metadata file of every table, relative to the fixtures root.</summary>
    public static IReadOnlyList<string> PartitionMetadataFiles() =>
        [.. Directory.EnumerateFiles(s_root.Value, HoodiePartitionMetadata.FileName, SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(s_root.Value, p))
            .Order(StringComparer.Ordinal)];

    public static string FixturePath(string relative) => Path.Combine(s_root.Value, relative);

    /// <summary>Every row of a base file as a batch (the fixtures are one row group each).</summary>
    public static List<RecordBatch> ReadAll(string fullPath)
    {
        using var reader = ParquetReader.Open(fullPath);
        return [.. reader.ReadBatches()];
    }

    private static string Extract()
    {
        s_temp = new TempDirectory("hudi-fixtures");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => s_temp.Dispose();
        var source = Path.Combine(RepoPaths.SharedFixtures, "hudi");
        foreach (var zip in Directory.GetFiles(source, "*.zip").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(zip);
            var target = Path.Combine(s_temp.Path, name);
            using var archive = ZipFile.OpenRead(zip);
            foreach (var entry in archive.Entries)
            {
                if (entry.FullName.StartsWith("__MACOSX/", StringComparison.Ordinal) || entry.Name == ".DS_Store")
                {
                    continue;
                }

                var destination = Path.GetFullPath(Path.Combine(target, entry.FullName));
                if (!destination.StartsWith(target, StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"zip entry escapes the target folder: {entry.FullName}");
                }

                if (entry.FullName.EndsWith('/'))
                {
                    Directory.CreateDirectory(destination);
                    continue;
                }

                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                entry.ExtractToFile(destination, overwrite: true);
            }
        }

        return s_temp.Path;
    }
}
