using System.Globalization;
using System.Text;

namespace CdcLake.Hudi;

/// <summary>
/// Partition path text: Hive-style escaping (Hudi's PartitionPathEncodeUtils, taken from Hive's FileUtils),
/// the default partition for null/empty values, and the <c>field=value</c> / <c>value</c> folder forms.
/// </summary>
public static class PartitionPaths
{
    /// <summary>The folder of null or empty partition values.</summary>
    public const string DefaultPartition = "__HIVE_DEFAULT_PARTITION__";

    /// <summary>Tables written before Hudi 0.12 used this for null values.</summary>
    public const string DeprecatedDefaultPartition = "default";

    private static readonly bool[] s_escaped = BuildEscapeTable();

    /// <summary>
    /// Escapes a partition value: control characters 0x01–0x1F, <c>" # % ' * / : = ? \ { [ ] ^</c> and DEL
    /// become <c>%XX</c> (uppercase hex of the UTF-16 code unit); other characters, non-ASCII included,
    /// stay. Null or empty gives <see cref="DefaultPartition"/>.
    /// </summary>
    public static string Escape(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return DefaultPartition;
        }

        StringBuilder? sb = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c < s_escaped.Length && s_escaped[c])
            {
                sb ??= new StringBuilder(value, 0, i, value.Length + 8);
                sb.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb?.Append(c);
            }
        }

        return sb?.ToString() ?? value;
    }

    /// <summary>Reverses <see cref="Escape"/>: every <c>%XX</c> of two hex digits becomes its character.</summary>
    public static string Unescape(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var sb = new StringBuilder(path.Length);
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '%' && i + 2 < path.Length
                && int.TryParse(path.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
            {
                sb.Append((char)code);
                i += 2;
                continue;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    /// <summary>
    /// One partition path segment as Hudi's key generators make it: <see cref="DefaultPartition"/> for null or
    /// empty, escaped when <paramref name="urlEncode"/>, prefixed <c>field=</c> when <paramref name="hiveStyle"/>.
    /// </summary>
    public static string Segment(string field, string? valueText, bool hiveStyle, bool urlEncode)
    {
        ArgumentNullException.ThrowIfNull(field);
        var value = string.IsNullOrEmpty(valueText)
            ? DefaultPartition
            : urlEncode ? Escape(valueText) : valueText;
        return hiveStyle ? field + "=" + value : value;
    }

    /// <summary>Number of folder levels of a partition path ("" is 0): <c>partitionDepth</c> of its metadata.</summary>
    public static int Depth(string partitionPath)
    {
        ArgumentNullException.ThrowIfNull(partitionPath);
        return partitionPath.Length == 0 ? 0 : partitionPath.Split('/', StringSplitOptions.RemoveEmptyEntries).Length;
    }

    /// <summary>
    /// Throws for a partition path with a ".." segment, which would place files outside the table (newer
    /// Hudi releases refuse these too; url-encoding does not escape dots).
    /// </summary>
    /// <exception cref="HoodieKeyException">A ".." segment.</exception>
    public static string RequireNoTraversal(string partitionPath)
    {
        ArgumentNullException.ThrowIfNull(partitionPath);
        foreach (var segment in partitionPath.Replace('\\', '/').Split('/'))
        {
            if (segment == "..")
            {
                throw new HoodieKeyException(
                    $"partition path \"{partitionPath}\" has a \"..\" segment, which would write outside the table; sanitize the partition values");
            }
        }

        return partitionPath;
    }

    private static bool[] BuildEscapeTable()
    {
        var table = new bool[128];
        for (var c = 0; c < ' '; c++)
        {
            table[c] = true;
        }

        foreach (var c in "\"#%'*/:=?\\\u007F{[]^")
        {
            table[c] = true;
        }

        return table;
    }
}
