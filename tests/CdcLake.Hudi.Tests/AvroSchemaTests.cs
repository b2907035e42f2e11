using CdcLake.Parquet;
using FluentAssertions;
using Xunit;

namespace CdcLake.Hudi.Tests;

public class AvroSchemaTests
{
    [Theory]
    [MemberData(nameof(HudiFixtures.AllBaseFiles), MemberType = typeof(HudiFixtures))]
    public void Matches_every_fixture_footer_schema(string table, string relative)
    {
        using var reader = ParquetReader.Open(Path.Combine(HudiFixtures.TablePath(table), relative));
        var footer = reader.Info.KeyValueMetadata[HoodieFooterKeys.AvroSchema];
        AvroSchema.ToJson(table, reader.Schema, FileSchema with { IncludeMetaFields = true }).Should().Be(footer);
    }

    // Spark-written base files hold legacy two-level lists, whose element nullability only the Avro schema records.
    private static AvroSchemaOptions FileSchema { get; } = new() { NullableListItems = true };

    [Theory]
    [MemberData(nameof(CommitFiles))]
    public void Matches_every_fixture_commit_schema(string table, string commit)
    {
        var metadata = HoodieCommitMetadata.Parse(File.ReadAllBytes(Path.Combine(HudiFixtures.MetaFolder(table), commit)));
        var time = commit[..commit.IndexOf('.', StringComparison.Ordinal)];
        var (_, baseFile) = HudiFixtures.BaseFiles(table).First(f => f.Relative.EndsWith($"_{time}.parquet", StringComparison.Ordinal));
        using var reader = ParquetReader.Open(baseFile);
        AvroSchema.ToJson(table, reader.Schema, FileSchema).Should().Be(metadata.Schema, "commit schemas leave out the meta fields");
    }

    public static TheoryData<string, string> CommitFiles()
    {
        var data = new TheoryData<string, string>();
        foreach (var table in HudiFixtures.V6TableNames)
        {
            foreach (var file in Directory.GetFiles(HudiFixtures.MetaFolder(table), "*.commit").Select(Path.GetFileName).Order(StringComparer.Ordinal))
            {
                data.Add(table, file!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HudiFixtures.AllTables), MemberType = typeof(HudiFixtures))]
    public void Spark_style_matches_every_fixture_create_schema(string table)
    {
        var config = TableConfig.Parse(HudiFixtures.HoodieProperties(table));
        var createSchema = config.CreateSchema!;
        var parsed = AvroSchema.Parse(createSchema);
        parsed.Name.Should().Be(AvroSchema.RecordName(table));
        parsed.Namespace.Should().Be(AvroSchema.RecordNamespace(table));
        var options = new AvroSchemaOptions { NullableStyle = AvroNullableStyle.SparkNullLast };
        AvroSchema.ToJson(table, parsed.Fields, options).Should().Be(createSchema);

        if (HudiFixtures.BaseFiles(table) is [var (_, first), ..])
        {
            using var reader = ParquetReader.Open(first);
            AvroSchema.ToJson(table, reader.Schema, options with { NullableListItems = true }).Should().Be(createSchema, "Spark's own conversion of the same columns");
        }
    }

    [Theory]
    [MemberData(nameof(HudiFixtures.AllBaseFiles), MemberType = typeof(HudiFixtures))]
    public void Parses_footer_schemas_back_to_the_file_schema(string table, string relative)
    {
        using var reader = ParquetReader.Open(Path.Combine(HudiFixtures.TablePath(table), relative));
        var footer = reader.Info.KeyValueMetadata[HoodieFooterKeys.AvroSchema]!;
        var parsed = AvroSchema.Parse(footer);
        parsed.FullName.Should().Be($"hoodie.{table}.{table}_record");
        AvroSchema.ToJson(parsed.Name, parsed.Namespace, parsed.Fields, AvroSchemaOptions.WithMetaFields).Should().Be(footer);
        Describe(parsed.Fields).Should().Equal(Describe(reader.Schema.Fields));
    }

    [Fact]
    public void List_items_follow_the_element_unless_told_otherwise()
    {
        Field[] fields = [new ListField("l", new PrimitiveField("element", PhysicalType.Int32, repetition: Repetition.Required), Repetition.Required)];
        AvroSchema.ToJson("t", fields).Should().Contain("{\"name\":\"l\",\"type\":{\"type\":\"array\",\"items\":\"int\"}}");
        AvroSchema.ToJson("t", fields, new AvroSchemaOptions { NullableListItems = true }).Should().Contain("\"items\":[\"null\",\"int\"]");
    }

    [Fact]
    public void Writes_every_logical_type_as_spark_does()
    {
        Field[] fields =
        [
            new PrimitiveField("b", PhysicalType.Boolean, repetition: Repetition.Required),
            new PrimitiveField("i8", PhysicalType.Int32, LogicalType.Integer(8, true)),
            new PrimitiveField("u32", PhysicalType.Int32, LogicalType.Integer(32, false)),
            new PrimitiveField("u64", PhysicalType.Int64, LogicalType.Integer(64, false)),
            new PrimitiveField("l", PhysicalType.Int64),
            new PrimitiveField("f", PhysicalType.Float),
            new PrimitiveField("d", PhysicalType.Double),
            new PrimitiveField("s", PhysicalType.ByteArray, LogicalType.String),
            new PrimitiveField("j", PhysicalType.ByteArray, LogicalType.Json),
            new PrimitiveField("bin", PhysicalType.ByteArray),
            new PrimitiveField("dec9", PhysicalType.Int32, LogicalType.Decimal(9, 2)),
            new PrimitiveField("dec38", PhysicalType.FixedLenByteArray, LogicalType.Decimal(38, 10), typeLength: 16),
            new PrimitiveField("day", PhysicalType.Int32, LogicalType.Date),
            new PrimitiveField("ts_ms", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Millis, true)),
            new PrimitiveField("ts_local", PhysicalType.Int64, LogicalType.Timestamp(TimeUnit.Micros, false)),
            new PrimitiveField("ts96", PhysicalType.Int96),
            new PrimitiveField("uuid", PhysicalType.FixedLenByteArray, LogicalType.Uuid, typeLength: 16),
            new ListField("ints", new PrimitiveField("element", PhysicalType.Int32, repetition: Repetition.Required)),
            new MapField("m", new PrimitiveField("key", PhysicalType.ByteArray, LogicalType.String, Repetition.Required), new PrimitiveField("value", PhysicalType.Int64)),
        ];
        var json = AvroSchema.ToJson("t", fields);
        json.Should().Be(
            "{\"type\":\"record\",\"name\":\"t_record\",\"namespace\":\"hoodie.t\",\"fields\":[" +
            "{\"name\":\"b\",\"type\":\"boolean\"}," +
            "{\"name\":\"i8\",\"type\":[\"null\",\"int\"],\"default\":null}," +
            "{\"name\":\"u32\",\"type\":[\"null\",\"long\"],\"default\":null}," +
            "{\"name\":\"u64\",\"type\":[\"null\",{\"type\":\"fixed\",\"name\":\"fixed\",\"namespace\":\"hoodie.t.t_record.u64\",\"size\":9,\"logicalType\":\"decimal\",\"precision\":20,\"scale\":0}],\"default\":null}," +
            "{\"name\":\"l\",\"type\":[\"null\",\"long\"],\"default\":null}," +
            "{\"name\":\"f\",\"type\":[\"null\",\"float\"],\"default\":null}," +
            "{\"name\":\"d\",\"type\":[\"null\",\"double\"],\"default\":null}," +
            "{\"name\":\"s\",\"type\":[\"null\",\"string\"],\"default\":null}," +
            "{\"name\":\"j\",\"type\":[\"null\",\"string\"],\"default\":null}," +
            "{\"name\":\"bin\",\"type\":[\"null\",\"bytes\"],\"default\":null}," +
            "{\"name\":\"dec9\",\"type\":[\"null\",{\"type\":\"fixed\",\"name\":\"fixed\",\"namespace\":\"hoodie.t.t_record.dec9\",\"size\":4,\"logicalType\":\"decimal\",\"precision\":9,\"scale\":2}],\"default\":null}," +
            "{\"name\":\"dec38\",\"type\":[\"null\",{\"type\":\"fixed\",\"name\":\"fixed\",\"namespace\":\"hoodie.t.t_record.dec38\",\"size\":16,\"logicalType\":\"decimal\",\"precision\":38,\"scale\":10}],\"default\":null}," +
            "{\"name\":\"day\",\"type\":[\"null\",{\"type\":\"int\",\"logicalType\":\"date\"}],\"default\":null}," +
            "{\"name\":\"ts_ms\",\"type\":[\"null\",{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}],\"default\":null}," +
            "{\"name\":\"ts_local\",\"type\":[\"null\",{\"type\":\"long\",\"logicalType\":\"local-timestamp-micros\"}],\"default\":null}," +
            "{\"name\":\"ts96\",\"type\":[\"null\",{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}],\"default\":null}," +
            "{\"name\":\"uuid\",\"type\":[\"null\",{\"type\":\"string\",\"logicalType\":\"uuid\"}],\"default\":null}," +
            "{\"name\":\"ints\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"int\"}],\"default\":null}," +
            "{\"name\":\"m\",\"type\":[\"null\",{\"type\":\"map\",\"values\":[\"null\",\"long\"]}],\"default\":null}]}");

        var back = AvroSchema.Parse(json);
        back.Fields.Select(f => f.Name).Should().Equal(fields.Select(f => f.Name));
        AvroSchema.ToJson("t", back.Fields).Should().Be(json, "the parsed tree converts back to the same schema");
    }

    [Fact]
    public void Nested_records_are_named_after_their_fields()
    {
        var inner = new StructField("inner", [new PrimitiveField("x", PhysicalType.Int32)]);
        Field[] fields =
        [
            new StructField("outer", [inner, new ListField("items", new StructField("element", [new PrimitiveField("y", PhysicalType.Int32)]))]),
        ];
        var json = AvroSchema.ToJson("t", fields, new AvroSchemaOptions { NullableStyle = AvroNullableStyle.SparkNullLast });
        json.Should().Be(
            "{\"type\":\"record\",\"name\":\"t_record\",\"namespace\":\"hoodie.t\",\"fields\":[" +
            "{\"name\":\"outer\",\"type\":[{\"type\":\"record\",\"name\":\"outer\",\"namespace\":\"hoodie.t.t_record\",\"fields\":[" +
            "{\"name\":\"inner\",\"type\":[{\"type\":\"record\",\"name\":\"inner\",\"namespace\":\"hoodie.t.t_record.outer\",\"fields\":[{\"name\":\"x\",\"type\":[\"int\",\"null\"]}]},\"null\"]}," +
            "{\"name\":\"items\",\"type\":[{\"type\":\"array\",\"items\":[{\"type\":\"record\",\"name\":\"items\",\"namespace\":\"hoodie.t.t_record.outer\",\"fields\":[{\"name\":\"y\",\"type\":[\"int\",\"null\"]}]},\"null\"]},\"null\"]}]},\"null\"]}]}");
    }

    [Fact]
    public void Meta_fields_in_the_input_are_replaced()
    {
        Field[] fields = [new PrimitiveField(HoodieMetaFields.RecordKey, PhysicalType.ByteArray, LogicalType.String), new PrimitiveField("id", PhysicalType.Int32)];
        AvroSchema.ToJson("t", fields).Should().Be(
            "{\"type\":\"record\",\"name\":\"t_record\",\"namespace\":\"hoodie.t\",\"fields\":[{\"name\":\"id\",\"type\":[\"null\",\"int\"],\"default\":null}]}");
        AvroSchema.ToJson("t", fields, AvroSchemaOptions.WithMetaFields).Should().StartWith(
            "{\"type\":\"record\",\"name\":\"t_record\",\"namespace\":\"hoodie.t\",\"fields\":[{\"name\":\"_hoodie_commit_time\",\"type\":[\"null\",\"string\"],\"doc\":\"\",\"default\":null},");
    }

    [Fact]
    public void Refuses_what_avro_refuses()
    {
        FluentActions.Invoking(() => AvroSchema.ToJson("t", [new PrimitiveField("bad-name", PhysicalType.Int32)]))
            .Should().Throw<HudiException>().WithMessage("'bad-name' is not a valid Avro name*");
        var intKeys = new MapField("m", new PrimitiveField("key", PhysicalType.Int32, repetition: Repetition.Required), new PrimitiveField("value", PhysicalType.Int32));
        FluentActions.Invoking(() => AvroSchema.ToJson("t", [intKeys])).Should().Throw<HudiException>().WithMessage("*string keys*");
        FluentActions.Invoking(() => AvroSchema.Parse("{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"u\",\"type\":[\"int\",\"string\"]}]}"))
            .Should().Throw<HudiException>().WithMessage("*union of 2 non-null types*");
        FluentActions.Invoking(() => AvroSchema.Parse("[")).Should().Throw<HudiException>();
        FluentActions.Invoking(() => AvroSchema.Parse("\"int\"")).Should().Throw<HudiException>().WithMessage("*not a record*");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(9, 4)]
    [InlineData(10, 5)]
    [InlineData(18, 8)]
    [InlineData(19, 9)]
    [InlineData(38, 16)]
    public void Decimal_fixed_sizes_are_sparks(int precision, int size) => AvroSchema.DecimalFixedSize(precision).Should().Be(size);

    [Fact]
    public void Repeated_named_types_are_referenced_by_name()
    {
        var json = "{\"type\":\"record\",\"name\":\"r\",\"namespace\":\"n\",\"fields\":[" +
                   "{\"name\":\"a\",\"type\":{\"type\":\"record\",\"name\":\"p\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}}," +
                   "{\"name\":\"b\",\"type\":[\"null\",\"p\"]}]}";
        var parsed = AvroSchema.Parse(json);
        parsed.Fields[1].Should().BeOfType<StructField>().Which.IsNullable.Should().BeTrue();
        ((StructField)parsed.Fields[1]).Children.Single().Name.Should().Be("x");
    }

    // Structure only, list elements counted nullable: a legacy list's element reads from Parquet as required
    // but from Avro as optional.
    private static IReadOnlyList<string> Describe(IReadOnlyList<Field> fields)
    {
        var lines = new List<string>();
        void Walk(Field f, string indent)
        {
            var nullable = f.Repetition != Repetition.Required;
            switch (f)
            {
                case PrimitiveField p:
                    lines.Add($"{indent}{p.Name} {p.PhysicalType} {p.LogicalType} {nullable}");
                    break;
                case StructField s:
                    lines.Add($"{indent}{s.Name} struct {nullable}");
                    foreach (var c in s.Children)
                    {
                        Walk(c, indent + "  ");
                    }

                    break;
                case ListField l:
                    lines.Add($"{indent}{l.Name} list {nullable}");
                    Walk(l.Element.WithName("element").WithRepetition(Repetition.Optional), indent + "  ");
                    break;
                case MapField m:
                    lines.Add($"{indent}{m.Name} map {nullable}");
                    Walk(m.Key, indent + "  ");
                    Walk(m.Value, indent + "  ");
                    break;
            }
        }

        foreach (var field in fields)
        {
            Walk(field, "");
        }

        return lines;
    }
}
