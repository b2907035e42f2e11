using System.Numerics;
using CdcLake.Parquet;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

public class KeyGeneratorTests
{
    [Theory]
    [MemberData(nameof(HudiFixtures.AllBaseFiles), MemberType = typeof(HudiFixtures))]
    public void Every_fixture_row_gets_the_key_and_partition_path_spark_wrote(string table, string relative)
    {
        var config = TableConfig.Parse(HudiFixtures.HoodieProperties(table));
        var generator = KeyGeneratorFactory.Create(config);
        var folder = relative.Contains('/', StringComparison.Ordinal) ? relative[..relative.LastIndexOf('/')] : "";
        var rows = 0;
        foreach (var batch in HudiFixtures.ReadAll(Path.Combine(HudiFixtures.TablePath(table), relative)))
        {
            foreach (var row in batch.Rows())
            {
                var key = generator.GetKey(row);
                key.PartitionPath.Should().Be(folder, "the base file lies in its partition's folder");
                if (config.PopulateMetaFields)
                {
                    key.RecordKey.Should().Be((string?)row[HoodieMetaFields.RecordKey]);
                    key.PartitionPath.Should().Be((string?)row[HoodieMetaFields.PartitionPath]);
                }
                else
                {
                    row[HoodieMetaFields.RecordKey].Should().BeNull("the table has no meta fields");
                }

                rows++;
            }
        }

        rows.Should().BeGreaterThan(0);
    }

    [Fact]
    public void Fixture_key_formats_are_as_documented()
    {
        var complex = TableConfig.Parse(HudiFixtures.HoodieProperties("v6_complexkeygen_hivestyle"));
        var generator = KeyGeneratorFactory.Create(complex);
        generator.Should().BeOfType<ComplexKeyGenerator>();
        var key = generator.GetKey(Record(("id", 1), ("name", "Alice"), ("byteField", 10), ("shortField", 300)));
        key.Should().Be(new HoodieKey("id:1,name:Alice", "byteField=10/shortField=300"));

        var simple = KeyGeneratorFactory.Create(TableConfig.Parse(HudiFixtures.HoodieProperties("v6_simplekeygen_nonhivestyle")));
        simple.Should().BeOfType<SimpleKeyGenerator>();
        simple.GetKey(Record(("id", 1), ("byteField", 10))).Should().Be(new HoodieKey("1", "10"));

        var nonPartitioned = KeyGeneratorFactory.Create(TableConfig.Parse(HudiFixtures.HoodieProperties("v6_nonpartitioned")));
        nonPartitioned.Should().BeOfType<NonpartitionedKeyGenerator>();
        nonPartitioned.GetKey(Record(("id", 7))).Should().Be(new HoodieKey("7", ""));

        KeyGeneratorFactory.Create(TableConfig.Parse(HudiFixtures.HoodieProperties("v8_simplekeygen_nonhivestyle"))).Should().BeOfType<SimpleKeyGenerator>();
        KeyGeneratorFactory.Create(TableConfig.Parse(HudiFixtures.HoodieProperties("v8_nonpartitioned"))).Should().BeOfType<NonpartitionedKeyGenerator>();
    }

    [Fact]
    public void Composite_keys_mark_null_and_empty_values()
    {
        var generator = new ComplexKeyGenerator(["a", "b", "c"], ["p"], false, false);
        generator.GetRecordKey(Record(("a", null), ("b", ""), ("c", 5L))).Should().Be("a:__null__,b:__empty__,c:5");
        FluentActions.Invoking(() => generator.GetRecordKey(Record(("a", null), ("b", ""), ("c", null))))
            .Should().Throw<HoodieKeyException>().WithMessage("recordKey values: \"a:__null__,b:__empty__,c:__null__\" for fields: [a, b, c] cannot be entirely null or empty.");
    }

    [Fact]
    public void Single_field_keys_must_not_be_null_or_empty()
    {
        var generator = new SimpleKeyGenerator("id", "p", false, false);
        FluentActions.Invoking(() => generator.GetRecordKey(Record(("id", null))))
            .Should().Throw<HoodieKeyException>().WithMessage("recordKey value: \"null\" for field: \"id\" cannot be null or empty.");
        FluentActions.Invoking(() => generator.GetRecordKey(Record(("id", ""))))
            .Should().Throw<HoodieKeyException>().WithMessage("*\"\" for field: \"id\"*");
    }

    [Fact]
    public void Complex_single_field_key_encoding_is_a_choice()
    {
        new ComplexKeyGenerator(["id"], ["p"], false, false).GetRecordKey(Record(("id", 1))).Should().Be("id:1");
        new ComplexKeyGenerator(["id"], ["p"], false, false, new KeyGeneratorOptions { ComplexKeySingleFieldPrefixed = false })
            .GetRecordKey(Record(("id", 1))).Should().Be("1");
        new NonpartitionedKeyGenerator(["a", "b"]).GetRecordKey(Record(("a", 1), ("b", 2))).Should().Be("a:1,b:2");
    }

    [Theory]
    [InlineData(null, false, false, "__HIVE_DEFAULT_PARTITION__")]
    [InlineData("", true, false, "p=__HIVE_DEFAULT_PARTITION__")]
    [InlineData("", true, true, "p=__HIVE_DEFAULT_PARTITION__")]
    [InlineData("2024/01/02", false, false, "2024/01/02")]
    [InlineData("2024/01/02", true, true, "p=2024%2F01%2F02")]
    [InlineData("a b:c=d", true, true, "p=a b%3Ac%3Dd")]
    [InlineData("é", false, true, "é")]
    public void Partition_segments(string? value, bool hive, bool encode, string expected)
    {
        var generator = new SimpleKeyGenerator("id", "p", hive, encode);
        generator.GetPartitionPath(Record(("id", 1), ("p", value))).Should().Be(expected);
    }

    [Fact]
    public void Escapes_exactly_hives_character_set()
    {
        var escaped = Enumerable.Range(0, 256).Select(c => (char)c).Where(c => PartitionPaths.Escape(c.ToString()) != c.ToString()).ToArray();
        var expected = Enumerable.Range(0, 0x20).Select(c => (char)c).Concat("\"#%'*/:=?\\\u007F{[]^").ToArray();
        escaped.Should().BeEquivalentTo(expected);
        PartitionPaths.Escape("a%b/\u0001\u007F").Should().Be("a%25b%2F%01%7F");
        PartitionPaths.Escape("").Should().Be("__HIVE_DEFAULT_PARTITION__");
        PartitionPaths.Unescape("a%25b%2F%01%7F").Should().Be("a%b/\u0001\u007F");
        PartitionPaths.Unescape("100%").Should().Be("100%");
        PartitionPaths.Unescape("%zz").Should().Be("%zz");
    }

    [Fact]
    public void Refuses_partition_paths_that_leave_the_table()
    {
        var generator = new ComplexKeyGenerator(["id"], ["a", "b"], false, false);
        FluentActions.Invoking(() => generator.GetPartitionPath(Record(("a", ".."), ("b", "x")))).Should().Throw<HoodieKeyException>().WithMessage("*\"..\"*");
        new ComplexKeyGenerator(["id"], ["a"], false, true).GetPartitionPath(Record(("a", "../x"))).Should().Be("..%2Fx", "escaping keeps it one folder");
        generator.GetPartitionPath(Record(("a", "2024.01"), ("b", "x"))).Should().Be("2024.01/x");
    }

    [Fact]
    public void Reads_nested_fields_with_dots()
    {
        var schema = new ParquetSchema([
            new StructField("s", [new PrimitiveField("k", PhysicalType.Int32), new PrimitiveField("p", PhysicalType.ByteArray, LogicalType.String)]),
            new PrimitiveField("top", PhysicalType.Int32),
        ]);
        var batch = new RecordBatch(schema, [
            new StructVector(schema.Fields[0], [
                new PrimitiveVector<int>(((StructField)schema.Fields[0]).Children[0], [42], 1),
                new BinaryVector(((StructField)schema.Fields[0]).Children[1], [0, 2], "eu"u8.ToArray(), 1),
            ], 1),
            new PrimitiveVector<int>(schema.Fields[1], [1], 1),
        ], 1);
        var generator = new SimpleKeyGenerator("s.k", "s.p", true, false);
        generator.GetKey(batch.GetRow(0)).Should().Be(new HoodieKey("42", "s.p=eu"));
        FluentActions.Invoking(() => new SimpleKeyGenerator("missing", "s.p", true, false).GetKey(batch.GetRow(0)))
            .Should().Throw<HoodieKeyException>().WithMessage("key field 'missing' is not in the record*");
        FluentActions.Invoking(() => new SimpleKeyGenerator("s.nope", "s.p", true, false).GetKey(batch.GetRow(0)))
            .Should().Throw<HoodieKeyException>().WithMessage("key field 's.nope': 's' has no field 'nope'");
    }

    [Fact]
    public void Factory_refuses_what_hudi_would_misuse()
    {
        FluentActions.Invoking(() => KeyGeneratorFactory.Create(KeyGeneratorClasses.Simple, ["a", "b"], ["p"], false, false)).Should().Throw<HudiConfigException>();
        FluentActions.Invoking(() => KeyGeneratorFactory.Create(KeyGeneratorClasses.Simple, ["a"], [], false, false)).Should().Throw<HudiConfigException>();
        FluentActions.Invoking(() => KeyGeneratorFactory.Create(KeyGeneratorClasses.Nonpartitioned, ["a"], ["p"], false, false)).Should().Throw<HudiConfigException>();
        FluentActions.Invoking(() => KeyGeneratorFactory.Create(KeyGeneratorClasses.Custom, ["a"], ["p"], false, false)).Should().Throw<HudiConfigException>().WithMessage("*not supported*");
        FluentActions.Invoking(() => KeyGeneratorFactory.Create(KeyGeneratorClasses.Complex, [], ["p"], false, false)).Should().Throw<HudiConfigException>();
        KeyGeneratorFactory.Create(KeyGeneratorClasses.SimpleAvro, ["a"], ["p"], false, false).Should().BeOfType<SimpleKeyGenerator>();
    }

    public static TheoryData<object?, string?> KeyTexts() => new()
    {
        { null, null },
        { "abc", "abc" },
        { true, "true" },
        { (sbyte)-5, "-5" },
        { (short)300, "300" },
        { 15000, "15000" },
        { 1234567890123L, "1234567890123" },
        { (ulong)18446744073709551615, "18446744073709551615" },
        { 1.0f, "1.0" },
        { 3.14159, "3.14159" },
        { 1e7, "1.0E7" },
        { 1.5e-4, "1.5E-4" },
        { 0.001, "0.001" },
        { 123456.789, "123456.789" },
        { -0.0, "-0.0" },
        { double.NaN, "NaN" },
        { new ParquetDecimal(new BigInteger(1234567890), 5), "12345.67890" },
        { new ParquetDecimal(BigInteger.Zero, 10), "0E-10" },
        { new ParquetDecimal(BigInteger.Zero, 6), "0.000000" },
        { new ParquetDecimal(new BigInteger(-5), 3), "-0.005" },
        { new ParquetDecimal(new BigInteger(123), -2), "1.23E+4" },
        { 1.50m, "1.50" },
        { -12.3456m, "-12.3456" },
        { new DateOnly(2023, 4, 1), "2023-04-01" },
        { new DateTime(2016, 12, 29, 14, 54, 0, DateTimeKind.Utc), "1483023240000000" },
        { new DateTime(2023, 4, 1, 17, 1, 0, DateTimeKind.Utc).AddTicks(12345), "1680368460001234" },
        { new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_995), "-1" },
        { new DateTimeOffset(2016, 12, 29, 15, 54, 0, TimeSpan.FromHours(1)), "1483023240000000" },
        { Guid.Parse("A22E8257-E249-45E9-BA46-115BC85ADCBA"), "a22e8257-e249-45e9-ba46-115bc85adcba" },
    };

    [Theory]
    [MemberData(nameof(KeyTexts))]
    public void Formats_values_as_hudi_stringifies_them(object? value, string? expected) =>
        KeyValueText.Format(value).Should().Be(expected);

    [Fact]
    public void Consistent_logical_timestamps_print_java_sql_timestamp_text()
    {
        KeyValueText.Format(new DateTime(2016, 12, 29, 9, 54, 0, DateTimeKind.Utc), consistentLogicalTimestamp: true).Should().Be("2016-12-29 09:54:00.0");
        KeyValueText.Format(new DateTime(2016, 12, 29, 9, 54, 0, 120, DateTimeKind.Utc).AddTicks(4560), consistentLogicalTimestamp: true)
            .Should().Be("2016-12-29 09:54:00.12", "Hudi truncates to milliseconds first");
        new SimpleKeyGenerator("ts", "p", false, false, new KeyGeneratorOptions { ConsistentLogicalTimestamp = true })
            .GetRecordKey(Record(("ts", new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc)))).Should().Be("2024-01-02 03:04:05.0");
    }

    [Fact]
    public void Binary_and_nested_values_cannot_be_keys()
    {
        FluentActions.Invoking(() => KeyValueText.Format(new byte[] { 1 })).Should().Throw<HoodieKeyException>().WithMessage("*binary*");
        FluentActions.Invoking(() => KeyValueText.Format(new Dictionary<string, object?>())).Should().Throw<HoodieKeyException>();
    }

    private static Func<string, object?> Record(params (string Name, object? Value)[] fields)
    {
        var map = fields.ToDictionary(f => f.Name, f => f.Value);
        return name => map.GetValueOrDefault(name);
    }
}
