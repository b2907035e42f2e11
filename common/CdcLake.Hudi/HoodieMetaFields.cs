namespace CdcLake.Hudi;

/// <summary>The five meta columns that lead every base file's schema (optional strings), in file order.</summary>
public static class HoodieMetaFields
{
    public const string CommitTime = "_hoodie_commit_time";
    public const string CommitSeqNo = "_hoodie_commit_seqno";
    public const string RecordKey = "_hoodie_record_key";
    public const string PartitionPath = "_hoodie_partition_path";
    public const string FileName = "_hoodie_file_name";

    public static IReadOnlyList<string> All { get; } = [CommitTime, CommitSeqNo, RecordKey, PartitionPath, FileName];

    public static bool IsMetaField(string name) => All.Contains(name, StringComparer.Ordinal);
}
