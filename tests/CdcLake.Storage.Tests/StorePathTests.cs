using FluentAssertions;
using Xunit;

namespace CdcLake.Storage.Tests;

public class StorePathTests
{
    [Theory]
    [InlineData("s3://bucket/lake/orders", "bucket", "lake/orders")]
    [InlineData("s3://bucket/lake/orders/", "bucket", "lake/orders")]
    [InlineData("s3://bucket", "bucket", "")]
    [InlineData("s3://bucket/", "bucket", "")]
    [InlineData("S3A://bucket/a", "bucket", "a")]
    [InlineData("s3n://bucket/a", "bucket", "a")]
    [InlineData("s3://bucket/dt=2024-01-01/a b%20c.parquet", "bucket", "dt=2024-01-01/a b%20c.parquet")]
    public void Parse_S3(string text, string bucket, string key)
    {
        var path = StorePath.Parse(text);

        path.IsS3.Should().BeTrue();
        path.Kind.Should().Be(StoreKind.S3);
        path.Bucket.Should().Be(bucket);
        path.Key.Should().Be(key);
    }

    [Fact]
    public void S3_PrintsAsS3Uri()
    {
        StorePath.Parse("s3a://bucket/a/b").ToString().Should().Be("s3://bucket/a/b");
        StorePath.Parse("s3://bucket").ToString().Should().Be("s3://bucket/");
        StorePath.Parse(StorePath.S3("b", "x/y").ToString()).Should().Be(StorePath.S3("b", "x/y"));
    }

    [Theory]
    [InlineData("s3://")]
    [InlineData("s3:///key")]
    [InlineData("s3:bucket/key")]
    [InlineData("s3://bucket//double")]
    [InlineData("s3://bucket/a/../b")]
    [InlineData("gs://bucket/key")]
    [InlineData("http://host/x")]
    [InlineData("file://otherhost/x")]
    [InlineData("")]
    [InlineData("   ")]
    public void Parse_Refuses(string text)
    {
        StorePath.TryParse(text, out var path).Should().BeFalse();
        path.Should().BeNull();
        var parse = () => StorePath.Parse(text);
        parse.Should().Throw<FormatException>();
    }

    [Fact]
    public void Parse_LocalPaths()
    {
        var absolute = StorePath.Parse("/tmp/lake/orders/");
        absolute.IsLocal.Should().BeTrue();
        absolute.Key.Should().Be(Path.GetFullPath("/tmp/lake/orders").Replace('\\', '/'));
        absolute.LocalPath.Should().Be(Path.GetFullPath("/tmp/lake/orders"));

        StorePath.Parse("relative/dir").LocalPath.Should().Be(Path.GetFullPath("relative/dir"));
    }

    [Fact]
    public void Parse_FileUris()
    {
        var expected = StorePath.Local("/tmp/a b/c");

        StorePath.Parse("file:///tmp/a%20b/c").Should().Be(expected);
        StorePath.Parse("file://localhost/tmp/a%20b/c").Should().Be(expected);
        StorePath.Parse("file:/tmp/a%20b/c").Should().Be(expected);
        StorePath.Parse(new Uri(expected.LocalPath).AbsoluteUri).Should().Be(expected);
    }

    [Fact]
    public void Join_UsesSlashes()
    {
        var root = StorePath.Parse("s3://bucket/lake");

        (root / "orders" / "dt=2024-01-01/part-0.parquet").ToString().Should().Be("s3://bucket/lake/orders/dt=2024-01-01/part-0.parquet");
        StorePath.S3("bucket").Join("a/b").Key.Should().Be("a/b");
        root.Join("").Should().Be(root);
        StorePath.Local("/tmp").Join("x/y").LocalPath.Should().Be(Path.GetFullPath("/tmp/x/y"));

        var parent = () => root.Join("../escape");
        parent.Should().Throw<ArgumentException>();
        var absolute = () => root.Join("/abs");
        absolute.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Parent_And_Name()
    {
        var path = StorePath.Parse("s3://bucket/lake/orders/file.parquet");

        path.Name.Should().Be("file.parquet");
        path.Parent!.ToString().Should().Be("s3://bucket/lake/orders");
        StorePath.Parse("s3://bucket/top").Parent.Should().Be(StorePath.S3("bucket"));
        StorePath.S3("bucket").Parent.Should().BeNull();
        StorePath.Local("/tmp/x/y").Parent.Should().Be(StorePath.Local("/tmp/x"));
    }

    [Fact]
    public void GetRelativePath_WithinARoot()
    {
        var root = StorePath.Parse("s3://bucket/lake");

        StorePath.Parse("s3://bucket/lake/orders/x").GetRelativePath(root).Should().Be("orders/x");
        root.GetRelativePath(root).Should().Be("");
        StorePath.Parse("s3://bucket/lakehouse/x").GetRelativePath(root).Should().BeNull();
        StorePath.Parse("s3://other/lake/x").GetRelativePath(root).Should().BeNull();
        StorePath.Parse("s3://bucket/a/b").GetRelativePath(StorePath.S3("bucket")).Should().Be("a/b");
        StorePath.Local("/tmp/x/y").GetRelativePath(StorePath.Local("/tmp")).Should().Be("x/y");
    }

    [Fact]
    public void Equality_IsByValue()
    {
        StorePath.Parse("s3a://b/k").Should().Be(StorePath.S3("b", "k"));
        (StorePath.Parse("s3://b/k") == StorePath.S3("b", "k")).Should().BeTrue();
        StorePath.Parse("s3://b/k").Should().NotBe(StorePath.S3("b", "K"));
        StorePath.Parse("s3://b/k").GetHashCode().Should().Be(StorePath.S3("b", "k").GetHashCode());
    }
}
