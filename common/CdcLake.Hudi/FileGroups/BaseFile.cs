using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace CdcLake.Hudi;

/// <summary>
/// The parts of a base file name, <c>&lt;fileId&gt;_&lt;writeToken&gt;_&lt;instantTime&gt;.parquet</c>. Only names
/// matching Java's pattern <c>[a-zA-Z0-9-]+_[a-zA-Z0-9-]+_[0-9]+\.parquet</c> are base files: Hudi ignores
/// every other file in a partition, and so does this library.
/// </summary>
public readonly partial record struct BaseFileName(string FileId, string WriteToken, string InstantTime)
{
    public const string Extension = ".parquet";

    /// <summary>The file name: <c>&lt;fileId&gt;_&lt;writeToken&gt;_&lt;instantTime&gt;.parquet</c>.</summary>
    public override string ToString() => $"{FileId}_{WriteToken}_{InstantTime}{Extension}";

    /// <summary>Parses a file name (not a path); false for anything Java would not take for a base file.</summary>
    public static bool TryParse(string? fileName, out BaseFileName name)
    {
        name = default;
        if (fileName is null)
        {
            return false;
        }

        var match = Pattern().Match(fileName);
        if (!match.Success)
        {
            return false;
        }

        name = new BaseFileName(match.Groups["fileId"].Value, match.Groups["token"].Value, match.Groups["instant"].Value);
        return true;
    }

    /// <exception cref="FormatException">Not a base file name.</exception>
    public static BaseFileName Parse(string fileName) =>
        TryParse(fileName, out var name) ? name : throw new FormatException($"'{fileName}' is not a Hudi base file name (<fileId>_<writeToken>_<instantTime>.parquet)");

    /// <summary>The write token Spark writes: <c>&lt;taskPartitionId&gt;-&lt;stageId&gt;-&lt;attemptId&gt;</c>.</summary>
    public static string WriteTokenOf(int taskPartitionId, int stageId, long attemptId) =>
        FormattableString.Invariant($"{taskPartitionId}-{stageId}-{attemptId}");

    // Java: FSUtils' base file pattern, anchored; the fileId and token may hold '-' but never '_'.
    [GeneratedRegex(@"^(?<fileId>[a-zA-Z0-9-]+)_(?<token>[a-zA-Z0-9-]+)_(?<instant>[0-9]+)\.parquet$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

/// <summary>
/// One base file of the table: where it is (relative to the table root, <c>/</c>-separated), its partition,
/// the parts of its name and its size.
/// </summary>
public sealed record BaseFile(string Path, string PartitionPath, BaseFileName Name, long Size)
{
    public string FileId => Name.FileId;

    /// <summary>The instant that wrote the file (a copy-on-write file slice's base instant).</summary>
    public string InstantTime => Name.InstantTime;

    public string FileName => Name.ToString();

    public FileGroupId FileGroupId => new(PartitionPath, Name.FileId);

    /// <summary>A base file at <paramref name="path"/> (relative to the table root), or false when its name is not a base file name.</summary>
    public static bool TryCreate(string path, long size, [NotNullWhen(true)] out BaseFile? file)
    {
        ArgumentNullException.ThrowIfNull(path);
        var slash = path.LastIndexOf('/');
        var partition = slash < 0 ? "" : path[..slash];
        if (BaseFileName.TryParse(path[(slash + 1)..], out var name))
        {
            file = new BaseFile(path, partition, name, size);
            return true;
        }

        file = null;
        return false;
    }

    public override string ToString() => Path;
}
