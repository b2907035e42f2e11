using CdcLake.Testing;
using FluentAssertions;
using Xunit;

namespace CdcLake.Storage.Tests;

/// <summary>The store contract on the local file system, plus what only the local store does (rename).</summary>
public sealed class LocalStoreTests : ObjectStoreContractTests
{
    private readonly TempDirectory _temp = new("storage");

    private string RootDirectory => Path.Combine(_temp.Path, "root");

    protected override IObjectStore CreateStore() => ObjectStores.For(RootDirectory);

    public override void Dispose()
    {
        base.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void Factory_GivesALocalStore_ForPathsAndFileUris()
    {
        ObjectStores.For(RootDirectory).Should().BeOfType<LocalObjectStore>()
            .Which.Root.Should().Be(StorePath.Local(RootDirectory));
        ObjectStores.For(new Uri(RootDirectory).AbsoluteUri).Root.Should().Be(StorePath.Local(RootDirectory));
    }

    [Fact]
    public void Capabilities_AtomicCreateAndRename()
    {
        Store.CanRename.Should().BeTrue();
        Store.Capabilities.AtomicCreateIfAbsent.Should().BeTrue();
        Store.Capabilities.AtomicRename.Should().BeTrue();
    }

    [Fact]
    public async Task Rename_MovesTheObject()
    {
        var content = Bytes(100, seed: 1);
        await Store.WriteAsync(".hoodie/.temp/001.inflight", content);

        await Store.RenameAsync(".hoodie/.temp/001.inflight", ".hoodie/001.commit");

        (await Store.ReadAllBytesAsync(".hoodie/001.commit")).Should().Equal(content);
        (await Store.ExistsAsync(".hoodie/.temp/001.inflight")).Should().BeFalse();
        (await ListFolders(".hoodie")).Should().BeEmpty("the emptied folder is removed, as on S3");
    }

    [Fact]
    public async Task Rename_OntoAnExistingObject_NeedsOverwrite()
    {
        await Store.WriteAsync("a", Bytes(1, seed: 1));
        await Store.WriteAsync("b", Bytes(2, seed: 2));

        var refused = async () => await Store.RenameAsync("a", "b");
        (await refused.Should().ThrowAsync<ObjectExistsException>()).Which.Operation.Should().Be(StorageOperation.Rename);
        (await Store.ReadAllBytesAsync("b")).Should().Equal(Bytes(2, seed: 2));
        (await Store.ExistsAsync("a")).Should().BeTrue();

        await Store.RenameAsync("a", "b", overwrite: true);
        (await Store.ReadAllBytesAsync("b")).Should().Equal(Bytes(1, seed: 1));
        (await Store.ExistsAsync("a")).Should().BeFalse();
    }

    [Fact]
    public async Task Rename_OfAMissingObject_IsObjectNotFound()
    {
        var rename = async () => await Store.RenameAsync("missing", "target");

        (await rename.Should().ThrowAsync<ObjectNotFoundException>()).Which.Operation.Should().Be(StorageOperation.Rename);
    }

    [Fact]
    public async Task StreamingWrite_IsInvisibleUntilComplete()
    {
        await using var stream = await Store.OpenWriteAsync("p/file.bin");
        await stream.WriteAsync(Bytes(1000, seed: 1));
        await stream.FlushAsync();

        (await List("", recursive: true)).Should().BeEmpty("the temporary file is not listed");
        (await ListFolders("")).Should().BeEmpty("a folder holding only a write in progress is not shown");
        Directory.GetFiles(RootDirectory, "*", SearchOption.AllDirectories).Should().ContainSingle()
            .Which.Should().Contain(".cdclake-tmp-");

        await stream.CompleteAsync();

        (await List("", recursive: true)).Select(e => e.Path).Should().Equal("p/file.bin");
        Directory.GetFiles(RootDirectory, "*", SearchOption.AllDirectories).Should().Equal(Path.Combine(RootDirectory, "p", "file.bin"));
    }

    [Fact]
    public async Task DeletePrefix_DuringAWrite_MakesTheWriteFail()
    {
        await using var stream = await Store.OpenWriteAsync("p/late.bin");
        await stream.WriteAsync(Bytes(10, seed: 1));
        await Store.WriteAsync("p/other.bin", Bytes(1, seed: 1));

        (await Store.DeletePrefixAsync("p")).Should().Be(1);
        var complete = async () => await stream.CompleteAsync();

        (await complete.Should().ThrowAsync<StorageException>()).Which.Message.Should().Contain("temporary file vanished");
        AssertNoLeftovers();
    }

    [Fact]
    public async Task DotFolders_AreListed()
    {
        await Store.WriteAsync(".hoodie/hoodie.properties", Bytes(1, seed: 1));

        (await List("", recursive: true)).Select(e => e.Path).Should().Equal(".hoodie/hoodie.properties");
        (await ListFolders("")).Should().Equal(".hoodie");
    }

    [Fact]
    public async Task Reader_KeepsTheContentItOpened_WhenTheObjectIsReplaced()
    {
        var first = Bytes(100, seed: 1);
        await Store.WriteAsync("f", first);
        await using var reader = await Store.OpenReadAsync("f");

        await Store.WriteAsync("f", Bytes(50, seed: 2));

        var buffer = new byte[100];
        reader.ReadExactly(0, buffer);
        buffer.Should().Equal(first);
    }

    protected override void AssertNoLeftovers()
    {
        if (Directory.Exists(RootDirectory))
        {
            Directory.GetFileSystemEntries(RootDirectory, "*", SearchOption.AllDirectories).Should().BeEmpty();
        }
    }
}
