using System.Text;
using CdcLake.Parquet.Compression;
using FluentAssertions;
using Xunit;

namespace CdcLake.Parquet.Tests;

/// <summary>
/// Our Snappy codec against IronSnappy, an independent implementation kept only as a test oracle: data
/// compressed by either side must decompress with the other to the original bytes. Hand-made blocks
/// cover the elements our compressor never emits (4-byte offsets, long literal lengths, overlapping copies
/// of every short period) and the ways a block can be corrupt.
/// </summary>
public sealed class SnappyCodecTests
{
    public static TheoryData<string> Kinds() => new(["random", "text", "repetitive", "zeros", "runs", "sparse"]);

    private static readonly int[] Sizes =
    [
        .. Enumerable.Range(0, 101), 127, 128, 255, 256, 1000, 4096, 65535, 65536, 65537, 65536 + 17, 100_000,
        131_072, 131_073, 300_001, 1 << 20,
    ];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Ours_decompresses_with_IronSnappy(string kind)
    {
        foreach (var size in Sizes)
        {
            var data = MakeData(kind, size, seed: size);
            var compressed = CompressOurs(data);
            IronSnappy.Snappy.Decode(compressed).Should().Equal(data, $"{kind} {size}");
            DecompressOurs(compressed, data.Length).Should().Equal(data, $"{kind} {size}");
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void IronSnappy_decompresses_with_ours(string kind)
    {
        foreach (var size in Sizes)
        {
            var data = MakeData(kind, size, seed: size + 1);
            var compressed = IronSnappy.Snappy.Encode(data);
            DecompressOurs(compressed, data.Length).Should().Equal(data, $"{kind} {size}");
        }
    }

    [Fact]
    public void Compresses_like_a_real_compressor()
    {
        var text = MakeData("text", 200_000, 1);
        CompressOurs(text).Length.Should().BeLessThan(text.Length / 3);
        var zeros = new byte[1 << 20];
        CompressOurs(zeros).Length.Should().BeLessThan(zeros.Length / 20);

        // Incompressible data costs a few bytes per block, far inside the bound.
        var random = MakeData("random", 1 << 20, 2);
        CompressOurs(random).Length.Should().BeLessThan(random.Length + 100);
    }

    [Fact]
    public void Round_trips_every_offset_and_length_of_a_copy()
    {
        // A prefix of distinct bytes, then a repeat of some slice of it, as one block of each size.
        var rng = new Random(3);
        foreach (var offset in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 64, 2047, 2048, 4000, 65535 })
        {
            foreach (var length in new[] { 4, 5, 11, 12, 16, 17, 60, 64, 65, 67, 68, 100, 1000 })
            {
                var prefix = new byte[offset + 10];
                rng.NextBytes(prefix);
                var data = new byte[prefix.Length + length + rng.Next(0, 40)];
                prefix.CopyTo(data, 0);
                for (var i = prefix.Length; i < prefix.Length + length; i++)
                {
                    data[i] = data[i - offset];
                }

                rng.NextBytes(data.AsSpan(prefix.Length + length));
                var compressed = CompressOurs(data);
                IronSnappy.Snappy.Decode(compressed).Should().Equal(data);
                DecompressOurs(compressed, data.Length).Should().Equal(data);
            }
        }
    }

    [Fact]
    public void Decodes_every_element_form()
    {
        // "xababab...": literal "xab", then copies with 1-, 2- and 4-byte offsets, each overlapping itself.
        var expected = new List<byte>("xab"u8.ToArray());
        var block = new List<byte> { (2 << 2) | 0 }; // literal of 3 bytes
        block.AddRange("xab"u8.ToArray());
        Repeat(expected, 2, 4);
        block.AddRange([(byte)(1 | ((4 - 4) << 2)), 2]); // copy-1, length 4, offset 2
        Repeat(expected, 1, 11);
        block.AddRange([(byte)(1 | ((11 - 4) << 2)), 1]); // copy-1, length 11, offset 1
        Repeat(expected, 3, 64);
        block.AddRange([(byte)(2 | ((64 - 1) << 2)), 3, 0]); // copy-2, length 64, offset 3
        Repeat(expected, 17, 1);
        block.AddRange([(byte)(3 | ((1 - 1) << 2)), 17, 0, 0, 0]); // copy-4, length 1, offset 17
        Repeat(expected, 20, 40);
        block.AddRange([(byte)(3 | ((40 - 1) << 2)), 20, 0, 0, 0]); // copy-4, length 40, offset 20

        // Literals whose length minus one follows in 1, 2, 3 and 4 bytes.
        foreach (var (tag, lengthBytes) in new[] { (60, 1), (61, 2), (62, 3), (63, 4) })
        {
            var literal = Encoding.ASCII.GetBytes(new string((char)('a' + tag - 60), 70 + tag));
            block.Add((byte)(tag << 2));
            for (var i = 0; i < lengthBytes; i++)
            {
                block.Add((byte)((literal.Length - 1) >> (8 * i)));
            }

            block.AddRange(literal);
            expected.AddRange(literal);
        }

        byte[] compressed = [.. Preamble(expected.Count), .. block];
        DecompressOurs(compressed, expected.Count).Should().Equal(expected);
        IronSnappy.Snappy.Decode(compressed).Should().Equal(expected);
    }

    [Theory]
    [InlineData(new byte[] { 4, 0x01, 0x00 }, "bytes back")] // copy before any output
    [InlineData(new byte[] { 8, 0x0C, (byte)'a', (byte)'b', (byte)'c', (byte)'d', 0x01, 0x00 }, "0 bytes back")]
    [InlineData(new byte[] { 8, 0x0C, (byte)'a', (byte)'b', (byte)'c', (byte)'d', 0x02, 0x05, 0x00 }, "5 bytes back")]
    [InlineData(new byte[] { 8, 0x0C, (byte)'a', (byte)'b', (byte)'c', (byte)'d', 0x03, 0x05, 0x00, 0x00, 0x00 }, "5 bytes back")]
    [InlineData(new byte[] { 8, 0x0C, (byte)'a', (byte)'b', (byte)'c', (byte)'d', 0x03, 0x01, 0x00, 0x00, 0x80 }, "bytes back")]
    [InlineData(new byte[] { 8, 0x0C, (byte)'a', (byte)'b', (byte)'c', (byte)'d', 0x03, 0x01, 0x00 }, "past the end of the data")]
    [InlineData(new byte[] { 8, 0x0C, (byte)'a', (byte)'b', (byte)'c', (byte)'d', 0x02, 0x01 }, "past the end of the data")]
    [InlineData(new byte[] { 8, 0x0C, (byte)'a', (byte)'b', (byte)'c', (byte)'d', 0x01 }, "past the end of the data")]
    [InlineData(new byte[] { 8, 0x0C, (byte)'a', (byte)'b', (byte)'c', (byte)'d', 0x09, 0x01 }, "passes the end")] // 5 more bytes
    [InlineData(new byte[] { 4, 0x1C, (byte)'a', (byte)'b', (byte)'c', (byte)'d' }, "literal of 8")]
    [InlineData(new byte[] { 8, 0x0C, (byte)'a', (byte)'b', (byte)'c', (byte)'d' }, "decompresses to 4")]
    [InlineData(new byte[] { 4, 0xF0 }, "length runs past")]
    [InlineData(new byte[] { 4, 0xFC, 0x03, 0x00 }, "length runs past")]
    [InlineData(new byte[] { 4, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4 }, "literal of 4294967296")]
    [InlineData(new byte[] { 4, 0xF0, 0x03, 1, 2 }, "literal of 4")]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, "longer than 5")]
    public void Rejects_corrupt_blocks(byte[] compressed, string reason)
    {
        var declared = compressed[0] < 0x80 ? compressed[0] : 4;
        var act = () => SnappyCodec.Decompress(compressed, new byte[declared]);
        act.Should().Throw<ParquetException>().Which.Reason.Should().Contain(reason);
    }

    [Fact]
    public void Rejects_a_preamble_that_disagrees_with_the_page_before_writing()
    {
        var compressed = CompressOurs(MakeData("text", 1000, 1));
        var output = new byte[999];
        var act = () => SnappyCodec.Decompress(compressed, output);
        act.Should().Throw<ParquetException>().Which.Reason.Should().Contain("declares 1000 uncompressed bytes");
        output.Should().OnlyContain(b => b == 0);
    }

    [Fact]
    public void Never_writes_outside_the_output_it_is_given()
    {
        // Decode into the middle of a guarded buffer: the wide copies must stay within the slice.
        foreach (var size in new[] { 1, 5, 15, 16, 17, 31, 63, 64, 65, 100, 1000, 70_000 })
        {
            foreach (var kind in new[] { "text", "runs", "random", "zeros", "sparse" })
            {
                var data = MakeData(kind, size, size);
                var guarded = new byte[size + 128];
                guarded.AsSpan().Fill(0xEE);
                SnappyCodec.Decompress(CompressOurs(data), guarded.AsSpan(64, size));
                guarded.AsSpan(64, size).ToArray().Should().Equal(data);
                guarded.AsSpan(0, 64).ToArray().Should().OnlyContain(b => b == 0xEE);
                guarded.AsSpan(64 + size).ToArray().Should().OnlyContain(b => b == 0xEE);

                // Compression too: nothing past the bytes it reports.
                var output = new byte[SnappyCodec.MaxCompressedLength(size) + 64];
                output.AsSpan().Fill(0xEE);
                var written = SnappyCodec.Compress(data, output.AsSpan(0, SnappyCodec.MaxCompressedLength(size)));
                output.AsSpan(SnappyCodec.MaxCompressedLength(size)).ToArray().Should().OnlyContain(b => b == 0xEE);
                output.AsSpan(written, 8).ToArray().Should().OnlyContain(b => b == 0xEE);
            }
        }
    }

    [Fact]
    public void Mutated_blocks_decode_as_IronSnappy_decodes_them_or_fail_cleanly()
    {
        var rng = new Random(99);
        var originals = new[] { MakeData("text", 5000, 1), MakeData("runs", 3000, 2), MakeData("random", 600, 3), MakeData("sparse", 20_000, 4) };
        var compressed = originals.Select(CompressOurs).ToArray();
        var decoded = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var pick = rng.Next(originals.Length);
            var input = (byte[])compressed[pick].Clone();
            for (var flips = rng.Next(1, 4); flips > 0; flips--)
            {
                input[rng.Next(input.Length)] ^= (byte)(1 << rng.Next(8));
            }

            if (rng.Next(4) == 0)
            {
                input = input[..rng.Next(input.Length)];
            }

            // Decoded into the middle of a guarded buffer: corrupt or not, nothing outside it may change.
            var length = PreambleOf(input);
            var guarded = new byte[length + 160];
            guarded.AsSpan().Fill(0xEE);
            byte[]? ours;
            try
            {
                SnappyCodec.Decompress(input, guarded.AsSpan(80, length));
                ours = guarded.AsSpan(80, length).ToArray();
            }
            catch (ParquetException)
            {
                ours = null;
            }

            guarded.AsSpan(0, 80).ToArray().Should().OnlyContain(b => b == 0xEE, $"case {i}");
            guarded.AsSpan(80 + length).ToArray().Should().OnlyContain(b => b == 0xEE, $"case {i}");
            if (ours is null)
            {
                continue;
            }

            // Whatever we accept must be what another decoder makes of the same bytes.
            IronSnappy.Snappy.Decode(input).Should().Equal(ours, $"case {i}");
            decoded++;
        }

        decoded.Should().BePositive();
    }

    [Fact]
    public void Compression_needs_the_documented_bound()
    {
        var act = () => SnappyCodec.Compress(new byte[100], new byte[SnappyCodec.MaxCompressedLength(100) - 1]);
        act.Should().Throw<ArgumentException>();
    }

    private static void Repeat(List<byte> output, int offset, int length)
    {
        for (var i = 0; i < length; i++)
        {
            output.Add(output[^offset]);
        }
    }

    private static byte[] Preamble(int length)
    {
        var bytes = new List<byte>();
        var value = (uint)length;
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }

    private static int PreambleOf(byte[] input)
    {
        ulong value = 0;
        for (var i = 0; i < Math.Min(5, input.Length); i++)
        {
            value |= (ulong)(input[i] & 0x7F) << (7 * i);
            if (input[i] < 0x80)
            {
                return value <= 1 << 24 ? (int)value : 0;
            }
        }

        return 0;
    }

    private static byte[] CompressOurs(byte[] data)
    {
        var buffer = new byte[SnappyCodec.MaxCompressedLength(data.Length)];
        var written = SnappyCodec.Compress(data, buffer);
        return buffer[..written];
    }

    private static byte[] DecompressOurs(byte[] compressed, int length)
    {
        var output = new byte[length];
        SnappyCodec.Decompress(compressed, output);
        return output;
    }

    internal static byte[] MakeData(string kind, int size, int seed)
    {
        var rng = new Random(seed);
        var data = new byte[size];
        switch (kind)
        {
            case "random":
                rng.NextBytes(data);
                break;
            case "text":
            {
                var text = new StringBuilder();
                for (var row = 0; text.Length < size; row++)
                {
                    text.Append("row ").Append(row).Append(", customer ").Append(row % 97).Append(", status ").Append(rng.Next(3) == 0 ? "OK" : "FAILED").Append('\n');
                }

                Encoding.ASCII.GetBytes(text.ToString(0, size), data);
                break;
            }

            case "repetitive":
            {
                var pattern = new byte[rng.Next(1, 40)];
                rng.NextBytes(pattern);
                for (var i = 0; i < size; i++)
                {
                    data[i] = pattern[i % pattern.Length];
                }

                break;
            }

            case "runs":
                for (var i = 0; i < size;)
                {
                    var value = (byte)rng.Next(4);
                    var run = rng.Next(1, 30);
                    for (; run > 0 && i < size; run--)
                    {
                        data[i++] = value;
                    }
                }

                break;
            case "sparse":
                // Little-endian integers with small deltas: what Parquet pages of numbers look like.
                for (var i = 0; i + 8 <= size; i += 8)
                {
                    BitConverter.TryWriteBytes(data.AsSpan(i), 1_700_000_000_000_000L + (i / 8 * 1_000_000L) + rng.Next(3));
                }

                break;
        }

        return data;
    }
}
