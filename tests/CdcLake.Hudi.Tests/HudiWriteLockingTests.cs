using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

/// <summary>Every write holds the table lock from before recovery until after the commit, and commits only while it still holds it.</summary>
public sealed class HudiWriteLockingTests
{
    [Fact]
    public async Task Each_operation_takes_the_lock_on_the_table_and_releases_it()
    {
        using var place = TestStore.Create("local");
        var locks = new RecordingLocks();
        await HudiWriteClient.CreateTableAsync(place.Store, "", TestTables.Options("t"), Recs.SourceSchema);
        var client = new HudiWriteClient(place.Store, "", new HudiWriteOptions { LockProvider = locks, LockOwner = "job-1" });

        await client.UpsertAsync([Recs.Batch(Recs.Range(0, 3, 1, "a"))]);
        await client.DeleteAsync([Recs.Keys([(1, "a")])]);
        await client.CleanAsync();
        await client.RollbackFailedWritesAsync();

        locks.Events.Should().Equal(
            $"acquire {place.Store.Root} job-1", "release", $"acquire {place.Store.Root} job-1", "release",
            $"acquire {place.Store.Root} job-1", "release", $"acquire {place.Store.Root} job-1", "release");
    }

    [Fact]
    public async Task A_locked_table_is_not_touched()
    {
        using var place = TestStore.Create("local");
        await HudiWriteClient.CreateTableAsync(place.Store, "", TestTables.Options("t"), Recs.SourceSchema);
        var client = new HudiWriteClient(place.Store, "", new HudiWriteOptions { LockProvider = new RecordingLocks { Holder = "spark-job" }, LockKey = "orders" });

        var write = () => client.UpsertAsync([Recs.Batch(Recs.Range(0, 3, 1, "a"))]);

        (await write.Should().ThrowAsync<TableLockedException>()).Which.Message.Should().Contain("spark-job");
        (await HudiTable.OpenAsync(place.Store)).Timeline.Instants.Should().BeEmpty();
    }

    [Fact]
    public async Task A_lock_lost_before_the_commit_leaves_a_pending_write_that_the_next_writer_rolls_back()
    {
        using var place = TestStore.Create("local");
        await HudiWriteClient.CreateTableAsync(place.Store, "", TestTables.Options("t"), Recs.SourceSchema);
        var losing = new HudiWriteClient(place.Store, "", new HudiWriteOptions { LockProvider = new RecordingLocks { LoseBeforeCommit = true } });

        var write = () => losing.UpsertAsync([Recs.Batch(Recs.Range(0, 3, 1, "a"))]);

        await write.Should().ThrowAsync<TableLockLostException>();
        var table = await HudiTable.OpenAsync(place.Store);
        table.Timeline.Completed.Should().BeEmpty();
        table.Timeline.Pending.Should().ContainSingle();
        (await Recs.ReadAsync(table)).Should().BeEmpty();

        var next = await new HudiWriteClient(place.Store, "", TestTables.WriteOptions()).UpsertAsync([Recs.Batch(Recs.Range(5, 6, 1, "a"))]);
        next.Rollbacks.Should().ContainSingle();
        (await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store))).Select(r => r.Id).Should().Equal(5);
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty();
    }

    [Fact]
    public async Task With_the_local_file_lock_a_second_writer_waits_its_turn()
    {
        using var place = TestStore.Create("local");
        await HudiWriteClient.CreateTableAsync(place.Store, "", TestTables.Options("t"), Recs.SourceSchema);
        var locks = new LocalFileLockProvider();
        var client = new HudiWriteClient(place.Store, "", new HudiWriteOptions { LockProvider = locks });
        await client.UpsertAsync([Recs.Batch(Recs.Range(0, 2, 1, "a"))]);

        await using (var held = await locks.AcquireAsync(place.LocalPath!, TableLockOwner.Create("other-job")))
        {
            var blocked = () => client.UpsertAsync([Recs.Batch(Recs.Range(2, 4, 1, "a"))]);
            (await blocked.Should().ThrowAsync<TableLockedException>()).Which.Message.Should().Contain("other-job");
            (await HudiTable.OpenAsync(place.Store)).Timeline.Instants.Should().ContainSingle();
        }

        await client.UpsertAsync([Recs.Batch(Recs.Range(2, 4, 1, "a"))]);
        (await Recs.ReadAsync(await HudiTable.OpenAsync(place.Store))).Select(r => r.Id).Should().Equal(0, 1, 2, 3);
        (await HudiTableValidator.ValidateAsync(place.Store)).Problems.Should().BeEmpty("the lock file and its guard are not timeline debris");
    }

    private sealed class RecordingLocks : ITableLockProvider
    {
        public List<string> Events { get; } = [];

        public string? Holder { get; init; }

        public bool LoseBeforeCommit { get; init; }

        public Task<ITableLock> AcquireAsync(string tableKey, string owner, CancellationToken cancellationToken = default)
        {
            if (Holder is not null)
            {
                throw new TableLockedException($"table {tableKey} is locked by {Holder}");
            }

            Events.Add($"acquire {tableKey} {owner}");
            return Task.FromResult<ITableLock>(new Held(this, tableKey, owner));
        }

        private sealed class Held(RecordingLocks provider, string tableKey, string owner) : ITableLock
        {
            private bool _released;

            public string TableKey => tableKey;

            public string Owner => owner;

            public DateTimeOffset AcquiredAt { get; } = DateTimeOffset.UtcNow;

            public TimeSpan LeaseDuration => TimeSpan.FromMinutes(1);

            public string Location => "memory";

            public bool IsLost => provider.LoseBeforeCommit || _released;

            public CancellationToken LostToken => CancellationToken.None;

            public void EnsureHeld()
            {
                if (IsLost)
                {
                    throw new TableLockLostException($"lost {tableKey}");
                }
            }

            public ValueTask ReleaseAsync(CancellationToken cancellationToken = default) => DisposeAsync();

            public ValueTask DisposeAsync()
            {
                if (!_released)
                {
                    _released = true;
                    provider.Events.Add("release");
                }

                return ValueTask.CompletedTask;
            }
        }
    }
}

/// <summary>A pending instant with a fresh heartbeat is another writer's work in progress, not debris.</summary>
public sealed class HeartbeatTests
{
    [Fact]
    public async Task A_pending_write_with_a_live_heartbeat_is_not_rolled_back()
    {
        using var place = TestStore.Create("local");
        var client = await TestTables.CreateAsync(place.Store, TestTables.Options("t"));
        await client.UpsertAsync([Recs.Batch(Recs.Range(0, 3, 1, "a"))]);
        // As a Spark writer with optimistic concurrency leaves things while it writes.
        var live = InstantTime.Format(DateTime.UtcNow.AddSeconds(-5));
        await place.Store.CreateAsync($".hoodie/{live}.commit.requested", ReadOnlyMemory<byte>.Empty);
        await place.Store.CreateAsync($".hoodie/.heartbeat/{live}", ReadOnlyMemory<byte>.Empty);

        var write = () => client.UpsertAsync([Recs.Batch(Recs.Range(3, 4, 1, "a"))]);

        (await write.Should().ThrowAsync<HudiException>()).Which.Message.Should().Contain("heartbeat");
        (await HudiTable.OpenAsync(place.Store)).Timeline.Pending.Should().ContainSingle(i => i.Time == live);

        // Once the heartbeat is stale, the instant is debris and is rolled back.
        File.SetLastWriteTimeUtc(Path.Combine(place.LocalPath!, ".hoodie", ".heartbeat", live), DateTime.UtcNow.AddMinutes(-10));
        var rollbacks = await client.RollbackFailedWritesAsync();
        rollbacks.Should().ContainSingle().Which.RolledBackInstant.Should().Be(live);
    }
}
