namespace CdcLake.Hudi;

/// <summary>
/// A partition folder of a table: its path relative to the table root ("" for a non-partitioned table) and the
/// partition field values the path encodes, for pruning. Values are read back from the folder names as the key
/// generators wrote them: <c>field=value</c> segments (hive style) or bare values matched to the table's
/// partition fields in order, <c>%XX</c>-unescaped when the table url-encodes, and null for
/// <c>__HIVE_DEFAULT_PARTITION__</c>.
/// </summary>
public sealed class HudiPartition
{
    private HudiPartition(string path, IReadOnlyDictionary<string, string?> values)
    {
        Path = path;
        Values = values;
    }

    public string Path { get; }

    /// <summary>
    /// Partition field → value text (null for the default partition). Empty when the path cannot be matched
    /// to the table's partition fields (e.g. a custom key generator's layout); filter on <see cref="Path"/> then.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Values { get; }

    public int Depth => PartitionPaths.Depth(Path);

    /// <summary>The value of <paramref name="field"/>, or null when absent or the default partition.</summary>
    public string? this[string field] => Values.GetValueOrDefault(field);

    /// <summary>Reads the values of <paramref name="path"/> under <paramref name="config"/>'s partitioning.</summary>
    public static HudiPartition Parse(string path, TableConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Parse(path, config.PartitionFields, config.HiveStylePartitioning, config.UrlEncodePartitioning);
    }

    public static HudiPartition Parse(string path, IReadOnlyList<string> partitionFields, bool hiveStyle, bool urlEncoded)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(partitionFields);
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (path.Length == 0 || partitionFields.Count == 0)
        {
            return new HudiPartition(path, values);
        }

        var segments = path.Split('/');
        if (hiveStyle && segments.All(s => s.Contains('=')))
        {
            foreach (var segment in segments)
            {
                var eq = segment.IndexOf('=');
                values[segment[..eq]] = Value(segment[(eq + 1)..], urlEncoded);
            }
        }
        else if (segments.Length == partitionFields.Count)
        {
            for (var i = 0; i < segments.Length; i++)
            {
                var segment = segments[i];
                var prefix = partitionFields[i] + "=";
                values[partitionFields[i]] = Value(segment.StartsWith(prefix, StringComparison.Ordinal) ? segment[prefix.Length..] : segment, urlEncoded);
            }
        }
        else if (partitionFields.Count == 1)
        {
            // One field whose values hold '/' (a timestamp key generator's yyyy/MM/dd, say): the whole path is the value.
            values[partitionFields[0]] = Value(path, urlEncoded);
        }

        return new HudiPartition(path, values);
    }

    public override string ToString() => Path;

    private static string? Value(string text, bool urlEncoded) =>
        text == PartitionPaths.DefaultPartition ? null : urlEncoded ? PartitionPaths.Unescape(text) : text;
}
