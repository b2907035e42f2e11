using System.Globalization;
using Amazon.DynamoDBv2.Model;

namespace CdcLake.Hudi.Internal;

/// <summary>
/// The AWS DynamoDB lock client's item layout and conditional expressions, as Hudi's
/// DynamoDBBasedLockProvider uses them (no sort key). Every name and expression here is the lock
/// client's; the sources are cited at the top of DynamoDbLockProvider.cs.
/// </summary>
internal static class DynamoDbLockItem
{
    /// <summary>The partition key attribute (S): Hudi's DYNAMODB_ATTRIBUTE_NAME and the client's default partition key name.</summary>
    public const string PartitionKey = "key";

    public const string OwnerName = "ownerName";

    /// <summary>Milliseconds, as a decimal string (S), never a number (N).</summary>
    public const string LeaseDuration = "leaseDuration";

    /// <summary>A random UUID string (S), new on every acquire and heartbeat.</summary>
    public const string RecordVersionNumber = "recordVersionNumber";

    /// <summary>Optional binary payload (B); Hudi passes none, so neither do we.</summary>
    public const string Data = "data";

    /// <summary>Present (S "1") on a lock released without deleting it; its presence alone marks it released.</summary>
    public const string IsReleased = "isReleased";

    public const string IsReleasedValue = "1";

    // The client's expression placeholders.
    public const string PkPath = "#pk";
    public const string RvnPath = "#rvn";
    public const string RvnValue = ":rvn";
    public const string NewRvnValue = ":newRvn";
    public const string OwnerPath = "#on";
    public const string OwnerValue = ":on";
    public const string LeasePath = "#ld";
    public const string LeaseValue = ":ld";
    public const string ReleasedPath = "#ir";
    public const string ReleasedValue = ":ir";

    /// <summary>Acquire a lock no one holds (ACQUIRE_LOCK_THAT_DOESNT_EXIST_PK_CONDITION).</summary>
    public const string AcquireNewCondition = "attribute_not_exists(#pk)";

    /// <summary>Acquire a lock its holder released without deleting (PK_EXISTS_AND_IS_RELEASED_CONDITION).</summary>
    public const string AcquireReleasedCondition = "attribute_exists(#pk) AND #ir = :ir";

    /// <summary>Take over a lock whose version stayed the same for a whole lease (PK_EXISTS_AND_RVN_IS_THE_SAME_CONDITION).</summary>
    public const string AcquireExpiredCondition = "attribute_exists(#pk) AND #rvn = :rvn";

    /// <summary>Heartbeat and release: still ours, at the version we last wrote (PK_EXISTS_AND_OWNER_NAME_SAME_AND_RVN_SAME_CONDITION).</summary>
    public const string OwnedCondition = "attribute_exists(#pk) AND #rvn = :rvn AND #on = :on";

    /// <summary>Heartbeat (UPDATE_LEASE_DURATION_AND_RVN).</summary>
    public const string HeartbeatUpdate = "SET #ld = :ld, #rvn = :newRvn";

    /// <summary>Release without deleting (UPDATE_IS_RELEASED).</summary>
    public const string ReleaseUpdate = "SET #ir = :ir";

    public static AttributeValue S(string value) => new() { S = value };

    public static string NewRecordVersionNumber() => Guid.NewGuid().ToString();

    public static Dictionary<string, AttributeValue> Key(string partitionKey) => new() { [PartitionKey] = S(partitionKey) };

    /// <summary>The item an acquire writes: exactly the four attributes the Java client writes when given no data.</summary>
    public static Dictionary<string, AttributeValue> NewItem(string partitionKey, string owner, long leaseMs, string recordVersionNumber) => new()
    {
        [PartitionKey] = S(partitionKey),
        [OwnerName] = S(owner),
        [LeaseDuration] = S(leaseMs.ToString(CultureInfo.InvariantCulture)),
        [RecordVersionNumber] = S(recordVersionNumber),
    };
}

/// <summary>A lock item as read (GetItem, consistent read).</summary>
internal sealed record DynamoDbLockState(string? Owner, long? LeaseMs, string RecordVersionNumber, bool IsReleased)
{
    public static DynamoDbLockState? From(Dictionary<string, AttributeValue>? item)
    {
        if (item is null || item.Count == 0)
        {
            return null;
        }

        string? Text(string name) => item.TryGetValue(name, out var v) ? v.S : null;

        long? lease = long.TryParse(Text(DynamoDbLockItem.LeaseDuration), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : null;

        // As the Java client reads it: released when the attribute is there at all, whatever its value.
        return new DynamoDbLockState(
            Text(DynamoDbLockItem.OwnerName),
            lease,
            Text(DynamoDbLockItem.RecordVersionNumber) ?? "",
            item.ContainsKey(DynamoDbLockItem.IsReleased));
    }
}
