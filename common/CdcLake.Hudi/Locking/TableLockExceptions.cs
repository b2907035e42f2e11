namespace CdcLake.Hudi;

/// <summary>Another writer holds the table's lock. The message names the table, the holder, its lease and the lock's location.</summary>
public sealed class TableLockedException : HudiException
{
    public TableLockedException()
    {
    }

    public TableLockedException(string message)
        : base(message)
    {
    }

    public TableLockedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal TableLockedException(string message, string tableKey, string location, string? holder, TimeSpan? leaseDuration, TimeSpan? retryAfter)
        : base(message)
    {
        TableKey = tableKey;
        Location = location;
        Holder = holder;
        LeaseDuration = leaseDuration;
        RetryAfter = retryAfter;
    }

    public string? TableKey { get; }

    /// <summary>The lock file, or <c>dynamodb://table/key</c>.</summary>
    public string? Location { get; }

    /// <summary>The holder's owner name, when the lock records one.</summary>
    public string? Holder { get; }

    /// <summary>The holder's lease, when the lock records one.</summary>
    public TimeSpan? LeaseDuration { get; }

    /// <summary>The earliest a retry could take the lock over if the holder is gone (it may release sooner).</summary>
    public TimeSpan? RetryAfter { get; }
}

/// <summary>A lock this writer held is no longer held: another writer has it, or no heartbeat got through for a lease.</summary>
public sealed class TableLockLostException : HudiException
{
    public TableLockLostException()
    {
    }

    public TableLockLostException(string message)
        : base(message)
    {
    }

    public TableLockLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
