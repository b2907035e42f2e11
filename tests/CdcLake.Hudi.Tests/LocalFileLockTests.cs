using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CdcLake.Hudi.Internal;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

public sealed class LocalFileLockTests : IDisposable
{
    private static readonly TimeSpan LongLease = TimeSpan.FromMinutes(10);

    private readonly TempDirectory _temp = new("lock");

    public LocalFileLockTests()
    {
        Table = Path.Combine(_temp.Path, "orders");
        Directory.CreateDirectory(Path.Combine(Table, ".hoodie"));
        LockFile = Path.Combine(Table, ".hoodie", "lock");
    }

    private string Table { get; }

    private string LockFile { get; }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Acquire_creates_the_lock_file_naming_owner_pid_host_and_time_and_release_deletes_it()
    {
        var provider = new LocalFileLockProvider();
        provider.LockFilePath(Table).Should().Be(LockFile, "Hudi's FileSystemBasedLockProvider default: <base>/.hoodie/lock");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        await using (var held = await provider.AcquireAsync(Table, "writer-a"))
        {
            held.Owner.Should().Be("writer-a");
            held.TableKey.Should().Be(Table);
            held.Location.Should().Be(LockFile);
            held.IsLost.Should().BeFalse();
            held.EnsureHeld();

            using var json = JsonDocument.Parse(File.ReadAllBytes(LockFile));
            var root = json.RootElement;
            root.GetProperty("lockedBy").GetString().Should().Be("cdclake");
            root.GetProperty("owner").GetString().Should().Be("writer-a");
            root.GetProperty("host").GetString().Should().Be(Environment.MachineName);
            root.GetProperty("pid").GetInt32().Should().Be(Environment.ProcessId);
            root.GetProperty("leaseMs").GetInt64().Should().Be(60_000);
            root.GetProperty("acquiredAt").GetDateTimeOffset().Should().BeOnOrAfter(before).And.BeOnOrBefore(DateTimeOffset.UtcNow.AddSeconds(1));
            root.GetProperty("token").GetString().Should().NotBeNullOrEmpty();
        }

        File.Exists(LockFile).Should().BeFalse("disposing the lock releases it");
        await using var again = await provider.AcquireAsync(Table, "writer-b");
        again.Owner.Should().Be("writer-b");
    }

    [Fact]
    public async Task A_second_writer_fails_fast_with_a_message_naming_the_table_the_owner_and_the_lease()
    {
        await using var held = await new LocalFileLockProvider().AcquireAsync(Table, "writer-a");

        var clock = Stopwatch.StartNew();
        var act = () => new LocalFileLockProvider().AcquireAsync(Table, "writer-b");
        var error = (await act.Should().ThrowAsync<TableLockedException>()).Which;

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5), "no wait was asked for");
        error.Message.Should().Contain($"Table '{Table}'").And.Contain("'writer-a'").And.Contain("lease 60000 ms")
            .And.Contain($"pid {Environment.ProcessId}").And.Contain(LockFile);
        error.Holder.Should().Be("writer-a");
        error.TableKey.Should().Be(Table);
        error.Location.Should().Be(LockFile);
        error.LeaseDuration.Should().Be(TimeSpan.FromSeconds(60));
        held.EnsureHeld();
    }

    [Fact]
    public async Task A_waiting_writer_gets_the_lock_when_the_holder_releases()
    {
        var held = await new LocalFileLockProvider().AcquireAsync(Table, "writer-a");
        var waiter = new LocalFileLockProvider(new LocalFileLockOptions
        {
            AcquireWait = TimeSpan.FromSeconds(20),
            RetryPeriod = TimeSpan.FromMilliseconds(50),
        });

        var waiting = waiter.AcquireAsync(Table, "writer-b");
        await Task.Delay(300);
        waiting.IsCompleted.Should().BeFalse();
        await held.DisposeAsync();

        await using var second = await waiting;
        second.Owner.Should().Be("writer-b");
    }

    [Fact]
    public async Task The_heartbeat_keeps_the_lock_past_its_lease()
    {
        var options = new LocalFileLockOptions
        {
            LeaseDuration = TimeSpan.FromMilliseconds(1500),
            HeartbeatPeriod = TimeSpan.FromMilliseconds(150),
        };
        await using var held = await new LocalFileLockProvider(options).AcquireAsync(Table, "writer-a");
        var firstWrite = File.GetLastWriteTimeUtc(LockFile);

        var waiter = new LocalFileLockProvider(options with { AcquireWait = TimeSpan.FromSeconds(4), RetryPeriod = TimeSpan.FromMilliseconds(100) });
        await FluentActions.Awaiting(() => waiter.AcquireAsync(Table, "writer-b")).Should().ThrowAsync<TableLockedException>();

        File.GetLastWriteTimeUtc(LockFile).Should().BeAfter(firstWrite, "each heartbeat touches the file");
        held.IsLost.Should().BeFalse();
        held.EnsureHeld();
    }

    [Fact]
    public async Task A_lock_from_another_host_is_taken_over_only_once_its_lease_has_expired()
    {
        var foreign = Record("writer-elsewhere", host: "some-other-host", pid: 4242, leaseMs: 1500);
        File.WriteAllBytes(LockFile, foreign.ToJson());
        var provider = new LocalFileLockProvider();

        var error = (await FluentActions.Awaiting(() => provider.AcquireAsync(Table, "writer-b")).Should().ThrowAsync<TableLockedException>()).Which;
        error.Message.Should().Contain("'writer-elsewhere'").And.Contain("host 'some-other-host'").And.Contain("lease 1500 ms");
        error.RetryAfter.Should().BeGreaterThan(TimeSpan.Zero).And.BeLessThanOrEqualTo(TimeSpan.FromMilliseconds(1500));

        // Its last heartbeat (the file's last write) is now older than its lease.
        File.SetLastWriteTimeUtc(LockFile, DateTime.UtcNow.AddSeconds(-2));
        await using var held = await provider.AcquireAsync(Table, "writer-b");
        ReadRecord().Owner.Should().Be("writer-b");
    }

    [Fact]
    public async Task A_lock_of_an_exited_process_on_this_host_is_taken_over_at_once()
    {
        using var finished = Process.Start(new ProcessStartInfo("sh", ["-c", "exit 0"]) { UseShellExecute = false })!;
        await finished.WaitForExitAsync();
        File.WriteAllBytes(LockFile, Record("crashed-writer", Environment.MachineName, finished.Id, leaseMs: (long)LongLease.TotalMilliseconds).ToJson());

        await using var held = await new LocalFileLockProvider().AcquireAsync(Table, "writer-b");
        ReadRecord().Owner.Should().Be("writer-b");
    }

    [Fact]
    public async Task A_reused_pid_does_not_keep_a_dead_writers_lock_alive()
    {
        // Our own (live) pid, but recorded with another start time: the process that wrote it is gone.
        var marker = OperatingSystem.IsLinux() ? "linux-ticks:1" : "start-utc-ticks:1";
        File.WriteAllBytes(LockFile, Record("old-writer", Environment.MachineName, Environment.ProcessId, (long)LongLease.TotalMilliseconds, marker).ToJson());

        await using var held = await new LocalFileLockProvider().AcquireAsync(Table, "writer-b");
        ReadRecord().Owner.Should().Be("writer-b");
    }

    [Fact]
    public async Task A_live_process_on_this_host_keeps_its_lock_within_the_lease()
    {
        File.WriteAllBytes(LockFile, Record("live-writer", Environment.MachineName, Environment.ProcessId, (long)LongLease.TotalMilliseconds, ProcessIdentity.CurrentStartMarker).ToJson());

        var error = (await FluentActions.Awaiting(() => new LocalFileLockProvider().AcquireAsync(Table, "writer-b")).Should().ThrowAsync<TableLockedException>()).Which;
        error.Holder.Should().Be("live-writer");
    }

    [Fact]
    public async Task A_lock_file_written_by_Hudi_blocks_until_our_lease_has_passed_since_its_last_write()
    {
        // What Hudi's FileSystemBasedLockProvider writes (LockInfo as JSON); it never heartbeats.
        const string hudiLockInfo = "{\"lockCreateTime\":\"2024-05-01 10:00:00.000\",\"lockThreadName\":\"main\",\"lockStacksInfo\":[]}";
        File.WriteAllText(LockFile, hudiLockInfo);
        var provider = new LocalFileLockProvider(new LocalFileLockOptions { LeaseDuration = TimeSpan.FromSeconds(30) });

        var error = (await FluentActions.Awaiting(() => provider.AcquireAsync(Table, "writer-b")).Should().ThrowAsync<TableLockedException>()).Which;
        error.Message.Should().Contain("not CdcLake").And.Contain("lockCreateTime");
        error.Holder.Should().BeNull();

        File.SetLastWriteTimeUtc(LockFile, DateTime.UtcNow.AddSeconds(-31));
        await using var held = await provider.AcquireAsync(Table, "writer-b");
        ReadRecord().Owner.Should().Be("writer-b");
    }

    [Fact]
    public async Task A_writer_whose_lock_was_taken_over_learns_it_and_its_release_leaves_the_new_lock_alone()
    {
        var options = new LocalFileLockOptions { LeaseDuration = TimeSpan.FromMilliseconds(600), HeartbeatPeriod = TimeSpan.FromMilliseconds(100) };
        var held = await new LocalFileLockProvider(options).AcquireAsync(Table, "writer-a");

        // Another writer's takeover, as if our heartbeats had stopped for a lease.
        var other = Record("writer-b", "some-other-host", 4242, leaseMs: 60_000).ToJson();
        File.WriteAllBytes(LockFile, other);

        await WaitUntil(() => held.IsLost, TimeSpan.FromSeconds(10));
        held.LostToken.IsCancellationRequested.Should().BeTrue();
        held.Invoking(h => h.EnsureHeld()).Should().Throw<TableLockLostException>().WithMessage("*writer-a*another writer holds it now*");

        await held.DisposeAsync();
        File.ReadAllBytes(LockFile).Should().Equal(other, "releasing a lost lock must not delete the new holder's file");
    }

    [Fact]
    public async Task Of_many_concurrent_acquirers_exactly_one_wins()
    {
        for (var round = 0; round < 3; round++)
        {
            var attempts = Enumerable.Range(0, 8)
                .Select(i => Task.Run(() => new LocalFileLockProvider().AcquireAsync(Table, $"writer-{round}-{i}")))
                .ToArray();
            var winners = await Settle(attempts);

            winners.Should().ContainSingle();
            attempts.Count(t => t.Exception?.InnerException is TableLockedException).Should().Be(7);
            ReadRecord().Owner.Should().Be(winners[0].Owner);
            await winners[0].DisposeAsync();
        }
    }

    [Fact]
    public async Task Of_many_writers_taking_over_a_dead_writers_lock_exactly_one_wins()
    {
        for (var round = 0; round < 3; round++)
        {
            File.WriteAllBytes(LockFile, Record("crashed-writer", "some-other-host", 4242, leaseMs: 100).ToJson());
            File.SetLastWriteTimeUtc(LockFile, DateTime.UtcNow.AddMinutes(-1));

            var attempts = Enumerable.Range(0, 8)
                .Select(i => Task.Run(() => new LocalFileLockProvider().AcquireAsync(Table, $"writer-{round}-{i}")))
                .ToArray();
            var winners = await Settle(attempts);

            winners.Should().ContainSingle();
            ReadRecord().Owner.Should().Be(winners[0].Owner);
            await winners[0].DisposeAsync();
        }
    }

    [Fact]
    public async Task Two_processes_exclude_each_other()
    {
        var probe = LockProbe.Start(Table, "child-writer", LongLease);
        try
        {
            (await LockProbe.FirstLineAsync(probe)).Should().Be($"acquired {probe.Id}");

            var error = (await FluentActions.Awaiting(() => new LocalFileLockProvider().AcquireAsync(Table, "parent-writer"))
                .Should().ThrowAsync<TableLockedException>()).Which;
            error.Message.Should().Contain("'child-writer'").And.Contain($"pid {probe.Id}");

            await probe.StandardInput.WriteLineAsync("release");
            (await LockProbe.FirstLineAsync(probe)).Should().Be("released");
            await probe.WaitForExitAsync();
        }
        finally
        {
            Kill(probe);
        }

        await using var held = await new LocalFileLockProvider().AcquireAsync(Table, "parent-writer");
        var second = LockProbe.Start(Table, "child-writer-2", LongLease);
        try
        {
            var line = await LockProbe.FirstLineAsync(second);
            line.Should().StartWith("locked ").And.Contain("'parent-writer'").And.Contain($"pid {Environment.ProcessId}");
            await second.WaitForExitAsync();
            second.ExitCode.Should().Be(LockProbe.LockedExitCode);
        }
        finally
        {
            Kill(second);
        }
    }

    [Fact]
    public async Task The_lock_of_a_writer_process_that_died_is_taken_over_at_once()
    {
        var probe = LockProbe.Start(Table, "child-writer", LongLease);
        var childPid = probe.Id;
        try
        {
            (await LockProbe.FirstLineAsync(probe)).Should().Be($"acquired {childPid}");
            await probe.StandardInput.WriteLineAsync("die");
            await probe.WaitForExitAsync();
        }
        finally
        {
            Kill(probe);
        }

        ReadRecord().Owner.Should().Be("child-writer", "a writer that dies leaves its lock file behind");
        ReadRecord().Pid.Should().Be(childPid);

        // The lease is ten minutes: only the dead pid lets us in.
        var clock = Stopwatch.StartNew();
        await using var held = await new LocalFileLockProvider(new LocalFileLockOptions { LeaseDuration = LongLease }).AcquireAsync(Table, "parent-writer");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
        ReadRecord().Owner.Should().Be("parent-writer");
    }

    [Fact]
    public void Options_and_table_keys_are_checked()
    {
        FluentActions.Invoking(() => new LocalFileLockProvider(new LocalFileLockOptions { LeaseDuration = TimeSpan.FromSeconds(1), HeartbeatPeriod = TimeSpan.FromMilliseconds(600) }))
            .Should().Throw<ArgumentOutOfRangeException>().WithMessage("*half the lease*");
        FluentActions.Invoking(() => new LocalFileLockProvider(new LocalFileLockOptions { LockFile = "../lock" }))
            .Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new LocalFileLockProvider().LockFilePath("s3://bucket/lake/orders"))
            .Should().Throw<ArgumentException>().WithMessage("*DynamoDbLockProvider*");
    }

    private static LocalLockRecord Record(string owner, string host, int pid, long leaseMs, string? processStart = null) =>
        new(owner, host, pid, null, processStart, null, DateTimeOffset.UtcNow, leaseMs, Guid.NewGuid().ToString("N"));

    private static async Task<List<ITableLock>> Settle(Task<ITableLock>[] attempts)
    {
        try
        {
            await Task.WhenAll(attempts);
        }
        catch (TableLockedException)
        {
        }

        attempts.Where(t => t.IsFaulted).Should().OnlyContain(t => t.Exception!.InnerException is TableLockedException);
        return [.. attempts.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result)];
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            clock.Elapsed.Should().BeLessThan(timeout, "the condition should have come true by now");
            await Task.Delay(20);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
    }

    private LocalLockRecord ReadRecord() =>
        LocalLockRecord.Parse(File.ReadAllBytes(LockFile)) ?? throw new InvalidOperationException(Encoding.UTF8.GetString(File.ReadAllBytes(LockFile)));
}
