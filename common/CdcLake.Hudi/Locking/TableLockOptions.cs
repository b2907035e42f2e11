namespace CdcLake.Hudi;

/// <summary>Timing every table lock provider shares.</summary>
public abstract record TableLockOptions
{
    /// <summary>
    /// How long a lock stays valid without a heartbeat; another writer may take it over only after that.
    /// Default 60 s: Hudi's DynamoDB provider uses <c>hoodie.write.lock.wait_time_ms</c> (default 60000) as the lease.
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Time between heartbeats; default a third of the lease (Hudi's choice). At most half the lease.</summary>
    public TimeSpan? HeartbeatPeriod { get; init; }

    /// <summary>
    /// How long <see cref="ITableLockProvider.AcquireAsync"/> keeps trying while another writer holds the
    /// lock. Default zero: fail at once with <see cref="TableLockedException"/>.
    /// </summary>
    public TimeSpan AcquireWait { get; init; } = TimeSpan.Zero;

    /// <summary>Time between attempts while waiting; default 1 s (the AWS lock client's refresh period).</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(1);

    internal TimeSpan EffectiveHeartbeatPeriod => HeartbeatPeriod ?? LeaseDuration / 3;

    internal virtual void Validate()
    {
        if (LeaseDuration < TimeSpan.FromMilliseconds(3))
        {
            throw new ArgumentOutOfRangeException(nameof(LeaseDuration), LeaseDuration, "The lease must be at least 3 ms.");
        }

        // The AWS lock client refuses the same: a heartbeat that late would let locks expire between beats.
        if (EffectiveHeartbeatPeriod <= TimeSpan.Zero || EffectiveHeartbeatPeriod > LeaseDuration / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(HeartbeatPeriod), EffectiveHeartbeatPeriod, "The heartbeat period must be positive and at most half the lease.");
        }

        if (AcquireWait < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(AcquireWait), AcquireWait, "The wait cannot be negative.");
        }

        if (RetryPeriod <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryPeriod), RetryPeriod, "The retry period must be positive.");
        }
    }
}
