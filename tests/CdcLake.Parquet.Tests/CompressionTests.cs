using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using CdcLake.Parquet.Compression;
using FluentAssertions;
using Xunit;
using Xunit.Abstractions;

namespace CdcLake.Parquet.Tests;

public sealed class CompressionTests(ITestOutputHelper log)
{
    /// <summary>Every codec this package can write.</summary>
    private static readonly CodecId[] Writable =
    [
        CodecId.Uncompressed, CodecId.Snappy, CodecId.Gzip, CodecId.Brotli, CodecId.Lz4, CodecId.Zstd,
        CodecId.Lz4Raw,
    ];

    public static TheoryData<CodecId> WritableCodecs() => new(Writable);

    public static TheoryData<CodecId, string> RoundTripCases()
    {
        var cases = new TheoryData<CodecId, string>();
        foreach (var codec in Writable)
        {
            foreach (var kind in DataKinds)
            {
                cases.Add(codec, kind);
            }
        }

        return cases;
    }

    private static readonly string[] DataKinds =
    [
        "empty", "one byte", "random 1000", "random 300000", "text 100000", "zeros 1048576", "text 262145",
    ];

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void Round_trips(CodecId codec, string kind)
    {
        var data = MakeData(kind);
        var compressed = Compress(codec, data);

        var output = new byte[data.Length];
        PageCompression.Decompress(codec, compressed, output);

        output.Should().Equal(data);
        if (codec != CodecId.Uncompressed)
        {
            compressed.Should().NotBeEmpty("a compressed page always holds a complete stream");
        }

        if (kind.StartsWith("zeros", StringComparison.Ordinal) && codec != CodecId.Uncompressed)
        {
            compressed.Length.Should().BeLessThan(data.Length / 10);
        }
    }

    [Theory]
    [InlineData(CodecId.Gzip, 0, 9)]
    [InlineData(CodecId.Brotli, 0, 11)]
    [InlineData(CodecId.Zstd, -5, 22)]
    public void Round_trips_at_every_level(CodecId codec, int min, int max)
    {
        var data = MakeData("text 20000");
        for (var level = min; level <= max; level++)
        {
            var compressed = Compress(codec, data, level);
            var output = new byte[data.Length];
            PageCompression.Decompress(codec, compressed, output);
            output.Should().Equal(data, $"level {level}");
        }
    }

    [Theory]
    [InlineData(CodecId.Gzip, 10)]
    [InlineData(CodecId.Gzip, -1)]
    [InlineData(CodecId.Brotli, 12)]
    [InlineData(CodecId.Zstd, 23)]
    [InlineData(CodecId.Snappy, 1)]
    [InlineData(CodecId.Lz4Raw, 1)]
    public void Rejects_levels_out_of_range(CodecId codec, int level)
    {
        var act = () => Compress(codec, [1, 2, 3], level);
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Theory]
    [MemberData(nameof(WritableCodecs))]
    public void Bound_holds_for_incompressible_data_of_every_size(CodecId codec)
    {
        var rng = new Random(7);
        foreach (var size in new[] { 0, 1, 2, 15, 16, 17, 100, 4095, 65535, 65536, 65537, 131072, 131073, 400000 })
        {
            var data = new byte[size];
            rng.NextBytes(data);
            int?[] levels = codec switch
            {
                CodecId.Gzip => [0, 1, 6, 9],
                CodecId.Brotli => [0, 4, 11],
                CodecId.Zstd => [-5, 1, 19],
                _ => [null],
            };
            foreach (var level in levels)
            {
                if (codec == CodecId.Brotli && level == 11 && size > 70000)
                {
                    continue; // slow, and nothing about the bound changes with size
                }

                var bound = PageCompression.MaxCompressedLength(codec, size);
                var buffer = new byte[bound];
                var written = PageCompression.Compress(codec, data, buffer, level);
                written.Should().BeInRange(codec == CodecId.Uncompressed ? size : 1, bound);
                var output = new byte[size];
                PageCompression.Decompress(codec, buffer.AsSpan(0, written), output);
                output.Should().Equal(data);
            }
        }
    }

    [Theory]
    [MemberData(nameof(WritableCodecs))]
    public void Compresses_onto_a_buffer_writer(CodecId codec)
    {
        var data = MakeData("text 5000");
        var writer = new ArrayBufferWriter<byte>();
        writer.Write(new byte[] { 9, 9, 9 });
        var written = PageCompression.Compress(codec, data, writer);

        writer.WrittenCount.Should().Be(3 + written);
        var output = new byte[data.Length];
        PageCompression.Decompress(codec, writer.WrittenSpan[3..], output);
        output.Should().Equal(data);
    }

    [Theory]
    [MemberData(nameof(WritableCodecs))]
    public void Rejects_an_output_buffer_below_the_bound(CodecId codec)
    {
        var data = MakeData("random 1000");
        var bound = PageCompression.MaxCompressedLength(codec, data.Length);
        var act = () => PageCompression.Compress(codec, data, new byte[bound - 1]);
        act.Should().Throw<ArgumentException>();
    }

    [Theory]
    [MemberData(nameof(WritableCodecs))]
    public void Wrong_declared_size_is_a_parquet_exception(CodecId codec)
    {
        foreach (var kind in new[] { "text 1000", "random 1000", "one byte" })
        {
            var data = MakeData(kind);
            var compressed = Compress(codec, data);
            foreach (var declared in new[] { 0, data.Length - 1, data.Length + 1, data.Length * 2, data.Length + 70000 })
            {
                if (declared < 0 || declared == data.Length)
                {
                    continue;
                }

                var act = () => PageCompression.Decompress(codec, compressed, new byte[declared]);
                act.Should().Throw<ParquetException>($"{kind} declared as {declared}")
                    .Which.Reason.Should().NotBeNullOrWhiteSpace();
            }
        }
    }

    [Theory]
    [MemberData(nameof(WritableCodecs))]
    public void Empty_input_is_accepted_only_for_an_empty_page(CodecId codec)
    {
        PageCompression.Decompress(codec, [], []);
        var act = () => PageCompression.Decompress(codec, [], new byte[5]);
        act.Should().Throw<ParquetException>();
    }

    [Fact]
    public void Lzo_and_unknown_codecs_are_refused()
    {
        var lzo = () => PageCompression.Decompress(CodecId.Lzo, [1, 2, 3], new byte[3]);
        lzo.Should().Throw<ParquetException>().Which.Reason.Should().Be("LZO is not supported");
        var lzoWrite = () => PageCompression.MaxCompressedLength(CodecId.Lzo, 3);
        lzoWrite.Should().Throw<ParquetException>().Which.Reason.Should().Be("LZO is not supported");

        var unknown = () => PageCompression.Decompress((CodecId)8, [1, 2, 3], new byte[3]);
        unknown.Should().Throw<ParquetException>().Which.Reason.Should().Be("unknown compression codec 8");

        PageCompression.IsAvailable(CodecId.Lzo, out var reason).Should().BeFalse();
        reason.Should().Be("LZO is not supported");
        PageCompression.IsAvailable((CodecId)(-1), out reason).Should().BeFalse();
        reason.Should().Be("unknown compression codec -1");
    }

    [Fact]
    public void Native_libraries_are_present_on_this_machine()
    {
        // The deployment images and CI install libzstd1 and liblz4-1; if this fails, so do the other
        // ZSTD and LZ4 tests, and this one says why.
        PageCompression.IsAvailable(CodecId.Zstd, out var reason).Should().BeTrue(reason);
        PageCompression.IsAvailable(CodecId.Lz4Raw, out reason).Should().BeTrue(reason);
        PageCompression.IsAvailable(CodecId.Lz4, out reason).Should().BeTrue(reason);
    }

    [Fact]
    public void A_missing_native_library_is_reported_with_the_install_hint()
    {
        var library = NativeCodecLibrary.Load(["libdoes-not-exist.so.9"], "does-not-exist", "X needs libx.so.1");
        library.UnavailableReason.Should().Be("X needs libx.so.1");
        library.Require("anything").Should().Be(IntPtr.Zero);
        library.Invoking(l => l.EnsureAvailable()).Should().Throw<ParquetException>()
            .Which.Reason.Should().Be("X needs libx.so.1");
    }

    [Fact]
    public void A_missing_native_function_is_reported_as_an_old_library()
    {
        var library = NativeCodecLibrary.Load(["libzstd.so.1"], "zstd", "unused");
        library.UnavailableReason.Should().BeNull();
        library.Require("ZSTD_no_such_function").Should().Be(IntPtr.Zero);
        library.UnavailableReason.Should().Contain("ZSTD_no_such_function");
        library.Invoking(l => l.EnsureAvailable()).Should().Throw<ParquetException>();
    }

    [Fact]
    public void Gzip_reads_concatenated_members()
    {
        var first = MakeData("text 3000");
        var second = MakeData("random 2000");
        var third = Array.Empty<byte>();
        byte[] input = [.. GzipWithRuntime(first), .. GzipWithRuntime(third), .. GzipWithRuntime(second)];

        var output = new byte[first.Length + second.Length];
        PageCompression.Decompress(CodecId.Gzip, input, output);
        output.Should().Equal([.. first, .. second]);
    }

    [Fact]
    public void Gzip_rejects_a_truncated_trailer_and_trailing_bytes()
    {
        var data = MakeData("text 3000");
        var gzip = Compress(CodecId.Gzip, data);
        byte[] doubled = [.. gzip, .. gzip];

        foreach (var bad in new[] { gzip[..^4], gzip[..^8], gzip[..^1], (byte[])[.. gzip, 0], (byte[])[.. gzip, 0x1F, 0x8B] })
        {
            var act = () => PageCompression.Decompress(CodecId.Gzip, bad, new byte[data.Length]);
            act.Should().Throw<ParquetException>();
        }

        var second = () => PageCompression.Decompress(CodecId.Gzip, doubled[..^4], new byte[data.Length * 2]);
        second.Should().Throw<ParquetException>();

        var notGzip = () => PageCompression.Decompress(CodecId.Gzip, new byte[40], new byte[10]);
        notGzip.Should().Throw<ParquetException>().Which.Reason.Should().Contain("magic");
    }

    [Fact]
    public void Brotli_rejects_trailing_bytes()
    {
        var data = MakeData("text 3000");
        byte[] input = [.. Compress(CodecId.Brotli, data), 0];
        var act = () => PageCompression.Decompress(CodecId.Brotli, input, new byte[data.Length]);
        act.Should().Throw<ParquetException>().Which.Reason.Should().Contain("after the end");
    }

    [Fact]
    public void Zstd_reads_several_frames_and_skippable_frames()
    {
        var first = MakeData("text 3000");
        var second = MakeData("random 2000");
        byte[] skippable = [0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 7, 7, 7];
        byte[] input = [.. skippable, .. Compress(CodecId.Zstd, first), .. Compress(CodecId.Zstd, second)];

        var output = new byte[first.Length + second.Length];
        PageCompression.Decompress(CodecId.Zstd, input, output);
        output.Should().Equal([.. first, .. second]);
    }

    [Fact]
    public void Lz4_reads_a_raw_block_as_written_by_early_parquet_cpp()
    {
        foreach (var kind in new[] { "text 100000", "random 1000", "one byte", "zeros 1048576" })
        {
            var data = MakeData(kind);
            var raw = Compress(CodecId.Lz4Raw, data);
            var output = new byte[data.Length];
            PageCompression.Decompress(CodecId.Lz4, raw, output);
            output.Should().Equal(data, kind);
        }
    }

    [Fact]
    public void Lz4_reads_hadoop_framing_with_several_blocks()
    {
        var data = MakeData("text 300000");
        var framed = Compress(CodecId.Lz4, data);

        // 300000 bytes in 128 KiB blocks: three blocks, each with its own 8-byte prefix.
        var position = 0;
        var blocks = 0;
        while (position < framed.Length)
        {
            var decompressed = BinaryPrimitives.ReadInt32BigEndian(framed.AsSpan(position));
            var compressed = BinaryPrimitives.ReadInt32BigEndian(framed.AsSpan(position + 4));
            decompressed.Should().BeLessThanOrEqualTo(Lz4Codec.HadoopBlockSize);
            position += 8 + compressed;
            blocks++;
        }

        position.Should().Be(framed.Length);
        blocks.Should().Be(3);

        // Hand-built framing with uneven blocks, as other writers may cut them.
        var a = data.AsSpan(0, 1000).ToArray();
        var b = data.AsSpan(1000, 5).ToArray();
        var c = data.AsSpan(1005, 20000).ToArray();
        byte[] handmade = [.. HadoopBlock(a), .. HadoopBlock(b), .. HadoopBlock(c)];
        var output = new byte[21005];
        PageCompression.Decompress(CodecId.Lz4, handmade, output);
        output.Should().Equal(data.AsSpan(0, 21005).ToArray());
    }

    [Fact]
    public void Lz4_falls_back_to_a_raw_block_when_the_framing_does_not_add_up()
    {
        var data = MakeData("text 5000");
        var framed = Compress(CodecId.Lz4, data);

        // A declared size that disagrees with the prefix makes the page neither format.
        var act = () => PageCompression.Decompress(CodecId.Lz4, framed, new byte[data.Length + 1]);
        act.Should().Throw<ParquetException>().Which.Reason.Should().Contain("neither Hadoop-framed");
    }

    [Fact]
    public void Snappy_checks_the_preamble_before_decoding()
    {
        // Preamble says 2^32 - 1 bytes: must fail without allocating that much.
        byte[] huge = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00];
        var act = () => PageCompression.Decompress(CodecId.Snappy, huge, new byte[10]);
        act.Should().Throw<ParquetException>().Which.Reason.Should().Contain("4294967295");

        byte[] endless = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80];
        act = () => PageCompression.Decompress(CodecId.Snappy, endless, new byte[10]);
        act.Should().Throw<ParquetException>().Which.Reason.Should().Contain("preamble");
    }

    [Fact(Timeout = 600_000)]
    public async Task Corrupt_and_truncated_input_throws_only_parquet_exceptions()
    {
        await Task.Run(() =>
        {
            foreach (var codec in Writable)
            {
                var stopwatch = Stopwatch.StartNew();
                var (failures, successes) = Fuzz(codec, seed: 12345 + (int)codec, cases: 4000);
                log.WriteLine($"{PageCompression.Name(codec)}: {failures} rejected, {successes} decoded, {stopwatch.ElapsedMilliseconds} ms");
                failures.Should().BeGreaterThan(1000, PageCompression.Name(codec));
            }
        });
    }

    [Fact]
    public void Decodes_data_from_the_gzip_command_line_tool()
    {
        var data = MakeData("text 50000");
        var first = RunTool("gzip", ["-c", "-n", "-9"], data);
        if (first is null)
        {
            return;
        }

        var output = new byte[data.Length];
        PageCompression.Decompress(CodecId.Gzip, first, output);
        output.Should().Equal(data);

        var other = MakeData("random 3000");
        var second = RunTool("gzip", ["-c", "-1"], other)!;
        var both = new byte[data.Length + other.Length];
        PageCompression.Decompress(CodecId.Gzip, [.. first, .. second], both);
        both.Should().Equal([.. data, .. other]);
    }

    [Fact]
    public void Decodes_data_from_the_zstd_command_line_tool()
    {
        var data = MakeData("text 50000");
        var other = MakeData("random 3000");
        var first = RunTool("zstd", ["-c", "-q", "-19"], data);
        if (first is null)
        {
            return;
        }

        var second = RunTool("zstd", ["-c", "-q", "--no-check", "--no-content-size"], other)!;
        var output = new byte[data.Length];
        PageCompression.Decompress(CodecId.Zstd, first, output);
        output.Should().Equal(data);

        var both = new byte[data.Length + other.Length];
        PageCompression.Decompress(CodecId.Zstd, [.. first, .. second], both);
        both.Should().Equal([.. data, .. other]);
    }

    [Fact]
    public void Decodes_a_block_from_the_lz4_command_line_tool()
    {
        var data = MakeData("text 60000");
        var frame = RunTool("lz4", ["-c", "-B4", "--no-frame-crc"], data);
        if (frame is null)
        {
            return;
        }

        // Pull the one block out of the LZ4 frame (magic, FLG, BD, optional size and dictionary id, HC).
        BinaryPrimitives.ReadUInt32LittleEndian(frame).Should().Be(0x184D2204u);
        var flags = frame[4];
        var position = 7 + ((flags & 0x08) != 0 ? 8 : 0) + ((flags & 0x01) != 0 ? 4 : 0);
        var blockSize = BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(position));
        (blockSize & 0x80000000u).Should().Be(0u, "the block is compressed, not stored");
        var block = frame.AsSpan(position + 4, (int)blockSize).ToArray();

        var output = new byte[data.Length];
        PageCompression.Decompress(CodecId.Lz4Raw, block, output);
        output.Should().Equal(data);

        output.AsSpan().Clear();
        PageCompression.Decompress(CodecId.Lz4, block, output);
        output.Should().Equal(data);

        output.AsSpan().Clear();
        PageCompression.Decompress(CodecId.Lz4, [.. HadoopPrefix(data.Length, block.Length), .. block], output);
        output.Should().Equal(data);
    }

    public static TheoryData<string, CodecId> Fixtures() => new()
    {
        { "hadoop_lz4_compressed.parquet", CodecId.Lz4 },
        { "hadoop_lz4_compressed_larger.parquet", CodecId.Lz4 },
        { "non_hadoop_lz4_compressed.parquet", CodecId.Lz4 },
        { "lz4_raw_compressed.parquet", CodecId.Lz4Raw },
        { "lz4_raw_compressed_larger.parquet", CodecId.Lz4Raw },
        { "concatenated_gzip_members.parquet", CodecId.Gzip },
        { "byte_stream_split.zstd.parquet", CodecId.Zstd },
        { "alltypes_plain.snappy.parquet", CodecId.Snappy },
        { "datapage_v2.snappy.parquet", CodecId.Snappy },
        { "datapage_v2_empty_datapage.snappy.parquet", CodecId.Snappy },
        { "datapage_v1-snappy-compressed-checksum.parquet", CodecId.Snappy },
        { "nested_maps.snappy.parquet", CodecId.Snappy },
        { "dict-page-offset-zero.parquet", CodecId.Snappy },
        { "data_index_bloom_encoding_stats.parquet", CodecId.Gzip },
        { "incorrect_map_schema.parquet", CodecId.Gzip },
        { "rle_boolean_encoding.parquet", CodecId.Gzip },
        { "delta_length_byte_array.parquet", CodecId.Zstd },
        { "nested_structs.rust.parquet", CodecId.Zstd },
        { "page_v2_empty_compressed.parquet", CodecId.Zstd },
        { "alltypes_tiny_pages.parquet", CodecId.Uncompressed },
    };

    /// <summary>
    /// Decompresses every page of every column chunk of a fixture written by another implementation.
    /// The footer and page headers are walked with a generic Thrift compact decoder kept in this test:
    /// it knows the wire format, not the Parquet schema, so it needs only the field ids used below.
    /// </summary>
    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Decompresses_every_page_of_a_fixture(string file, CodecId expected)
    {
        var bytes = File.ReadAllBytes(Path.Combine(FixtureDirectory(), file));
        var pages = 0;
        foreach (var chunk in ColumnChunks(bytes))
        {
            chunk.Codec.Should().Be(expected);
            var position = chunk.Start;
            while (position < chunk.End)
            {
                var reader = new CompactReader(bytes, position);
                var header = reader.ReadStruct();
                var type = (long)header[1]!;
                var uncompressedSize = checked((int)(long)header[2]!);
                var compressedSize = checked((int)(long)header[3]!);
                var body = bytes.AsSpan(reader.Position, compressedSize);
                position = reader.Position + compressedSize;

                var levels = 0;
                if (type == 3 && header[8] is Dictionary<short, object?> v2)
                {
                    // Data page v2 keeps its levels uncompressed in front of the compressed values.
                    levels = checked((int)((long)v2[5]! + (long)v2[6]!));
                    if (v2.TryGetValue(7, out var compressed) && compressed is false)
                    {
                        continue;
                    }
                }

                var output = new byte[uncompressedSize - levels];
                PageCompression.Decompress(chunk.Codec, body[levels..], output);
                pages++;
            }

            position.Should().Be(chunk.End, $"pages of {file} fill their column chunk exactly");
        }

        log.WriteLine($"{file}: {pages} pages");
        pages.Should().BePositive();
    }

    private static (int Failures, int Successes) Fuzz(CodecId codec, int seed, int cases)
    {
        var rng = new Random(seed);
        var originals = new[] { MakeData("text 4000"), MakeData("random 700"), MakeData("one byte"), MakeData("zeros 3000") };
        var compressed = originals.Select(o => Compress(codec, o)).ToArray();
        var failures = 0;
        var successes = 0;
        for (var i = 0; i < cases; i++)
        {
            var pick = rng.Next(originals.Length);
            var input = Mutate(rng, compressed[pick]);
            var declared = rng.Next(10) switch
            {
                0 => rng.Next(2 * originals[pick].Length + 2),
                1 => originals[pick].Length + rng.Next(-3, 4),
                _ => originals[pick].Length,
            };
            declared = Math.Max(0, declared);
            try
            {
                PageCompression.Decompress(codec, input, new byte[declared]);
                successes++;
            }
            catch (ParquetException e)
            {
                e.Reason.Should().NotBeNullOrWhiteSpace();
                failures++;
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException(
                    $"{PageCompression.Name(codec)} case {i} threw {e.GetType().Name}: {e.Message}; input {Convert.ToHexString(input)}, declared {declared}");
            }
        }

        return (failures, successes);
    }

    private static byte[] Mutate(Random rng, byte[] valid)
    {
        var data = (byte[])valid.Clone();
        switch (rng.Next(7))
        {
            case 0:
                return data[..rng.Next(data.Length)];
            case 1:
                for (var flips = rng.Next(1, 4); flips > 0 && data.Length > 0; flips--)
                {
                    data[rng.Next(data.Length)] ^= (byte)(1 << rng.Next(8));
                }

                return data;
            case 2:
                if (data.Length > 0)
                {
                    var start = rng.Next(data.Length);
                    rng.NextBytes(data.AsSpan(start, Math.Min(data.Length - start, rng.Next(1, 32))));
                }

                return data;
            case 3:
            {
                var tail = new byte[rng.Next(1, 17)];
                rng.NextBytes(tail);
                return [.. data, .. tail];
            }

            case 4:
            {
                var at = rng.Next(data.Length + 1);
                return [.. data[..at], (byte)rng.Next(256), .. data[at..]];
            }

            case 5:
            {
                var start = data.Length == 0 ? 0 : rng.Next(data.Length);
                var count = Math.Min(data.Length - start, rng.Next(1, 64));
                return [.. data[..start], .. data[(start + count)..]];
            }

            default:
            {
                var noise = new byte[rng.Next(2 * data.Length + 2)];
                rng.NextBytes(noise);
                return noise;
            }
        }
    }

    private static byte[] Compress(CodecId codec, byte[] data, int? level = null)
    {
        var buffer = new byte[PageCompression.MaxCompressedLength(codec, data.Length)];
        var written = PageCompression.Compress(codec, data, buffer, level);
        return buffer[..written];
    }

    private static byte[] MakeData(string kind)
    {
        var parts = kind.Split(' ');
        var size = parts[0] switch
        {
            "empty" => 0,
            "one" => 1,
            _ => int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture),
        };
        var data = new byte[size];
        switch (parts[0])
        {
            case "random":
            case "one":
                new Random(size).NextBytes(data);
                break;
            case "text":
            {
                var text = new StringBuilder();
                for (var row = 0; text.Length < size; row++)
                {
                    text.Append("row ").Append(row).Append(", customer ").Append(row % 97).Append(", status OK\n");
                }

                Encoding.ASCII.GetBytes(text.ToString(0, size), data);
                break;
            }
        }

        return data;
    }

    private static byte[] HadoopPrefix(int decompressed, int compressed)
    {
        var prefix = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(prefix, decompressed);
        BinaryPrimitives.WriteInt32BigEndian(prefix.AsSpan(4), compressed);
        return prefix;
    }

    private static byte[] HadoopBlock(byte[] data)
    {
        var block = Compress(CodecId.Lz4Raw, data);
        return [.. HadoopPrefix(data.Length, block.Length), .. block];
    }

    private static byte[] GzipWithRuntime(byte[] data)
    {
        using var stream = new MemoryStream();
        using (var gzip = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return stream.ToArray();
    }

    /// <summary>Runs a command-line tool on stdin; null (and the test checks nothing) when it is not installed.</summary>
    private byte[]? RunTool(string tool, string[] arguments, byte[] input)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, tool))
            .FirstOrDefault(File.Exists);
        if (path is null)
        {
            log.WriteLine($"{tool} is not installed; skipping the check against it");
            return null;
        }

        var start = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = Task.Run(() =>
        {
            using var buffer = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(buffer);
            return buffer.ToArray();
        });
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(input);
        process.StandardInput.Close();
        var output = stdout.GetAwaiter().GetResult();
        process.WaitForExit();
        process.ExitCode.Should().Be(0, stderr.GetAwaiter().GetResult());
        return output;
    }

    private static string FixtureDirectory()
    {
        var configured = Environment.GetEnvironmentVariable("CDCLAKE_FIXTURES");
        if (!string.IsNullOrEmpty(configured))
        {
            return Path.Combine(configured, "parquet");
        }

        // shared/ sits beside the repository (or above the work tree), never inside it.
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "fixtures", "parquet");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("shared/fixtures/parquet not found above " + AppContext.BaseDirectory);
    }

    private sealed record ColumnChunk(CodecId Codec, long Start, long End);

    private static IEnumerable<ColumnChunk> ColumnChunks(byte[] file)
    {
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(file.Length - 8));
        Encoding.ASCII.GetString(file, file.Length - 4, 4).Should().Be("PAR1");
        var metadata = new CompactReader(file, file.Length - 8 - footerLength).ReadStruct();
        foreach (var rowGroup in ((List<object?>)metadata[4]!).Cast<Dictionary<short, object?>>())
        {
            foreach (var column in ((List<object?>)rowGroup[1]!).Cast<Dictionary<short, object?>>())
            {
                var meta = (Dictionary<short, object?>)column[3]!;
                var dataPageOffset = (long)meta[9]!;
                var start = meta.TryGetValue(11, out var dictionary) && dictionary is long d && d > 0
                    ? Math.Min(d, dataPageOffset)
                    : dataPageOffset;
                yield return new ColumnChunk((CodecId)(long)meta[4]!, start, start + (long)meta[7]!);
            }
        }
    }

    /// <summary>
    /// Just enough of Thrift's compact protocol to walk a footer and page headers in tests: structs become
    /// field-id dictionaries, integers longs, binaries byte arrays, lists and sets lists.
    /// </summary>
    private sealed class CompactReader(byte[] data, long position)
    {
        public int Position { get; private set; } = checked((int)position);

        public Dictionary<short, object?> ReadStruct()
        {
            var fields = new Dictionary<short, object?>();
            short last = 0;
            while (true)
            {
                var header = data[Position++];
                if (header == 0)
                {
                    return fields;
                }

                var delta = header >> 4;
                var id = delta != 0 ? (short)(last + delta) : checked((short)ReadZigZag());
                last = id;
                fields[id] = ReadValue(header & 0x0F, inStruct: true);
            }
        }

        private object? ReadValue(int type, bool inStruct)
        {
            switch (type)
            {
                case 1:
                case 2:
                    // In a struct the type nibble is the value; in a list each bool takes a byte.
                    return inStruct ? type == 1 : data[Position++] == 1;
                case 3:
                    return (long)(sbyte)data[Position++];
                case 4:
                case 5:
                case 6:
                    return ReadZigZag();
                case 7:
                    Position += 8;
                    return BitConverter.ToDouble(data, Position - 8);
                case 8:
                {
                    var length = checked((int)ReadVarint());
                    Position += length;
                    return data[(Position - length)..Position];
                }

                case 9:
                case 10:
                {
                    var header = data[Position++];
                    var count = header >> 4 == 15 ? checked((int)ReadVarint()) : header >> 4;
                    var list = new List<object?>(count);
                    for (var i = 0; i < count; i++)
                    {
                        list.Add(ReadValue(header & 0x0F, inStruct: false));
                    }

                    return list;
                }

                case 11:
                {
                    var count = checked((int)ReadVarint());
                    var map = new List<object?>(count);
                    if (count > 0)
                    {
                        var types = data[Position++];
                        for (var i = 0; i < count; i++)
                        {
                            map.Add(ReadValue(types >> 4, inStruct: false));
                            map.Add(ReadValue(types & 0x0F, inStruct: false));
                        }
                    }

                    return map;
                }

                case 12:
                    return ReadStruct();
                default:
                    throw new InvalidDataException($"Thrift compact type {type} at {Position}");
            }
        }

        private ulong ReadVarint()
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = data[Position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
        }

        private long ReadZigZag()
        {
            var value = ReadVarint();
            return (long)(value >> 1) ^ -(long)(value & 1);
        }
    }
}
