using System.Text;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

public class TableConfigTests
{
    [Fact]
    public void Checksum_is_crc32_of_database_dot_table()
    {
        TableConfig.ComputeChecksum("default", "v6_simplekeygen_nonhivestyle").Should().Be(616688896);
        TableConfig.ComputeChecksum(null, "t").Should().Be(TableConfig.ComputeChecksum("", "t"), "no database checksums \".<table>\"");
        TableConfig.ComputeChecksum("default", "t").Should().NotBe(TableConfig.ComputeChecksum(null, "t"));
    }

    [Fact]
    public void Checksum_matches_the_standard_crc32_check_value() =>
        Internal.Crc32.Compute("123456789"u8).Should().Be(0xCBF43926);

    [Theory]
    [InlineData("v6_complexkeygen_hivestyle", 281415413L)]
    [InlineData("v6_empty", 1980710965L)]
    [InlineData("v6_nonpartitioned", 1363530505L)]
    [InlineData("v6_simplekeygen_hivestyle_no_metafields", 3965929480L)]
    [InlineData("v6_simplekeygen_nonhivestyle", 616688896L)]
    [InlineData("v8_nonpartitioned", 1908876706L)]
    [InlineData("v8_simplekeygen_nonhivestyle", 1511679565L)]
    public void Every_fixture_checksum_verifies(string table, long checksum)
    {
        var config = TableConfig.Parse(HudiFixtures.HoodieProperties(table));
        config.Checksum.Should().Be(checksum);
        TableConfig.ComputeChecksum(config.DatabaseName, config.TableName).Should().Be(checksum);
    }

    [Fact]
    public void Reads_the_typed_values_of_a_v6_fixture()
    {
        var c = TableConfig.Parse(HudiFixtures.HoodieProperties("v6_complexkeygen_hivestyle"));
        c.TableName.Should().Be("v6_complexkeygen_hivestyle");
        c.DatabaseName.Should().Be("default");
        c.TableType.Should().Be(HoodieTableType.CopyOnWrite);
        c.TableVersion.Should().Be(6);
        c.TimelineLayoutVersion.Should().Be(1);
        c.ArchiveLogFolder.Should().Be("archived");
        c.RecordKeyFields.Should().Equal("id", "name");
        c.PrecombineField.Should().Be("longField");
        c.PartitionFields.Should().Equal("byteField", "shortField");
        c.KeyGeneratorClass.Should().Be(KeyGeneratorClasses.Complex);
        c.HiveStylePartitioning.Should().BeTrue();
        c.UrlEncodePartitioning.Should().BeFalse();
        c.DropPartitionColumns.Should().BeFalse();
        c.BaseFileFormat.Should().Be(HoodieFileFormat.Parquet, "absent, so the default");
        c.PopulateMetaFields.Should().BeTrue("absent, so the default");
        c.CreateSchema.Should().StartWith("{\"type\":\"record\",\"name\":\"v6_complexkeygen_hivestyle_record\"");
        c.MetadataPartitions.Should().BeEmpty();
        c.IsPartitioned.Should().BeTrue();
        c.TimelineLayout.Should().Be(TimelineLayout.V6);
        FluentActions.Invoking(c.EnsureWritable).Should().NotThrow();
    }

    [Fact]
    public void Reads_a_no_meta_fields_and_a_v8_fixture()
    {
        TableConfig.Parse(HudiFixtures.HoodieProperties("v6_simplekeygen_hivestyle_no_metafields")).PopulateMetaFields.Should().BeFalse();
        var v8 = TableConfig.Parse(HudiFixtures.HoodieProperties("v8_simplekeygen_nonhivestyle"));
        v8.TableVersion.Should().Be(8);
        v8.TimelineLayoutVersion.Should().Be(2);
        v8.KeyGeneratorClass.Should().BeNull();
        v8.KeyGeneratorType.Should().Be(KeyGeneratorType.Simple);
        v8.TimelineLayout.Should().Be(TimelineLayout.V8);
        FluentActions.Invoking(v8.EnsureWritable).Should().Throw<UnsupportedTableVersionException>()
            .WithMessage("unsupported table version 8*").Which.Version.Should().Be(8);
    }

    [Theory]
    [MemberData(nameof(HudiFixtures.AllTables), MemberType = typeof(HudiFixtures))]
    public void Round_trips_every_fixture(string table)
    {
        var original = JavaProperties.Load(HudiFixtures.HoodieProperties(table));
        var config = TableConfig.FromProperties(original);
        var written = config.ToBytes(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var reread = JavaProperties.Load(written);
        reread.OrderBy(kv => kv.Key, StringComparer.Ordinal).Should().Equal(original.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        reread.Keys.Last().Should().Be("hoodie.table.checksum", "Hudi writes the checksum last");
        Encoding.Latin1.GetString(written).Should().StartWith("#Properties saved on 2024-01-01T00:00:00Z\n#Mon Jan 01 00:00:00 UTC 2024\n");
        TableConfig.Parse(written).TableName.Should().Be(config.TableName);
    }

    [Fact]
    public void Saved_on_comment_prints_the_instant_as_java_does()
    {
        var at = new DateTimeOffset(2024, 4, 18, 22, 32, 13, TimeSpan.Zero);
        TableConfig.JavaInstantText(at).Should().Be("2024-04-18T22:32:13Z");
        TableConfig.JavaInstantText(at.AddMilliseconds(522)).Should().Be("2024-04-18T22:32:13.522Z");
        TableConfig.JavaInstantText(at.AddTicks(6_246_770)).Should().Be("2024-04-18T22:32:13.624677Z");
        TableConfig.JavaInstantText(at.AddTicks(1)).Should().Be("2024-04-18T22:32:13.000000100Z");
    }

    [Fact]
    public void A_wrong_checksum_is_a_clear_error()
    {
        var p = JavaProperties.Load(HudiFixtures.HoodieProperties("v6_simplekeygen_nonhivestyle"));
        p["hoodie.table.checksum"] = "12345";
        FluentActions.Invoking(() => TableConfig.FromProperties(p)).Should().Throw<HudiConfigException>()
            .WithMessage("hoodie.table.checksum=12345 is wrong: CRC32 of \"default.v6_simplekeygen_nonhivestyle\" is 616688896*");
    }

    [Fact]
    public void A_missing_checksum_is_accepted_and_written_on_save()
    {
        var p = JavaProperties.Load(HudiFixtures.HoodieProperties("v6_simplekeygen_nonhivestyle"));
        p.Remove("hoodie.table.checksum");
        var config = TableConfig.FromProperties(p);
        config.Checksum.Should().BeNull();
        JavaProperties.Load(config.ToBytes())["hoodie.table.checksum"].Should().Be("616688896");
    }

    [Theory]
    [InlineData("hoodie.table.name")]
    [InlineData("hoodie.table.type")]
    [InlineData("hoodie.table.version")]
    [InlineData("hoodie.timeline.layout.version")]
    public void Required_keys_must_be_present(string key)
    {
        var p = JavaProperties.Load(HudiFixtures.HoodieProperties("v6_nonpartitioned"));
        p.Remove(key);
        p.Remove("hoodie.table.checksum");
        FluentActions.Invoking(() => TableConfig.FromProperties(p)).Should().Throw<HudiConfigException>()
            .WithMessage($"hoodie.properties lacks the required key {key}");
    }

    [Theory]
    [InlineData("hoodie.table.type", "copy_on_write", "*expected one of COPY_ON_WRITE, MERGE_ON_READ*case-sensitively*")]
    [InlineData("hoodie.table.base.file.format", "parquet", "*PARQUET*")]
    [InlineData("hoodie.table.version", "six", "*integer*")]
    [InlineData("hoodie.datasource.write.hive_style_partitioning", "yes", "*true or false*")]
    public void Invalid_values_are_rejected(string key, string value, string message)
    {
        var p = JavaProperties.Load(HudiFixtures.HoodieProperties("v6_nonpartitioned"));
        p[key] = value;
        FluentActions.Invoking(() => TableConfig.FromProperties(p)).Should().Throw<HudiConfigException>().WithMessage($"{key}={value}: {message}");
    }

    [Fact]
    public void Creates_a_v6_table_config_as_spark_keys_it()
    {
        var config = TableConfig.Create(new NewTableOptions
        {
            TableName = "orders",
            RecordKeyFields = ["order_id"],
            PrecombineField = "_dms_ts",
            PartitionFields = ["region"],
            HiveStylePartitioning = true,
            CreateSchema = "{\"type\":\"record\"}",
        });
        var p = config.Properties;
        p["hoodie.table.name"].Should().Be("orders");
        p["hoodie.database.name"].Should().Be("default");
        p["hoodie.table.type"].Should().Be("COPY_ON_WRITE");
        p["hoodie.table.version"].Should().Be("6");
        p["hoodie.timeline.layout.version"].Should().Be("1");
        p["hoodie.archivelog.folder"].Should().Be("archived");
        p["hoodie.table.recordkey.fields"].Should().Be("order_id");
        p["hoodie.table.precombine.field"].Should().Be("_dms_ts");
        p["hoodie.table.partition.fields"].Should().Be("region");
        p["hoodie.table.keygenerator.class"].Should().Be("org.apache.hudi.keygen.SimpleKeyGenerator");
        p["hoodie.datasource.write.hive_style_partitioning"].Should().Be("true");
        p["hoodie.datasource.write.partitionpath.urlencode"].Should().Be("false");
        p["hoodie.datasource.write.drop.partition.columns"].Should().Be("false");
        p["hoodie.table.base.file.format"].Should().Be("PARQUET");
        p["hoodie.table.create.schema"].Should().Be("{\"type\":\"record\"}");
        p["hoodie.table.checksum"].Should().Be(TableConfig.ComputeChecksum("default", "orders").ToString(System.Globalization.CultureInfo.InvariantCulture));
        p.ContainsKey("hoodie.populate.meta.fields").Should().BeFalse("Spark leaves the default out");
        p.ContainsKey("hoodie.table.metadata.partitions").Should().BeFalse();
        config.EnsureWritable();

        var bytes = config.ToBytes();
        Encoding.Latin1.GetString(bytes).Should().Contain("hoodie.table.create.schema={\"type\"\\:\"record\"}\n");
        TableConfig.Parse(bytes).Properties.Should().BeEquivalentTo(p);
    }

    [Theory]
    [InlineData(new[] { "id" }, new string[0], KeyGeneratorClasses.Nonpartitioned)]
    [InlineData(new[] { "id" }, new[] { "p" }, KeyGeneratorClasses.Simple)]
    [InlineData(new[] { "id", "x" }, new[] { "p" }, KeyGeneratorClasses.Complex)]
    [InlineData(new[] { "id" }, new[] { "p", "q" }, KeyGeneratorClasses.Complex)]
    public void Infers_the_key_generator_as_hudi_does(string[] keys, string[] partitions, string expected) =>
        TableConfig.Create(new NewTableOptions { TableName = "t", RecordKeyFields = keys, PartitionFields = partitions })
            .KeyGeneratorClass.Should().Be(expected);

    [Fact]
    public void With_keeps_the_checksum_right_when_the_name_changes()
    {
        var config = TableConfig.Parse(HudiFixtures.HoodieProperties("v6_nonpartitioned"));
        var renamed = config.With("hoodie.table.name", "renamed");
        renamed.Checksum.Should().Be(TableConfig.ComputeChecksum("default", "renamed"));
        config.With("hoodie.table.metadata.partitions", "files").MetadataPartitions.Should().Equal("files");
        config.With("hoodie.table.metadata.partitions", "files").With("hoodie.table.metadata.partitions", null)["hoodie.table.metadata.partitions"].Should().BeNull();
    }

    [Fact]
    public void Config_keys_carry_exact_names_and_hudi_defaults()
    {
        HoodieWriteConfig.ParquetMaxFileSize.Key.Should().Be("hoodie.parquet.max.file.size");
        HoodieWriteConfig.ParquetMaxFileSize.Default.Should().Be(125829120);
        HoodieWriteConfig.ParquetMaxFileSize.DefaultText.Should().Be("125829120");
        HoodieWriteConfig.ParquetSmallFileLimit.Default.Should().Be(104857600);
        HoodieWriteConfig.ParquetCompressionCodec.Default.Should().Be("gzip");
        HoodieWriteConfig.CleanerCommitsRetained.Default.Should().Be(10);
        HoodieWriteConfig.BloomFilterType.DefaultText.Should().Be("DYNAMIC_V0");
        HoodieWriteConfig.BloomFilterNumEntries.Default.Should().Be(60000);
        HoodieWriteConfig.BloomFilterFpp.DefaultText.Should().Be("1.0E-9");
        HoodieWriteConfig.CleanerPolicy.DefaultText.Should().Be("KEEP_LATEST_COMMITS");
        HoodieTableConfig.TableType.DefaultText.Should().Be("COPY_ON_WRITE");
        HoodieTableConfig.BaseFileFormat.Alternatives.Should().Equal("hoodie.table.ro.file.format");
        HoodieTableConfig.All.Concat(HoodieWriteConfig.All).Should().OnlyContain(k => k.Key.StartsWith("hoodie.", StringComparison.Ordinal) && k.Doc.Length > 0);
        HoodieTableConfig.All.Select(k => k.Key).Should().OnlyHaveUniqueItems();
        HoodieWriteConfig.All.Select(k => k.Key).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Config_key_reads_alternatives_and_defaults()
    {
        var p = new JavaProperties { ["hoodie.clean.commits.retained"] = "7" };
        HoodieWriteConfig.CleanerCommitsRetained.Get(p).Should().Be(7);
        HoodieWriteConfig.KeepMaxCommits.Get(p).Should().Be(30);
        HoodieTableConfig.PrecombineField.Get(p).Should().BeNull();
    }

    [Fact]
    public void Partition_metadata_reads_and_writes_like_hudi()
    {
        var bytes = File.ReadAllBytes(Path.Combine(HudiFixtures.TablePath("v6_complexkeygen_hivestyle"), "byteField=10", "shortField=300", HoodiePartitionMetadata.FileName));
        var metadata = HoodiePartitionMetadata.Parse(bytes);
        metadata.Should().Be(new HoodiePartitionMetadata("20240418173213674", 2));
        HoodiePartitionMetadata.ForPartition("byteField=10/shortField=300", "20240418173213674").Should().Be(metadata);
        HoodiePartitionMetadata.ForPartition("", "1").PartitionDepth.Should().Be(0);
        var written = Encoding.Latin1.GetString(metadata.ToBytes(new DateTimeOffset(2024, 4, 18, 22, 32, 14, TimeSpan.Zero)));
        written.Should().Be("#partition metadata\n#Thu Apr 18 22:32:14 UTC 2024\ncommitTime=20240418173213674\npartitionDepth=2\n");
        FluentActions.Invoking(() => HoodiePartitionMetadata.Parse("commitTime=1\n"u8)).Should().Throw<HudiConfigException>().WithMessage("*partitionDepth*");
    }
}
