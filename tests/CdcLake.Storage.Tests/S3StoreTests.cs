using System.Net;
using Amazon.Runtime;
using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Storage.Tests;

/// <summary>
/// The store contract against a real S3 protocol server on loopback (s3rver), plus what only S3 does:
/// conditional-write headers, multipart uploads and their abort, no rename. Requests are recorded on the
/// wire (<see cref="HttpRecorder"/>) to check what Amazon S3 would receive.
/// </summary>
public sealed class S3StoreTests(S3ServerFixture fixture) : ObjectStoreContractTests, IClassFixture<S3ServerFixture>
{
    private readonly string _prefix = $"t-{Guid.NewGuid():N}";

    private HttpRecorder Recorder { get; } = new();

    protected override IObjectStore CreateStore() =>
        ObjectStores.For($"s3://{S3ServerFixture.Bucket}/{_prefix}", fixture.Options(Recorder));

    [Fact(Skip = "s3rver ignores If-None-Match on PUT, so it cannot show that concurrent creators are excluded. " +
                 "On Amazon S3 the conditional PUT makes exactly one win; that the header is sent and a 412 becomes " +
                 "ObjectExistsException is checked by Create_SendsIfNoneMatch and ConditionalWrite_PreconditionFailed_IsObjectExists.")]
    public override Task Create_ConcurrentCreators_ExactlyOneWins() => base.Create_ConcurrentCreators_ExactlyOneWins();

    [Fact(Skip = "s3rver lists keys in the order it walks its data folders ('p/a/b' before 'p/a-1'); Amazon S3 lists in " +
                 "UTF-8 byte order, which the local store reproduces and LocalStoreTests checks.")]
    public override Task List_IsInKeyOrder() => base.List_IsInKeyOrder();

    [Fact]
    public void Factory_GivesAnS3Store_WithHonestCapabilities()
    {
        Store.Should().BeOfType<S3ObjectStore>();
        Store.Root.Should().Be(StorePath.S3(S3ServerFixture.Bucket, _prefix));
        Store.CanRename.Should().BeFalse();
        Store.Capabilities.AtomicRename.Should().BeFalse();
        Store.Capabilities.AtomicCreateIfAbsent.Should().BeFalse("these options say the server ignores If-None-Match");

        using var amazon = ObjectStores.For("s3a://bucket/table", fixture.Options(Recorder, conditionalWritesSupported: true));
        amazon.Root.ToString().Should().Be("s3://bucket/table");
        amazon.Capabilities.AtomicCreateIfAbsent.Should().BeTrue();
    }

    [Fact]
    public async Task Rename_IsNotSupported()
    {
        await Store.WriteAsync("a", Bytes(1, seed: 1));

        var rename = async () => await Store.RenameAsync("a", "b");

        (await rename.Should().ThrowAsync<NotSupportedException>()).Which.Message.Should().Contain("no rename");
        (await Store.ExistsAsync("a")).Should().BeTrue();
    }

    [Fact]
    public async Task Create_SendsIfNoneMatch()
    {
        using var store = ConditionalStore();

        await store.CreateAsync(".hoodie/001.commit", Bytes(10, seed: 1));

        var put = Recorder.Where(r => r.IsPutObject).Should().ContainSingle().Subject;
        put.Header("If-None-Match").Should().Be("*");
        Recorder.Where(r => r.Method == "HEAD").Should().BeEmpty("with conditional writes the server decides, no check-then-write");
    }

    [Fact]
    public async Task Overwrite_DoesNotSendIfNoneMatch()
    {
        using var store = ConditionalStore();

        await store.WriteAsync("x", Bytes(10, seed: 1));

        Recorder.Where(r => r.IsPutObject).Should().ContainSingle().Which.Header("If-None-Match").Should().BeNull();
    }

    [Fact]
    public async Task StreamedCreate_SendsIfNoneMatch_OnComplete()
    {
        using var store = ConditionalStore();

        await using (var stream = await store.OpenWriteAsync("big.bin", overwrite: false))
        {
            await stream.WriteAsync(Bytes(3 * S3ServerFixture.PartSize + 10, seed: 1));
            await stream.CompleteAsync();
        }

        Recorder.Where(r => r.IsUploadPart).Should().HaveCount(4).And.OnlyContain(r => r.Header("If-None-Match") == null);
        Recorder.Where(r => r.IsCompleteMultipart).Should().ContainSingle().Which.Header("If-None-Match").Should().Be("*");
    }

    [Fact]
    public async Task ConditionalWrite_PreconditionFailed_IsObjectExists()
    {
        // What Amazon S3 answers when If-None-Match: * meets an existing key; s3rver never does.
        using var store = ConditionalStore();
        Recorder.Intercept = r => (r.IsPutObject || r.IsCompleteMultipart) && r.Header("If-None-Match") == "*"
            ? HttpRecorder.S3Error(HttpStatusCode.PreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold")
            : null;

        var create = async () => await store.CreateAsync("taken", Bytes(10, seed: 1));
        var streamed = async () =>
        {
            await using var stream = await store.OpenWriteAsync("taken-big", overwrite: false);
            await stream.WriteAsync(Bytes(2 * S3ServerFixture.PartSize + 1, seed: 2));
            await stream.CompleteAsync();
        };

        var thrown = (await create.Should().ThrowAsync<ObjectExistsException>()).Which;
        thrown.Location.Should().Be($"s3://{S3ServerFixture.Bucket}/{_prefix}/taken");
        thrown.InnerException.Should().BeOfType<Amazon.S3.AmazonS3Exception>().Which.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        await streamed.Should().ThrowAsync<ObjectExistsException>();
        Recorder.Where(r => r.IsAbortMultipart).Should().ContainSingle("the losing upload is aborted");
        (await store.ExistsAsync("taken")).Should().BeFalse();
        (await store.ExistsAsync("taken-big")).Should().BeFalse();
    }

    [Fact]
    public async Task StreamingWrite_UsesBoundedMultipartUploads()
    {
        const int size = 20 * 1024 * 1024;

        await using (var stream = await Store.OpenWriteAsync("big.bin"))
        {
            var piece = Bytes(100_003, seed: 3);
            for (var written = 0; written < size; written += piece.Length)
            {
                await stream.WriteAsync(piece.AsMemory(0, Math.Min(piece.Length, size - written)));
            }

            await stream.CompleteAsync();
        }

        Recorder.Where(r => r.IsInitiateMultipart).Should().ContainSingle();
        Recorder.Where(r => r.IsUploadPart).Should().HaveCount(size / S3ServerFixture.PartSize);
        Recorder.Where(r => r.IsCompleteMultipart).Should().ContainSingle();
        Recorder.MaxPartsInFlight.Should().BeInRange(1, 2, "at most MaxConcurrentPartUploads parts are uploaded at once");
        (await Store.GetEntryAsync("big.bin"))!.Size.Should().Be(size);
    }

    [Fact]
    public async Task SmallStreamingWrite_IsOnePut()
    {
        await using (var stream = await Store.OpenWriteAsync("small.bin"))
        {
            await stream.WriteAsync(Bytes(1000, seed: 1));
            await stream.CompleteAsync();
        }

        Recorder.Where(r => r.IsPutObject).Should().ContainSingle();
        Recorder.Where(r => r.IsInitiateMultipart).Should().BeEmpty();
    }

    [Fact]
    public async Task FailedPartUpload_AbortsTheUpload_AndLeavesNothing()
    {
        var parts = 0;
        Recorder.Intercept = r => r.IsUploadPart && Interlocked.Increment(ref parts) == 3
            ? HttpRecorder.S3Error(HttpStatusCode.Forbidden, "AccessDenied", "Access Denied")
            : null;

        var write = async () =>
        {
            await using var stream = await Store.OpenWriteAsync("broken.bin");
            await stream.WriteAsync(Bytes(6 * S3ServerFixture.PartSize, seed: 4));
            await stream.CompleteAsync();
        };

        var thrown = (await write.Should().ThrowAsync<StorageException>()).Which;
        thrown.Message.Should().Contain("403").And.Contain("AccessDenied").And.Contain("broken.bin");
        Recorder.Where(r => r.IsAbortMultipart).Should().ContainSingle();
        Recorder.Where(r => r.IsCompleteMultipart).Should().BeEmpty();
        (await Store.ExistsAsync("broken.bin")).Should().BeFalse();
    }

    [Fact]
    public async Task AbandonedMultipartWrite_SendsAbort()
    {
        await using (var stream = await Store.OpenWriteAsync("gone.bin"))
        {
            await stream.WriteAsync(Bytes(2 * S3ServerFixture.PartSize + 3, seed: 5));
        }

        Recorder.Where(r => r.IsAbortMultipart).Should().ContainSingle();
        Recorder.Where(r => r.IsCompleteMultipart).Should().BeEmpty();
        (await Store.ExistsAsync("gone.bin")).Should().BeFalse();
    }

    [Fact]
    public async Task RangedReads_AreRangeRequests_PinnedToTheOpenedVersion()
    {
        await Store.WriteAsync("r.bin", Bytes(1000, seed: 1));
        await using var reader = await Store.OpenReadAsync("r.bin");
        Recorder.Clear();

        reader.ReadExactly(992, new byte[8]);

        var get = Recorder.Where(r => r.Method == "GET").Should().ContainSingle().Subject;
        get.Header("Range").Should().Be("bytes=992-999");
        get.Header("If-Match").Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task Uploads_AreNotChunkEncoded_AgainstS3rver()
    {
        await Store.WriteAsync("plain.bin", Bytes(10, seed: 1));

        var put = Recorder.Where(r => r.IsPutObject).Should().ContainSingle().Subject;
        put.Header("Content-Encoding").Should().BeNull();
        put.Header("x-amz-content-sha256").Should().NotStartWith("STREAMING");
    }

    [Fact]
    public async Task StoreAtTheBucketRoot_Works()
    {
        using var store = ObjectStores.For($"s3://{S3ServerFixture.SecondBucket}", fixture.Options(Recorder));
        var path = $"{_prefix}/x.bin";

        await store.WriteAsync(path, Bytes(3, seed: 1));

        store.PathOf(path).ToString().Should().Be($"s3://{S3ServerFixture.SecondBucket}/{path}");
        (await store.ListFoldersAsync("").ToListAsync()).Should().Contain(_prefix);
        (await store.DeletePrefixAsync(_prefix)).Should().Be(1);
    }

    [Fact]
    public async Task MissingBucket_IsAStorageError_NotAnEmptyListing()
    {
        using var store = ObjectStores.For("s3://no-such-bucket/x", fixture.Options(Recorder));

        var list = async () => await store.ListAsync("", recursive: true).ToListAsync();

        (await list.Should().ThrowAsync<StorageException>()).Which.Message.Should().Contain("NoSuchBucket");
    }

    [Fact]
    public void S3rver_Fixture_ListensOnLoopback()
    {
        fixture.Server.ServiceUrl.Should().StartWith("http://127.0.0.1:");
        fixture.Server.Buckets.Should().Equal(S3ServerFixture.Bucket, S3ServerFixture.SecondBucket);
        Directory.Exists(Path.Combine(fixture.Server.DataDirectory, S3ServerFixture.Bucket)).Should().BeTrue();
    }

    private IObjectStore ConditionalStore() =>
        ObjectStores.For($"s3://{S3ServerFixture.Bucket}/{_prefix}", fixture.Options(Recorder, conditionalWritesSupported: true));
}
