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
