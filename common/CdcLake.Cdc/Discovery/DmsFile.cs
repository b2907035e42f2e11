using System.Globalization;
using System.Text;

namespace CdcLake.Cdc;

public enum DmsFileKind
{
    /// <summary>A full-load file, <c>LOAD0000000A.parquet</c> (also <c>SEGMENTn_LOAD…</c> or in a segment folder).</summary>
    Load,

    /// <summary>A CDC file named by its UTC time, <c>20221023-013830913.parquet</c>.</summary>
    Cdc,
}

/// <summary>
/// What makes a file the same file: its path, size and version (the ETag on S3, else the modification time).
/// DMS reloads rewrite <c>LOAD00000001.parquet</c> under the same name, so the name alone is not enough.
/// </summary>
public readonly record struct FileIdentity(string Path, long Size, string Version)
{
    /// <summary>FNV-1a 64 of <c>path \0 size \0 version</c> (UTF-8): what the checkpoint keeps.</summary>
    public ulong Hash
    {
        get
        {
            var hash = 14695981039346656037ul;
            foreach (var b in Encoding.UTF8.GetBytes($"{Path}\0{Size.ToString(CultureInfo.InvariantCulture)}\0{Version}"))
            {
                hash = (hash ^ b) * 1099511628211ul;
            }

            return hash;
        }
    }

    /// <summary>The version of an object: its ETag when the store has one, else its modification time (UTC ticks).</summary>
    public static string VersionOf(string? etag, DateTimeOffset lastModified) =>
        etag ?? lastModified.UtcTicks.ToString(CultureInfo.InvariantCulture);

    public override string ToString() => $"{Path} ({Size.ToString(CultureInfo.InvariantCulture)} bytes, {Version})";
}

/// <summary>A DMS data file found in a table folder, with its place in the order of files.</summary>
public sealed record DmsFile
{
    /// <summary>The path relative to the store's root (what <c>OpenReadAsync</c> takes).</summary>
    public required string Path { get; init; }

    /// <summary>The path relative to the DMS table folder: what file identities and <see cref="FileOrderKey.PathHash"/> use.</summary>
    public required string RelativePath { get; init; }

    public required long Size { get; init; }

    public required DateTimeOffset LastModified { get; init; }

    public string? ETag { get; init; }

    public required DmsFileKind Kind { get; init; }

    public required FileOrderKey OrderKey { get; init; }

    /// <summary>LOAD: the parallel-load segment label (<c>SEGMENT3</c>, <c>part_a</c>, <c>part_a/SEGMENT3</c>); empty when unsegmented.</summary>
    public string Segment { get; init; } = "";

    /// <summary>CDC: the UTC time in the file name.</summary>
    public DateTime? CdcTime => Kind == DmsFileKind.Cdc ? OrderKey.Time : null;

    /// <summary>LOAD: the hex counter in the file name.</summary>
    public uint? LoadCounter => Kind == DmsFileKind.Load ? OrderKey.Counter : null;

    public FileIdentity Identity => new(RelativePath, Size, FileIdentity.VersionOf(ETag, LastModified));

    public string Name => Path[(Path.LastIndexOf('/') + 1)..];

    public override string ToString() => Path;
}
