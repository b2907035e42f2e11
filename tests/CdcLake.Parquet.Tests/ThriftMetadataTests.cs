using System.Buffers.Binary;
using System.Diagnostics;
using CdcLake.Parquet.Meta;
using FluentAssertions;
using Xunit;

namespace CdcLake.Parquet.Tests;

using LogicalType = CdcLake.Parquet.Meta.LogicalType;
using PhysicalType = CdcLake.Parquet.Meta.PhysicalType;
using TimeUnit = CdcLake.Parquet.Meta.TimeUnit;

/// <summary>The footer and page-header model against the Parquet compatibility corpus and corrupt input.</summary>
public sealed class ThriftMetadataTests
{
    private static readonly string FixtureDir = FindFixtureDir();

    public static TheoryData<string> Fixtures() => FileNames(FixtureDir);

    public static TheoryData<string> BadFixtures() => FileNames(Path.Combine(FixtureDir, "bad_data"));

    // ---- (a) every footer parses, and what it says is consistent --------------------------------------

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Footer_of_every_fixture_parses_and_is_consistent(string name)
    {
        var m = ParquetFooter.ParseFile(File.ReadAllBytes(Path.Combine(FixtureDir, name)));

        m.Version.Should().BeOneOf(1, 2);
        m.Schema.Should().NotBeEmpty();
        m.RowGroups.Should().NotBeEmpty();
        if (name == "repeated_no_annotation.parquet")
            m.NumRows.Should().Be(0, "parquet-rs 0.3.0 left FileMetaData.num_rows at 0; only its row groups count rows");
        else
            m.NumRows.Should().Be(m.RowGroups.Sum(g => g.NumRows));

        var leaves = Leaves(m.Schema);
        leaves.Should().NotBeEmpty();
        foreach (var group in m.RowGroups)
        {
            group.Columns.Should().HaveCount(leaves.Count);
            for (int i = 0; i < leaves.Count; i++)
            {
                var meta = group.Columns[i].MetaData;
                meta.Should().NotBeNull();
                string.Join('.', meta!.PathInSchema).Should().Be(leaves[i].Path);
                meta.Type.Should().Be(leaves[i].Element.Type);
                meta.TotalCompressedSize.Should().BePositive();
            }
        }

        if (m.ColumnOrders is not null)
            m.ColumnOrders.Should().HaveCount(leaves.Count).And.OnlyContain(o => o.IsRecognized);
    }

    [Fact]
    public void Alltypes_plain_has_the_known_schema_and_layout()
    {
        var m = Load("alltypes_plain.parquet");

        m.NumRows.Should().Be(8);
        m.CreatedBy.Should().StartWith("impala version 1.3.0");
        m.Schema[0].NumChildren.Should().Be(11);
        var leaves = Leaves(m.Schema);
        leaves.Select(l => l.Path).Should().Equal(
            "id", "bool_col", "tinyint_col", "smallint_col", "int_col", "bigint_col",
            "float_col", "double_col", "date_string_col", "string_col", "timestamp_col");
        leaves.Select(l => l.Element.Type!.Value).Should().Equal(
            PhysicalType.Int32, PhysicalType.Boolean, PhysicalType.Int32, PhysicalType.Int32, PhysicalType.Int32,
            PhysicalType.Int64, PhysicalType.Float, PhysicalType.Double, PhysicalType.ByteArray,
            PhysicalType.ByteArray, PhysicalType.Int96);
        leaves.Should().OnlyContain(l => l.Element.RepetitionType == FieldRepetitionType.Optional);

        var id = m.RowGroups.Single().Columns[0].MetaData!;
        id.Codec.Should().Be(CompressionCodec.Uncompressed);
        id.Encodings.Should().Equal(Encoding.Rle, Encoding.PlainDictionary, Encoding.Plain);
        id.NumValues.Should().Be(8);
        id.DictionaryPageOffset.Should().Be(4);
        id.DataPageOffset.Should().Be(49);
        id.FirstPageOffset.Should().Be(4);
    }

    [Fact]
    public void Unknown_logical_type_is_kept_by_id_and_does_not_fail_the_file()
    {
        var m = Load("unknown-logical-type.parquet");

        m.NumRows.Should().Be(3);
        var known = m.Schema[1];
        known.Name.Should().Be("column with known type");
        known.LogicalType!.Kind.Should().Be(LogicalTypeKind.String);
        known.ConvertedType.Should().Be(ConvertedType.Utf8);

        var unknown = m.Schema[2];
        unknown.Name.Should().Be("column with unknown type");
        unknown.Type.Should().Be(PhysicalType.ByteArray);
        unknown.LogicalType!.Kind.Should().Be(LogicalTypeKind.Unrecognized);
        unknown.LogicalType.UnrecognizedId.Should().Be(2555);
        unknown.LogicalType.UnrecognizedValue!.Type.Should().Be(ThriftType.Struct);
        unknown.LogicalType.UnrecognizedValue.Bytes.Should().Equal(0x00);
        unknown.LogicalType.ToString().Should().Be("unknown logical type id 2555");
    }

    [Fact]
    public void Dict_page_offset_zero_locates_pages_from_the_data_offset_and_skips_a_mistyped_field()
    {
        var m = Load("dict-page-offset-zero.parquet");

        var meta = m.RowGroups.Single().Columns.Single().MetaData!;
        meta.DictionaryPageOffset.Should().Be(0);
        meta.FirstPageOffset.Should().Be(meta.DataPageOffset).And.Be(4);
        // This writer's field 15 is a list, not bloom_filter_length: skipped like Thrift-generated readers do.
        meta.BloomFilterLength.Should().BeNull();
        m.KeyValueMetadata!.Select(kv => kv.Key).Should().Contain("dremio.version");
    }

    [Fact]
    public void Repeated_no_annotation_counts_its_rows_only_in_the_row_group()
    {
        var m = Load("repeated_no_annotation.parquet");

        m.NumRows.Should().Be(0);
        m.RowGroups.Single().NumRows.Should().Be(6);
    }

    [Fact]
    public void Floating_point_columns_may_declare_IEEE_754_total_order()
    {
        var m = Load("floating_orders_nan_count.parquet");

        Leaves(m.Schema).Select((l, i) => (l.Path, m.ColumnOrders![i].Kind)).Should().Equal(
            ("float_ieee754", ColumnOrderKind.Ieee754TotalOrder), ("float_typedef", ColumnOrderKind.TypeOrder),
            ("double_ieee754", ColumnOrderKind.Ieee754TotalOrder), ("double_typedef", ColumnOrderKind.TypeOrder),
            ("float16_ieee754", ColumnOrderKind.Ieee754TotalOrder), ("float16_typedef", ColumnOrderKind.TypeOrder));
        m.RowGroups.SelectMany(g => g.Columns).Should().OnlyContain(c => c.MetaData!.Statistics!.NanCount != null);
    }

    [Fact]
    public void Column_chunk_key_value_metadata_keeps_a_key_without_value()
    {
        var m = Load("column_chunk_key_value_metadata.parquet");

        var kv = m.RowGroups[0].Columns[0].MetaData!.KeyValueMetadata!;
        kv.Select(k => (k.Key, k.Value)).Should().Equal(("foo", "bar"), ("thisiskeywithoutvalue", (string?)null));
    }

    [Fact]
    public void Sorting_columns_are_read_per_row_group()
    {
        var m = Load("sort_columns.parquet");

        m.RowGroups.Should().HaveCount(2);
        foreach (var g in m.RowGroups)
        {
            g.SortingColumns!.Select(s => (s.ColumnIdx, s.Descending, s.NullsFirst))
                .Should().Equal((0, true, true), (1, false, false));
        }

        m.RowGroups.Select(g => g.Ordinal).Should().Equal((short)0, (short)1);
    }

    [Fact]
    public void Logical_and_converted_annotations_are_read()
    {
        var dec = Load("int32_decimal.parquet").Schema[1];
        dec.ConvertedType.Should().Be(ConvertedType.Decimal);
        (dec.Precision, dec.Scale).Should().Be((4, 2));

        var u64 = Load("concatenated_gzip_members.parquet").Schema[1];
        u64.ConvertedType.Should().Be(ConvertedType.Uint64);
        u64.LogicalType!.Kind.Should().Be(LogicalTypeKind.Integer);
        (u64.LogicalType.BitWidth, u64.LogicalType.IsSigned).Should().Be(((sbyte)64, false));

        var f16 = Load("float16_zeros_and_nans.parquet").Schema[1];
        f16.Type.Should().Be(PhysicalType.FixedLenByteArray);
        f16.TypeLength.Should().Be(2);
        f16.LogicalType!.Kind.Should().Be(LogicalTypeKind.Float16);

        var bss = Load("byte_stream_split.zstd.parquet").RowGroups[0].Columns[0].MetaData!;
        bss.Codec.Should().Be(CompressionCodec.Zstd);
        bss.Encodings.Should().Contain(Encoding.ByteStreamSplit);

        var bloom = Load("data_index_bloom_encoding_stats.parquet").RowGroups[0].Columns[0];
        bloom.MetaData!.BloomFilterOffset.Should().Be(192);
        bloom.ColumnIndexOffset.Should().Be(156);
        bloom.MetaData.EncodingStats.Should().ContainSingle().Which.PageType.Should().Be(PageType.DataPage);
        bloom.MetaData.Statistics!.NullCount.Should().NotBeNull();
    }

    // ---- (b) write -> read round trip -------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Footer_round_trips_field_by_field(string name)
    {
        var footer = FooterBytes(File.ReadAllBytes(Path.Combine(FixtureDir, name)));
        var original = ParquetFooter.Parse(footer);

        var written = ParquetFooter.Serialize(original);
        var reread = ParquetFooter.Parse(written);

        reread.Should().BeEquivalentTo(original, o => o.WithStrictOrdering().AllowingInfiniteRecursion());
        ParquetFooter.Serialize(reread).Should().Equal(written);
        // Writers emit fields in id order and use nothing this model drops, so even the bytes come back;
        // the one exception is a writer whose field 15 does not match the IDL and is skipped.
        if (name != "dict-page-offset-zero.parquet")
            written.Should().Equal(footer.ToArray());
    }

    [Fact]
    public void Serialize_with_tail_produces_a_readable_file_end()
    {
        var original = Load("alltypes_plain.parquet");
        var tail = ParquetFooter.SerializeWithTail(original);
        var file = new byte[4 + tail.Length];
        "PAR1"u8.CopyTo(file);
        tail.CopyTo(file, 4);

        ParquetFooter.ParseFile(file).Should().BeEquivalentTo(original, o => o.WithStrictOrdering());
    }

    // ---- page headers -----------------------------------------------------------------------------------

    [Theory]
    [InlineData("alltypes_plain.parquet", 2, "DictionaryPage", false)]
    [InlineData("alltypes_dictionary.parquet", 2, "DictionaryPage", false)]
    [InlineData("datapage_v2.snappy.parquet", 2, "DictionaryPage", false)]
    [InlineData("dict-page-offset-zero.parquet", 1, "DataPage", false)]
    [InlineData("datapage_v1-snappy-compressed-checksum.parquet", 2, "DataPage", true)]
    [InlineData("data_index_bloom_encoding_stats.parquet", 1, "DataPage", true)]
    [InlineData("byte_stream_split.zstd.parquet", 1, "DataPage", false)]
    [InlineData("unknown-logical-type.parquet", 2, "DictionaryPage", false)]
    [InlineData("alltypes_tiny_pages.parquet", 325, "DataPage", false)]
    [InlineData("overflow_i16_page_cnt.parquet", 40000, "DataPage", false)]
    public void Page_headers_of_the_first_column_chunk_cover_it_exactly(string name, int pages, string firstType, bool hasCrc)
    {
        var file = File.ReadAllBytes(Path.Combine(FixtureDir, name));
        var meta = ParquetFooter.ParseFile(file).RowGroups[0].Columns[0].MetaData!;

        long position = meta.FirstPageOffset, end = position + meta.TotalCompressedSize, values = 0;
        var headers = new List<PageHeader>();
        while (position < end)
        {
            var page = file.AsSpan(checked((int)position), checked((int)(end - position)));
            var header = PageHeader.Read(page, out int headerLength);
            header.ToArray().Should().Equal(page[..headerLength].ToArray(), "a page header re-serializes to its own bytes");
            values += header.DataPageHeader?.NumValues ?? header.DataPageHeaderV2?.NumValues ?? 0;
            position += headerLength + header.CompressedPageSize;
            headers.Add(header);
        }

        position.Should().Be(end);
        values.Should().Be(meta.NumValues);
        headers.Should().HaveCount(pages);
        headers[0].Type.Should().Be(Enum.Parse<PageType>(firstType));
        headers.Skip(1).Should().NotContain(h => h.Type != PageType.DataPage && h.Type != PageType.DataPageV2);
        headers.Should().OnlyContain(h => (h.Crc != null) == hasCrc);
        if (name.StartsWith("datapage_v2", StringComparison.Ordinal))
            headers[1].DataPageHeaderV2!.NumRows.Should().Be(5);
    }

    [Fact]
    public void Page_header_truncated_anywhere_fails_with_ParquetException()
    {
        var file = File.ReadAllBytes(Path.Combine(FixtureDir, "datapage_v2.snappy.parquet"));
        var meta = ParquetFooter.ParseFile(file).RowGroups[0].Columns[0].MetaData!;
        var start = (int)meta.FirstPageOffset;
        var dictionary = PageHeader.Read(file.AsSpan(start), out int dictLength);
        var v2Start = start + dictLength + dictionary.CompressedPageSize;
        PageHeader.Read(file.AsSpan(v2Start), out int v2Length).Type.Should().Be(PageType.DataPageV2);

        foreach (var (offset, length) in new[] { (start, dictLength), (v2Start, v2Length) })
        {
            for (int cut = 0; cut < length; cut++)
            {
                var prefix = file.AsSpan(offset, cut).ToArray();
                var act = () => PageHeader.Read(prefix, out _);
                act.Should().Throw<ParquetException>();
            }
        }
    }

    // ---- (c) corrupt input ------------------------------------------------------------------------------

    [Theory]
    [InlineData("alltypes_plain.parquet")]
    [InlineData("unknown-logical-type.parquet")]
    [InlineData("sort_columns.parquet")]
    public void Footer_truncated_at_every_byte_fails_with_ParquetException(string name)
    {
        var footer = FooterBytes(File.ReadAllBytes(Path.Combine(FixtureDir, name))).ToArray();
        var watch = Stopwatch.StartNew();
        for (int cut = 0; cut < footer.Length; cut++)
        {
            var prefix = footer[..cut];
            var act = () => ParquetFooter.Parse(prefix);
            act.Should().Throw<ParquetException>("a footer cut to {0} of {1} bytes is incomplete", cut, footer.Length);
        }

        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
    }

    [Theory]
    [InlineData("alltypes_plain.parquet")]
    [InlineData("nested_structs.rust.parquet")]
    [InlineData("unknown-logical-type.parquet")]
    [InlineData("data_index_bloom_encoding_with_length.parquet")]
    [InlineData("alltypes_tiny_pages.parquet")]
    public void Randomly_mutated_footers_fail_only_with_ParquetException(string name)
    {
        var footer = FooterBytes(File.ReadAllBytes(Path.Combine(FixtureDir, name))).ToArray();
        var random = new Random(20240611 ^ name.Length);
        var unexpected = new List<string>();
        int refused = 0;
        var watch = Stopwatch.StartNew();
        for (int trial = 0; trial < 1500; trial++)
        {
            var bytes = (byte[])footer.Clone();
            int changes = random.Next(1, 5);
            for (int i = 0; i < changes; i++)
                bytes[random.Next(bytes.Length)] = (byte)(random.Next(4) == 0 ? 0xFF : random.Next(256));
            if (trial % 3 == 0)
                bytes = bytes[..random.Next(bytes.Length)];
            try
            {
                ParquetFooter.Parse(bytes);
            }
            catch (ParquetException)
            {
                refused++;
            }
            catch (Exception ex)
            {
                unexpected.Add($"trial {trial}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        unexpected.Should().BeEmpty();
        refused.Should().BePositive();
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Huge_string_length_is_refused_before_allocating()
    {
        // FileMetaData field 6 (created_by), claiming 2147483000 bytes, followed by only 1200.
        var bytes = new List<byte> { 0x68 };
        bytes.AddRange(Varint(2147483000));
        bytes.AddRange(new byte[1200]);

        var act = () => ParquetFooter.Parse(bytes.ToArray());

        act.Should().Throw<ParquetException>()
            .WithMessage("thrift: string length 2147483000 exceeds the 1200 bytes left (FileMetaData field 6)");
    }

    [Fact]
    public void Huge_list_and_map_counts_are_refused_before_allocating()
    {
        // FileMetaData field 2 (schema): a list of structs claiming a billion elements.
        var list = new List<byte> { 0x29, 0xFC };
        list.AddRange(Varint(1_000_000_000));
        list.AddRange(new byte[100]);
        var actList = () => ParquetFooter.Parse(list.ToArray());
        actList.Should().Throw<ParquetException>()
            .WithMessage("thrift: list of 1000000000 elements exceeds the 100 bytes left (FileMetaData field 2)");

        // An unknown field 15 holding a map<i32,double> that claims more entries than can fit.
        var map = new List<byte> { 0xFB };
        map.AddRange(Varint(50));
        map.Add(0x57);
        map.AddRange(new byte[100]);
        var actMap = () => ParquetFooter.Parse(map.ToArray());
        actMap.Should().Throw<ParquetException>().WithMessage("thrift: map of 50 entries exceeds the 100 bytes left*");

        // A double list needs 8 bytes per element.
        var doubles = new byte[] { 0xF9, 0xA7, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
        var actDoubles = () => ParquetFooter.Parse(doubles);
        actDoubles.Should().Throw<ParquetException>().WithMessage("thrift: list of 10 elements exceeds the 9 bytes left*");
    }

    [Fact]
    public void Deep_nesting_is_refused_without_exhausting_the_stack()
    {
        // Unknown field 15 opening 100000 nested structs, then 100000 nested lists.
        var structs = new byte[1 + 100_000];
        structs[0] = 0xFC;
        structs.AsSpan(1).Fill(0x1C);
        var lists = new byte[1 + 100_000];
        lists[0] = 0xF9;
        lists.AsSpan(1).Fill(0x19);

        foreach (var bytes in new[] { structs, lists })
        {
            var act = () => ParquetFooter.Parse(bytes);
            act.Should().Throw<ParquetException>().WithMessage($"thrift: nesting deeper than {ThriftCompactReader.MaxDepth} levels*");
        }
    }

    [Fact]
    public void Nesting_up_to_the_limit_is_accepted()
    {
        // FileMetaData is level 1, so 63 nested unknown structs reach the limit and 64 exceed it.
        ParquetFooter.Parse(MinimalFooterWithNestedUnknown(ThriftCompactReader.MaxDepth - 1)).NumRows.Should().Be(7);
        var act = () => ParquetFooter.Parse(MinimalFooterWithNestedUnknown(ThriftCompactReader.MaxDepth));
        act.Should().Throw<ParquetException>().WithMessage("thrift: nesting deeper than*");
    }

    [Fact]
    public void Missing_required_field_names_struct_and_field()
    {
        var w = new ThriftCompactWriter();
        w.BeginStruct();
        w.WriteI32Field(1, 1);
        w.WriteListField(2, ThriftType.Struct, new[] { new SchemaElement { Name = "root", NumChildren = 0 } }, static (w, e) => e.Write(w));
        w.WriteListField(4, ThriftType.Struct, Array.Empty<RowGroup>(), static (w, g) => g.Write(w));
        w.EndStruct();

        var act = () => ParquetFooter.Parse(w.ToArray());

        act.Should().Throw<ParquetException>().WithMessage("FileMetaData: required field 'num_rows' is missing");
    }

    [Theory]
    [MemberData(nameof(BadFixtures))]
    public void Bad_data_fixtures_parse_or_fail_with_ParquetException(string name)
    {
        var file = File.ReadAllBytes(Path.Combine(FixtureDir, "bad_data", name));
        try
        {
            var m = ParquetFooter.ParseFile(file);
            foreach (var chunk in m.RowGroups.SelectMany(g => g.Columns))
            {
                var meta = chunk.MetaData!;
                long position = meta.FirstPageOffset;
                long end = Math.Min(position + meta.TotalCompressedSize, file.Length - 8);
                while (position >= 0 && position < end)
                {
                    PageHeader.Read(file.AsSpan((int)position, (int)(end - position)), out int headerLength);
                    position = end; // the first header of each chunk is enough here
                    headerLength.Should().BePositive();
                }
            }
        }
        catch (ParquetException ex)
        {
            ex.Message.Should().NotBeNullOrWhiteSpace();
        }
    }

    [Fact]
    public void Known_bad_footers_are_refused_with_a_precise_reason()
    {
        var act = () => Load("bad_data/ARROW-GH-41317.parquet");
        act.Should().Throw<ParquetException>()
            .WithMessage("ColumnMetaData: field 2 is a list of wire type 4 (I16), expected 5 (I32)");
    }

    [Fact]
    public void File_framing_errors_are_reported()
    {
        var good = File.ReadAllBytes(Path.Combine(FixtureDir, "alltypes_plain.parquet"));

        var shortFile = () => ParquetFooter.ParseFile(good.AsSpan(0, 11));
        shortFile.Should().Throw<ParquetException>().WithMessage("file of 11 bytes is too short*");

        var badTail = (byte[])good.Clone();
        badTail[^1] = (byte)'X';
        var actTail = () => ParquetFooter.ParseFile(badTail);
        actTail.Should().Throw<ParquetException>().WithMessage("file does not end with the Parquet magic*");

        var encrypted = (byte[])good.Clone();
        encrypted[^1] = (byte)'E';
        var actEncrypted = () => ParquetFooter.ParseFile(encrypted);
        actEncrypted.Should().Throw<ParquetException>().WithMessage("*encrypted footer*");

        var badHead = (byte[])good.Clone();
        badHead[0] = 0;
        var actHead = () => ParquetFooter.ParseFile(badHead);
        actHead.Should().Throw<ParquetException>().WithMessage("file does not start with the Parquet magic*");

        var hugeLength = (byte[])good.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(hugeLength.AsSpan(hugeLength.Length - 8), int.MaxValue);
        var actLength = () => ParquetFooter.ParseFile(hugeLength);
        actLength.Should().Throw<ParquetException>().WithMessage($"footer length {int.MaxValue} exceeds*");
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private static FileMetaData Load(string name) =>
        ParquetFooter.ParseFile(File.ReadAllBytes(Path.Combine(FixtureDir, name)));

    private static ReadOnlySpan<byte> FooterBytes(byte[] file)
    {
        int length = ParquetFooter.ReadFooterLength(file.AsSpan(file.Length - ParquetFooter.TailLength), file.Length);
        return file.AsSpan(file.Length - ParquetFooter.TailLength - length, length);
    }

    /// <summary>Leaf columns in schema order with their dotted paths (root excluded).</summary>
    private static List<(string Path, SchemaElement Element)> Leaves(List<SchemaElement> schema)
    {
        var leaves = new List<(string, SchemaElement)>();
        int next = 1;
        void Walk(string prefix, int children)
        {
            for (int i = 0; i < children; i++)
            {
                next.Should().BeLessThan(schema.Count, "num_children must not claim more elements than the schema has");
                var e = schema[next++];
                string path = prefix.Length == 0 ? e.Name : prefix + "." + e.Name;
                if (e.Type is null)
                    Walk(path, e.NumChildren ?? 0);
                else
                    leaves.Add((path, e));
            }
        }

        Walk("", schema[0].NumChildren ?? 0);
        next.Should().Be(schema.Count, "the schema tree must use every element");
        return leaves;
    }

    private static byte[] MinimalFooterWithNestedUnknown(int depth)
    {
        var w = new ThriftCompactWriter();
        w.BeginStruct();
        w.WriteI32Field(1, 1);
        w.WriteListField(2, ThriftType.Struct, new[] { new SchemaElement { Name = "root", NumChildren = 0 } }, static (w, e) => e.Write(w));
        w.WriteI64Field(3, 7);
        w.WriteListField(4, ThriftType.Struct, Array.Empty<RowGroup>(), static (w, g) => g.Write(w));
        w.WriteFieldHeader(20, ThriftType.Struct);
        w.BeginStruct();
        for (int i = 1; i < depth; i++)
            w.BeginStructField(1);
        w.WriteI32Field(2, 42);
        for (int i = 1; i < depth; i++)
            w.EndStruct();
        w.EndStruct();
        w.EndStruct();
        return w.ToArray();
    }

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return bytes.ToArray();
    }

    private static TheoryData<string> FileNames(string dir)
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(dir, "*.parquet").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    private static string FindFixtureDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CdcLake.sln")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "fixtures", "parquet"));
        }

        throw new InvalidOperationException($"no folder containing CdcLake.sln above {AppContext.BaseDirectory}");
    }
}
