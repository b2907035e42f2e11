using System.Diagnostics.CodeAnalysis;
using CdcLake.Storage.Internal;

namespace CdcLake.Storage;

/// <summary>Where a <see cref="StorePath"/> points.</summary>
public enum StoreKind
{
    Local,
    S3,
}

/// <summary>
/// An absolute location: an S3 bucket and key (<c>s3://bucket/key</c>; <c>s3a://</c> and <c>s3n://</c>
/// are read as synonyms, as Hadoop writes them) or a local path (absolute, relative to the current
/// directory, or a <c>file:</c> URI). Segments are joined with <c>/</c> on every platform.
/// </summary>
/// <remarks>
/// Keys are taken literally, not percent-decoded: <c>s3://b/dt=2024-01-01/a b.parquet</c> is the key
/// <c>dt=2024-01-01/a b.parquet</c>. Only <c>file:</c> URIs are decoded, as URIs. Empty segments and
/// <c>.</c>/<c>..</c> are rejected rather than normalized, because S3 would treat them as distinct
/// keys while a file system would not.
/// </remarks>
public sealed class StorePath : IEquatable<StorePath>
{
    private StorePath(StoreKind kind, string bucket, string key)
    {
        Kind = kind;
        Bucket = bucket;
        Key = key;
    }

    public StoreKind Kind { get; }

    public bool IsS3 => Kind == StoreKind.S3;

    public bool IsLocal => Kind == StoreKind.Local;

    /// <summary>The S3 bucket; empty for a local path.</summary>
    public string Bucket { get; }

    /// <summary>
    /// S3: the key, without a leading or trailing <c>/</c> (empty for the bucket itself).
    /// Local: the absolute path with <c>/</c> separators and no trailing separator (except at the file-system root).
    /// </summary>
    public string Key { get; }

    /// <summary>The path in the operating system's form; only for local paths.</summary>
    public string LocalPath => IsLocal
        ? Key.Replace('/', System.IO.Path.DirectorySeparatorChar)
        : throw new InvalidOperationException($"{this} is not a local path.");

    /// <summary>The last segment (empty for a bucket or file-system root).</summary>
    public string Name
    {
        get
        {
            var trimmed = Key.TrimEnd('/');
            return trimmed[(trimmed.LastIndexOf('/') + 1)..];
        }
    }

    /// <summary>The enclosing folder; <see langword="null"/> for a bucket or file-system root.</summary>
    public StorePath? Parent
    {
        get
        {
            if (IsS3)
            {
                if (Key.Length == 0)
                {
                    return null;
                }

                var slash = Key.LastIndexOf('/');
                return new StorePath(StoreKind.S3, Bucket, slash < 0 ? "" : Key[..slash]);
            }

            var parent = System.IO.Path.GetDirectoryName(LocalPath);
            return parent is null ? null : Local(parent);
        }
    }

    /// <summary>Parses <c>s3://bucket/key</c>, <c>file:///path</c> or a local path; throws <see cref="FormatException"/>.</summary>
    public static StorePath Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var path, out var error) ? path : throw new FormatException($"'{text}' is not a store path: {error}");
    }

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out StorePath? path) =>
        TryParse(text, out path, out _);

    /// <summary>An S3 location; <paramref name="key"/> may be empty (the bucket's root).</summary>
    public static StorePath S3(string bucket, string key = "")
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentNullException.ThrowIfNull(key);
        if (bucket.Contains('/'))
        {
            throw new ArgumentException($"Bucket name '{bucket}' contains '/'.", nameof(bucket));
        }

        return new StorePath(StoreKind.S3, bucket, RelativePath.Validate(key.Trim('/'), nameof(key), allowEmpty: true));
    }

    /// <summary>A local path, made absolute against the current directory.</summary>
    public static StorePath Local(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        var root = System.IO.Path.GetPathRoot(full) ?? "";
        if (full.Length > root.Length)
        {
            full = System.IO.Path.TrimEndingDirectorySeparator(full);
        }

        return new StorePath(StoreKind.Local, "", full.Replace(System.IO.Path.DirectorySeparatorChar, '/'));
    }

    /// <summary>This location with <paramref name="relativePath"/> (<c>/</c>-separated) appended.</summary>
    public StorePath Join(string relativePath)
    {
        var relative = RelativePath.Validate(relativePath, nameof(relativePath), allowEmpty: true);
        if (relative.Length == 0)
        {
            return this;
        }

        return Key.Length == 0 || Key.EndsWith('/')
            ? new StorePath(Kind, Bucket, Key + relative)
            : new StorePath(Kind, Bucket, Key + "/" + relative);
    }

    public static StorePath operator /(StorePath left, string right)
    {
        ArgumentNullException.ThrowIfNull(left);
        return left.Join(right);
    }

    /// <summary>
    /// The <c>/</c>-separated path of this location below <paramref name="root"/> (empty when equal);
    /// <see langword="null"/> when it is not inside <paramref name="root"/>.
    /// </summary>
    public string? GetRelativePath(StorePath root)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (root.Kind != Kind || root.Bucket != Bucket)
        {
            return null;
        }

        if (Key == root.Key)
        {
            return "";
        }

        if (root.Key.Length == 0)
        {
            return IsS3 ? Key : null;
        }

        var prefix = root.Key.EndsWith('/') ? root.Key : root.Key + "/";
        return Key.StartsWith(prefix, StringComparison.Ordinal) ? Key[prefix.Length..] : null;
    }

    public bool Equals(StorePath? other) =>
        other is not null && Kind == other.Kind && Bucket == other.Bucket && Key == other.Key;

    public override bool Equals(object? obj) => Equals(obj as StorePath);

    public override int GetHashCode() => HashCode.Combine(Kind, Bucket, Key);

    public static bool operator ==(StorePath? left, StorePath? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(StorePath? left, StorePath? right) => !(left == right);

    /// <summary><c>s3://bucket/key</c>, or the local path in the operating system's form.</summary>
    public override string ToString() => IsS3
        ? (Key.Length == 0 ? $"s3://{Bucket}/" : $"s3://{Bucket}/{Key}")
        : LocalPath;

    private static bool TryParse(string? text, [NotNullWhen(true)] out StorePath? path, out string error)
    {
        path = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "it is empty";
            return false;
        }

        var schemeEnd = SchemeLength(text);
        if (schemeEnd < 0)
        {
            return TryLocal(text, out path, out error);
        }

        var scheme = text[..schemeEnd].ToLowerInvariant();
        var rest = text[(schemeEnd + 1)..];
        switch (scheme)
        {
            case "s3" or "s3a" or "s3n":
                return TryS3(rest, out path, out error);
            case "file":
                return TryFileUri(rest, out path, out error);
            default:
                error = $"the scheme '{scheme}:' is not supported (s3://, file: or a local path)";
                return false;
        }
    }

    // A URI scheme is letters/digits/+-. before ':'; a one-letter "scheme" is a Windows drive (C:\x).
    private static int SchemeLength(string text)
    {
        var colon = text.IndexOf(':');
        if (colon < 2 || !char.IsAsciiLetter(text[0]))
        {
            return -1;
        }

        for (var i = 1; i < colon; i++)
        {
            var c = text[i];
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
            {
                return -1;
            }
        }

        return colon;
    }

    private static bool TryS3(string rest, [NotNullWhen(true)] out StorePath? path, out string error)
    {
        path = null;
        if (!rest.StartsWith("//", StringComparison.Ordinal))
        {
            error = "expected s3://bucket/key";
            return false;
        }

        rest = rest[2..];
        var slash = rest.IndexOf('/');
        var bucket = slash < 0 ? rest : rest[..slash];
        var key = slash < 0 ? "" : rest[(slash + 1)..];
        if (bucket.Length == 0)
        {
            error = "the bucket is missing";
            return false;
        }

        if (key.EndsWith('/'))
        {
            key = key[..^1];
        }

        if (!RelativePath.TryValidate(key, allowEmpty: true, out error))
        {
            return false;
        }

        path = new StorePath(StoreKind.S3, bucket, key);
        return true;
    }

    private static bool TryFileUri(string rest, [NotNullWhen(true)] out StorePath? path, out string error)
    {
        path = null;
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            // file://host/path: only an empty host or localhost means this machine.
            var hostEnd = rest.IndexOf('/', 2);
            var host = hostEnd < 0 ? rest[2..] : rest[2..hostEnd];
            if (host.Length != 0 && !host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            {
                error = $"file URIs on another host ('{host}') are not supported";
                return false;
            }

            rest = hostEnd < 0 ? "/" : rest[hostEnd..];
        }

        var decoded = Uri.UnescapeDataString(rest);
        // file:///C:/x on Windows
        if (decoded.Length >= 3 && decoded[0] == '/' && char.IsAsciiLetter(decoded[1]) && decoded[2] == ':')
        {
            decoded = decoded[1..];
        }

        return TryLocal(decoded, out path, out error);
    }

    private static bool TryLocal(string text, [NotNullWhen(true)] out StorePath? path, out string error)
    {
        try
        {
            path = Local(text);
            error = "";
            return true;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            path = null;
            error = e.Message;
            return false;
        }
    }
}
