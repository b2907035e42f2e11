namespace CdcLake.Hudi;

/// <summary>
/// The order in which Hudi's Spark writer (on Java 8, where Properties is a Hashtable) stores hoodie.properties:
/// hash buckets from the last to the first, the checksum appended after them (HoodieTableConfig's ordered copy).
/// Readers do not care; matching it makes our file diff cleanly against a Spark-written one.
/// </summary>
/// <remarks>
/// Every v6 fixture's key order is exactly descending <c>(String.hashCode &amp; 0x7FFFFFFF) % capacity</c>, where
/// capacity is Hashtable's (11, then 2n+1 each time the count reaches three quarters). Keys sharing a bucket keep
/// the relative order the fixtures show (Hashtable puts the newest first; Hudi's insertion order is its own).
/// </remarks>
internal static class JavaHashtableOrder
{
    // The fixtures' order, which settles keys that share a bucket.
    private static readonly string[] s_fixtureOrder =
    [
        "hoodie.table.precombine.field",
        "hoodie.datasource.write.drop.partition.columns",
        "hoodie.table.partition.fields",
        "hoodie.table.type",
        "hoodie.archivelog.folder",
        "hoodie.populate.meta.fields",
        "hoodie.timeline.layout.version",
        "hoodie.table.version",
        "hoodie.table.recordkey.fields",
        "hoodie.database.name",
        "hoodie.datasource.write.partitionpath.urlencode",
        "hoodie.table.name",
        "hoodie.table.keygenerator.class",
        "hoodie.datasource.write.hive_style_partitioning",
        "hoodie.table.create.schema",
    ];

    public static JavaProperties Reorder(JavaProperties properties)
    {
        var keys = properties.Keys.Where(k => k != HoodieTableConfig.Checksum.Key).ToList();
        var capacity = 11;
        for (var count = 1; count <= keys.Count; count++)
        {
            // Hashtable.addEntry: rehash (2n+1) when the count before the insertion reaches the threshold.
            if (count - 1 >= (int)(capacity * 0.75f))
            {
                capacity = (capacity * 2) + 1;
            }
        }

        var ordered = keys
            .Select((key, inserted) => (Key: key, Bucket: (JavaHash(key) & 0x7FFFFFFF) % capacity, Rank: Array.IndexOf(s_fixtureOrder, key) is var r and >= 0 ? r : s_fixtureOrder.Length + inserted))
            .OrderByDescending(k => k.Bucket)
            .ThenBy(k => k.Rank)
            .Select(k => k.Key);
        var result = new JavaProperties();
        foreach (var key in ordered)
        {
            result.Set(key, properties[key]!);
        }

        if (properties[HoodieTableConfig.Checksum.Key] is { } checksum)
        {
            result.Set(HoodieTableConfig.Checksum.Key, checksum);
        }

        return result;
    }

    /// <summary>java.lang.String.hashCode over UTF-16 code units.</summary>
    internal static int JavaHash(string text)
    {
        var h = 0;
        foreach (var c in text)
        {
            h = unchecked((31 * h) + c);
        }

        return h;
    }
}
