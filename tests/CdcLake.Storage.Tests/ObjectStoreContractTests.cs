using System.Security.Cryptography;
using FluentAssertions;
using Xunit;

namespace CdcLake.Storage.Tests;

/// <summary>
/// What every <see cref="IObjectStore"/> must do, run once per store (<see cref="LocalStoreTests"/>,
/// <see cref="S3StoreTests"/>). Each test gets a fresh, empty store root.
/// </summary>
public abstract class ObjectStoreContractTests : IDisposable
{
    private IObjectStore? _store;

    protected IObjectStore Store => _store ??= CreateStore();

    /// <summary>A store over a fresh, empty root.</summary>
    protected abstract IObjectStore CreateStore();

    public virtual void Dispose()
    {
        _store?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task WriteThenRead_RoundTrips()
    {
        var content = Bytes(5000, seed: 1);

        await Store.WriteAsync("a/b/c.bin", content);

        (await Store.ReadAllBytesAsync("a/b/c.bin")).Should().Equal(content);
        (await Store.ExistsAsync("a/b/c.bin")).Should().BeTrue();
        var entry = await Store.GetEntryAsync("a/b/c.bin");
        entry.Should().NotBeNull();
        entry!.Path.Should().Be("a/b/c.bin");
        entry.Name.Should().Be("c.bin");
        entry.Size.Should().Be(5000);
    }

    [Fact]
    public async Task Write_OverwritesByDefault()
    {
        await Store.WriteAsync("x.bin", Bytes(100, seed: 1));
        var second = Bytes(42, seed: 2);

        await Store.WriteAsync("x.bin", second);

        (await Store.ReadAllBytesAsync("x.bin")).Should().Equal(second);
    }

    [Fact]
    public async Task EmptyObject_RoundTrips()
    {
        await Store.WriteAsync("empty", ReadOnlyMemory<byte>.Empty);

        (await Store.ReadAllBytesAsync("empty")).Should().BeEmpty();
        await using var reader = await Store.OpenReadAsync("empty");
        reader.Length.Should().Be(0);
        reader.ReadExactly(0, Span<byte>.Empty);
    }

    [Fact]
    public async Task RangedReads_AtStartMiddleAndEnd()
    {
        var content = Bytes(10_000, seed: 3);
        await Store.WriteAsync("data/file.parquet", content);

        await using var reader = await Store.OpenReadAsync("data/file.parquet");
        reader.Length.Should().Be(10_000);
        reader.Location.Should().Be(Store.PathOf("data/file.parquet").ToString());

        var start = new byte[16];
        reader.ReadExactly(0, start);
        start.Should().Equal(content[..16]);

        var middle = new byte[1000];
        await reader.ReadExactlyAsync(4500, middle);
        middle.Should().Equal(content[4500..5500]);

        // A Parquet footer: the last 8 bytes, then what they point at.
        var tail = new byte[8];
        reader.ReadExactly(reader.Length - 8, tail);
        tail.Should().Equal(content[^8..]);

        var whole = new byte[10_000];
        await reader.ReadExactlyAsync(0, whole);
        whole.Should().Equal(content);

        await reader.ReadExactlyAsync(reader.Length, Memory<byte>.Empty);
    }

    [Fact]
    public async Task RangedReads_PastTheEnd_Fail()
    {
        await Store.WriteAsync("f.bin", Bytes(100, seed: 4));
        await using var reader = await Store.OpenReadAsync("f.bin");

        var straddling = () => reader.ReadExactly(96, new byte[8]);
        straddling.Should().Throw<EndOfStreamException>().Which.Message.Should().Contain("f.bin");

        var beyond = async () => await reader.ReadExactlyAsync(200, new byte[1]);
        await beyond.Should().ThrowAsync<EndOfStreamException>();

        var negative = () => reader.ReadExactly(-1, new byte[1]);
        negative.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task RangedReads_MayRunConcurrently()
    {
        var content = Bytes(64 * 1024, seed: 5);
        await Store.WriteAsync("concurrent.bin", content);
        await using var reader = await Store.OpenReadAsync("concurrent.bin");

        // Like parallel column decoding: synchronous reads of different ranges from several threads.
        var ranges = Enumerable.Range(0, 16).Select(i => (Offset: i * 4096L, Length: 4096)).ToArray();
        var results = new byte[ranges.Length][];
        Parallel.For(0, ranges.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var buffer = new byte[ranges[i].Length];
            reader.ReadExactly(ranges[i].Offset, buffer);
            results[i] = buffer;
        });

        for (var i = 0; i < ranges.Length; i++)
        {
            results[i].Should().Equal(content.AsSpan((int)ranges[i].Offset, ranges[i].Length).ToArray());
        }
    }

    [Fact]
    public async Task List_RecursiveOrNot_WithSizesAndTimes()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-2);
        await Store.WriteAsync("top.bin", Bytes(4, seed: 1));
        await Store.WriteAsync("a/1.bin", Bytes(1, seed: 1));
        await Store.WriteAsync("a/b/2.bin", Bytes(2, seed: 1));
        await Store.WriteAsync("a/b/c/3.bin", Bytes(3, seed: 1));
        await Store.WriteAsync("a-sibling/x.bin", Bytes(5, seed: 1));
        var after = DateTimeOffset.UtcNow.AddSeconds(2);

        var recursive = await List("a", recursive: true);
        recursive.Select(e => (e.Path, e.Size)).Should().BeEquivalentTo(new[]
        {
            ("a/1.bin", 1L),
            ("a/b/2.bin", 2L),
            ("a/b/c/3.bin", 3L),
        });
        recursive.Should().OnlyContain(e => e.LastModified >= before && e.LastModified <= after && e.LastModified.Offset == TimeSpan.Zero);

        (await List("a", recursive: false)).Select(e => e.Path).Should().Equal("a/1.bin");
        (await List("a/", recursive: false)).Select(e => e.Path).Should().Equal("a/1.bin");
        (await List("", recursive: false)).Select(e => e.Path).Should().Equal("top.bin");
        (await List("", recursive: true)).Should().HaveCount(5);
        (await List("a/b", recursive: true)).Select(e => e.Path).Should().BeEquivalentTo("a/b/2.bin", "a/b/c/3.bin");
    }

    [Fact]
    public virtual async Task List_IsInKeyOrder()
    {
        foreach (var path in new[] { "p/b", "p/a/z", "p/a-1", "p/A", "p/a/b" })
        {
            await Store.WriteAsync(path, Bytes(1, seed: 1));
        }

        // UTF-8 byte order of the whole path, as S3 lists: '-' (0x2D) sorts before '/' (0x2F).
        (await List("p", recursive: true)).Select(e => e.Path).Should().BeEquivalentTo(
            new[] { "p/A", "p/a-1", "p/a/b", "p/a/z", "p/b" },
            options => options.WithStrictOrdering());
    }

    [Fact]
    public async Task ListFolders_ShowsDirectChildFolders()
    {
        await Store.WriteAsync("t/dt=2024-01-01/x.parquet", Bytes(1, seed: 1));
        await Store.WriteAsync("t/dt=2024-01-02/y.parquet", Bytes(1, seed: 1));
        await Store.WriteAsync("t/dt=2024-01-02/deeper/z.parquet", Bytes(1, seed: 1));
        await Store.WriteAsync("t/file-not-folder", Bytes(1, seed: 1));

        (await ListFolders("t")).Should().Equal("t/dt=2024-01-01", "t/dt=2024-01-02");
        (await ListFolders("")).Should().Equal("t");
        (await ListFolders("t/dt=2024-01-02")).Should().Equal("t/dt=2024-01-02/deeper");
    }

    [Fact]
    public async Task List_OfMissingFolder_IsEmpty()
    {
        (await List("no/such/folder", recursive: true)).Should().BeEmpty();
        (await ListFolders("no/such/folder")).Should().BeEmpty();
    }

    [Fact]
    public async Task Create_WhenAbsent_WritesTheObject()
    {
        var content = Bytes(10, seed: 6);

        await Store.CreateAsync(".hoodie/001.commit", content);

        (await Store.ReadAllBytesAsync(".hoodie/001.commit")).Should().Equal(content);
    }

    [Fact]
    public async Task Create_WhenPresent_ThrowsObjectExists_AndKeepsTheObject()
    {
        var first = Bytes(10, seed: 7);
        await Store.CreateAsync(".hoodie/001.commit", first);

        var again = async () => await Store.CreateAsync(".hoodie/001.commit", Bytes(20, seed: 8));
        var write = async () => await Store.WriteAsync(".hoodie/001.commit", Bytes(20, seed: 8), overwrite: false);

        var thrown = (await again.Should().ThrowAsync<ObjectExistsException>()).Which;
        thrown.Operation.Should().Be(StorageOperation.Create);
        thrown.Location.Should().Be(Store.PathOf(".hoodie/001.commit").ToString());
        await write.Should().ThrowAsync<ObjectExistsException>();
        (await Store.ReadAllBytesAsync(".hoodie/001.commit")).Should().Equal(first);
    }

    [Fact]
    public virtual async Task Create_ConcurrentCreators_ExactlyOneWins()
    {
        Store.Capabilities.AtomicCreateIfAbsent.Should().BeTrue("this store claims atomic create-if-absent");
        const int creators = 8;
        var start = new TaskCompletionSource();
        var attempts = Enumerable.Range(0, creators).Select(async i =>
        {
            await start.Task;
            try
            {
                await Store.CreateAsync("race/instant.commit", Bytes(1000 + i, seed: i));
                return i;
            }
            catch (ObjectExistsException)
            {
                return -1;
            }
        }).ToArray();

        start.SetResult();
        var winners = (await Task.WhenAll(attempts)).Where(i => i >= 0).ToArray();

        winners.Should().ContainSingle();
        (await Store.ReadAllBytesAsync("race/instant.commit")).Should().Equal(Bytes(1000 + winners[0], seed: winners[0]));
    }

    [Fact]
    public async Task StreamingWrite_Of20MB_InSmallPieces()
    {
        const int size = 20 * 1024 * 1024;
        var content = Bytes(size, seed: 9);

        await using (var stream = await Store.OpenWriteAsync("big/20mb.bin"))
        {
            // Odd piece sizes so pieces straddle part boundaries.
            for (var offset = 0; offset < size;)
            {
                var piece = Math.Min(64 * 1024 + 17, size - offset);
                await stream.WriteAsync(content.AsMemory(offset, piece));
                offset += piece;
                stream.Position.Should().Be(offset);
            }

            (await Store.ExistsAsync("big/20mb.bin")).Should().BeFalse("nothing is visible before completion");
            await stream.CompleteAsync();
            stream.IsCompleted.Should().BeTrue();
        }

        (await Store.GetEntryAsync("big/20mb.bin"))!.Size.Should().Be(size);
        SHA256.HashData(await Store.ReadAllBytesAsync("big/20mb.bin")).Should().Equal(SHA256.HashData(content));

        await using var reader = await Store.OpenReadAsync("big/20mb.bin");
        var acrossParts = new byte[3 * 1024 * 1024];
        await reader.ReadExactlyAsync(1024 * 1024 - 100, acrossParts);
        acrossParts.Should().Equal(content.AsSpan(1024 * 1024 - 100, acrossParts.Length).ToArray());
    }

    [Fact]
    public async Task StreamingWrite_Synchronously()
    {
        // The Parquet writer is synchronous: Write(span) and Complete() must work without awaiting.
        var content = Bytes(2 * 1024 * 1024 + 12345, seed: 10);
        var stream = await Store.OpenWriteAsync("sync/file.parquet");
        using (stream)
        {
            for (var offset = 0; offset < content.Length; offset += 100_000)
            {
                stream.Write(content.AsSpan(offset, Math.Min(100_000, content.Length - offset)));
            }

            stream.Complete();
        }

        (await Store.ReadAllBytesAsync("sync/file.parquet")).Should().Equal(content);
        var afterComplete = () => stream.Write(new byte[1]);
        afterComplete.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public async Task StreamingWrite_WithoutOverwrite_RefusesAnExistingObject()
    {
        var first = Bytes(100, seed: 11);
        await Store.WriteAsync("once.bin", first);

        await using var stream = await Store.OpenWriteAsync("once.bin", overwrite: false);
        await stream.WriteAsync(Bytes(3 * 1024 * 1024, seed: 12));
        var complete = async () => await stream.CompleteAsync();

        await complete.Should().ThrowAsync<ObjectExistsException>();
        (await Store.ReadAllBytesAsync("once.bin")).Should().Equal(first);
    }

    [Fact]
    public async Task AbandonedWrite_LeavesNothingBehind()
    {
        var fail = async () =>
        {
            await using var stream = await Store.OpenWriteAsync("part/abandoned.bin");
            await stream.WriteAsync(Bytes(3 * 1024 * 1024 + 5, seed: 13));
            throw new InvalidOperationException("the writer failed half-way");
        };

        await fail.Should().ThrowAsync<InvalidOperationException>();

        (await Store.ExistsAsync("part/abandoned.bin")).Should().BeFalse();
        (await List("", recursive: true)).Should().BeEmpty();
        (await ListFolders("")).Should().BeEmpty();
        AssertNoLeftovers();
    }

    [Fact]
    public async Task AbandonedWrite_KeepsThePreviousObject()
    {
        var previous = Bytes(1000, seed: 14);
        await Store.WriteAsync("keep.bin", previous);

        await using (var stream = await Store.OpenWriteAsync("keep.bin"))
        {
            await stream.WriteAsync(Bytes(2 * 1024 * 1024, seed: 15));
        }

        (await Store.ReadAllBytesAsync("keep.bin")).Should().Equal(previous);
    }

    [Fact]
    public async Task FailingSourceStream_LeavesNothingBehind()
    {
        var source = new FailingStream(Bytes(5 * 1024 * 1024, seed: 16), failAfter: 3 * 1024 * 1024 + 7);

        var write = async () => await Store.WriteAsync("src/failed.bin", source);

        await write.Should().ThrowAsync<IOException>().WithMessage("*source broke*");
        (await Store.ExistsAsync("src/failed.bin")).Should().BeFalse();
        AssertNoLeftovers();
    }

    [Fact]
    public async Task WriteFromStream_RoundTrips()
    {
        var content = Bytes(3 * 1024 * 1024 + 1, seed: 17);

        await Store.WriteAsync("stream/in.bin", new MemoryStream(content));

        (await Store.ReadAllBytesAsync("stream/in.bin")).Should().Equal(content);
    }

    [Fact]
    public async Task Delete_RemovesTheObject_AndIsIdempotent()
    {
        await Store.WriteAsync("d/x.bin", Bytes(10, seed: 1));
        await Store.WriteAsync("keep.bin", Bytes(10, seed: 1));

        await Store.DeleteAsync("d/x.bin");

        (await Store.ExistsAsync("d/x.bin")).Should().BeFalse();
        (await Store.GetEntryAsync("d/x.bin")).Should().BeNull();
        (await ListFolders("")).Should().BeEmpty("a folder exists only while objects are under it");
        await Store.DeleteAsync("d/x.bin");
        await Store.DeleteAsync("never/there.bin");
        (await Store.ExistsAsync("keep.bin")).Should().BeTrue();
    }

    [Fact]
    public async Task DeletePrefix_RemovesTheFolderOnly()
    {
        await Store.WriteAsync("dt=2024-01-01/a.parquet", Bytes(1, seed: 1));
        await Store.WriteAsync("dt=2024-01-01/sub/b.parquet", Bytes(1, seed: 1));
        await Store.WriteAsync("dt=2024-01-02/c.parquet", Bytes(1, seed: 1));
        await Store.WriteAsync("dt=2024-01-01x", Bytes(1, seed: 1));

        var deleted = await Store.DeletePrefixAsync("dt=2024-01-01");

        deleted.Should().Be(2);
        (await List("", recursive: true)).Select(e => e.Path).Should().BeEquivalentTo("dt=2024-01-02/c.parquet", "dt=2024-01-01x");
        (await Store.DeletePrefixAsync("dt=2024-01-01")).Should().Be(0);
        var everything = async () => await Store.DeletePrefixAsync("");
        await everything.Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task Exists_IsTrueOnlyForObjects()
    {
        await Store.WriteAsync("folder/object", Bytes(1, seed: 1));

        (await Store.ExistsAsync("folder/object")).Should().BeTrue();
        (await Store.ExistsAsync("folder")).Should().BeFalse();
        (await Store.ExistsAsync("folder/missing")).Should().BeFalse();
        (await Store.ExistsAsync("missing")).Should().BeFalse();
    }

    [Fact]
    public async Task MissingObjects_AreObjectNotFound()
    {
        var open = async () => await Store.OpenReadAsync("no/such.parquet");
        var read = async () => await Store.ReadAllBytesAsync("no/such.parquet");

        var thrown = (await open.Should().ThrowAsync<ObjectNotFoundException>()).Which;
        thrown.Operation.Should().Be(StorageOperation.Read);
        thrown.Location.Should().Be(Store.PathOf("no/such.parquet").ToString());
        thrown.Message.Should().Contain("no/such.parquet");
        (await read.Should().ThrowAsync<ObjectNotFoundException>()).Which.Should().BeAssignableTo<StorageException>();
        (await Store.GetEntryAsync("no/such.parquet")).Should().BeNull();
    }

    [Theory]
    [InlineData("dt=2024-01-01/part-0000.parquet")]
    [InlineData("name with spaces/file name.bin")]
    [InlineData("ünïcødé/日本語/файл 🎉.bin")]
    [InlineData("hive/year=2024/month=01/key=a+b&c%20d.bin")]
    [InlineData(".hoodie/.temp/20240101000000.commit.requested")]
    public async Task UnusualPaths_RoundTrip(string path)
    {
        var content = Bytes(33, seed: path.Length);

        await Store.WriteAsync(path, content);

        (await Store.ReadAllBytesAsync(path)).Should().Equal(content);
        (await List("", recursive: true)).Select(e => e.Path).Should().Equal(path);
        var folder = path[..path.LastIndexOf('/')];
        var parentOfFolder = folder.Contains('/') ? folder[..folder.LastIndexOf('/')] : "";
        (await ListFolders(parentOfFolder)).Should().Equal(folder);
        await using (var reader = await Store.OpenReadAsync(path))
        {
            var tail = new byte[3];
            reader.ReadExactly(30, tail);
            tail.Should().Equal(content[30..]);
        }

        await Store.DeleteAsync(path);
        (await Store.ExistsAsync(path)).Should().BeFalse();
    }

    [Theory]
    [InlineData("/absolute")]
    [InlineData("a//b")]
    [InlineData("a/../b")]
    [InlineData("./a")]
    [InlineData("a\\b")]
    [InlineData("trailing/")]
    [InlineData("")]
    public async Task InvalidPaths_AreRefused(string path)
    {
        var write = async () => await Store.WriteAsync(path, Bytes(1, seed: 1));
        var read = async () => await Store.ReadAllBytesAsync(path);

        await write.Should().ThrowAsync<ArgumentException>();
        await read.Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public void Capabilities_AreStated()
    {
        Store.Capabilities.ReadAfterWrite.Should().BeTrue();
        Store.Capabilities.AtomicWrites.Should().BeTrue();
        Store.Capabilities.AtomicRename.Should().Be(Store.CanRename);
        Store.Capabilities.Summary.Should().NotBeNullOrWhiteSpace();
    }

    /// <summary>Store-specific check that an abandoned write left no temporary data.</summary>
    protected virtual void AssertNoLeftovers()
    {
    }

    protected static byte[] Bytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    protected async Task<List<StoreEntry>> List(string prefix, bool recursive)
    {
        var entries = new List<StoreEntry>();
        await foreach (var entry in Store.ListAsync(prefix, recursive))
        {
            entries.Add(entry);
        }

        return entries;
    }

    protected async Task<List<string>> ListFolders(string prefix)
    {
        var folders = new List<string>();
        await foreach (var folder in Store.ListFoldersAsync(prefix))
        {
            folders.Add(folder);
        }

        folders.Sort(StringComparer.Ordinal);
        return folders;
    }

    /// <summary>Yields its content up to <c>failAfter</c> bytes, then throws, like a dropped source connection.</summary>
    private sealed class FailingStream(byte[] content, int failAfter) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= failAfter)
            {
                throw new IOException("the source broke");
            }

            var n = Math.Min(count, Math.Min(failAfter, content.Length) - _position);
            content.AsSpan(_position, n).CopyTo(buffer.AsSpan(offset));
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
