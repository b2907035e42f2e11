namespace CdcLake.Storage.Internal;

/// <summary>
/// Checks the store-relative paths callers pass in. Both stores must mean the same object by the same
/// string, so anything a file system would silently normalize (<c>a//b</c>, <c>./a</c>, <c>a/../b</c>,
/// a backslash on Windows) is refused instead.
/// </summary>
internal static class RelativePath
{
    public static string Validate(string path, string paramName, bool allowEmpty)
    {
        ArgumentNullException.ThrowIfNull(path, paramName);
        return TryValidate(path, allowEmpty, out var error)
            ? path
            : throw new ArgumentException($"'{path}' is not a valid store path: {error}", paramName);
    }

    /// <summary>A folder argument (list, delete prefix): one trailing <c>/</c> is accepted and dropped.</summary>
    public static string ValidateFolder(string path, string paramName, bool allowEmpty)
    {
        ArgumentNullException.ThrowIfNull(path, paramName);
        return Validate(path.EndsWith('/') ? path[..^1] : path, paramName, allowEmpty);
    }

    public static bool TryValidate(string path, bool allowEmpty, out string error)
    {
        if (path.Length == 0)
        {
            error = allowEmpty ? "" : "it is empty";
            return allowEmpty;
        }

        if (path[0] == '/')
        {
            error = "it must be relative (no leading '/')";
            return false;
        }

        var start = 0;
        while (start <= path.Length)
        {
            var end = path.IndexOf('/', start);
            if (end < 0)
            {
                end = path.Length;
            }

            var segment = path.AsSpan(start, end - start);
            if (segment.IsEmpty)
            {
                error = "it has an empty segment ('//' or a trailing '/')";
                return false;
            }

            if (segment is "." or "..")
            {
                error = "'.' and '..' segments are not allowed";
                return false;
            }

            if (segment.IndexOfAny('\\', '\0') >= 0)
            {
                error = "'\\' and NUL are not allowed";
                return false;
            }

            start = end + 1;
        }

        error = "";
        return true;
    }

    /// <summary><paramref name="folder"/> joined with <paramref name="name"/>; either may be empty.</summary>
    public static string Combine(string folder, string name) =>
        folder.Length == 0 ? name : name.Length == 0 ? folder : folder + "/" + name;
}
