using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using CdcLake.Parquet.Encodings;
using FluentAssertions;
using Xunit;

namespace CdcLake.Parquet.Tests;

public class EncodingsTests
{
    // ---------------------------------------------------------------- helpers

    private static byte[] Encoded(Action<IBufferWriter<byte>> encode)
    {
        var writer = new ArrayBufferWriter<byte>();
        encode(writer);
        return writer.WrittenSpan.ToArray();
    }

    private static ByteArrayBuilder Build(IEnumerable<byte[]> values)
    {
        var builder = new ByteArrayBuilder(0, 0);
        foreach (byte[] value in values)
        {
            builder.Append(value);
        }

        return builder;
    }

    private static byte[][] Values(ByteArrayBuilder builder)
    {
        var result = new byte[builder.Count][];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = builder[i].ToArray();
        }

        return result;
    }

    private static byte[][] Strings(params string[] values) => values.Select(Encoding.ASCII.GetBytes).ToArray();

    private static int MaxFor(int bitWidth) => bitWidth == 32 ? -1 : (int)((1L << bitWidth) - 1);

    private static int RandomValue(Random random, int bitWidth) =>
        bitWidth == 0 ? 0 : unchecked((int)(uint)random.NextInt64(0, 1L << bitWidth));

    /// <summary>Reference LSB-first unpacking, one bit at a time.</summary>
    private static ulong ReferenceUnpack(byte[] source, int index, int bitWidth)
    {
        ulong value = 0;
        long first = (long)index * bitWidth;
        for (int b = 0; b < bitWidth; b++)
        {
            long bit = first + b;
            value |= (ulong)((source[bit >> 3] >> (int)(bit & 7)) & 1) << b;
        }

        return value;
    }

    /// <summary>Reference LSB-first packing, one bit at a time.</summary>
    private static void ReferencePack(ulong[] values, int bitWidth, List<byte> output)
    {
        var bytes = new byte[(values.Length * bitWidth + 7) / 8];
        for (int i = 0; i < values.Length; i++)
        {
            for (int b = 0; b < bitWidth; b++)
            {
                if (((values[i] >> b) & 1) != 0)
                {
                    long bit = ((long)i * bitWidth) + b;
                    bytes[bit >> 3] |= (byte)(1 << (int)(bit & 7));
                }
            }
        }

        output.AddRange(bytes);
    }

    private static void Uleb(List<byte> output, ulong value)
    {
        while (value >= 0x80)
        {
            output.Add((byte)(value | 0x80));
            value >>= 7;
        }

        output.Add((byte)value);
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static int SkipUleb(byte[] data, int pos)
    {
        while ((data[pos] & 0x80) != 0)
        {
            pos++;
        }

        return pos + 1;
    }

    /// <summary>Runs a decoder on hostile input: it may succeed or throw ParquetException, nothing else.</summary>
    private static void MustDecodeOrRefuse(string what, byte[] input, Action action)
    {
        try
        {
            action();
        }
        catch (ParquetException)
        {
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException(
                $"{what} threw {e.GetType().Name} on input [{Convert.ToHexString(input)}]: {e}");
        }
    }

    private static Task WithinTimeLimit(Action body) =>
        Task.Run(body).WaitAsync(TimeSpan.FromMinutes(3));

    // ---------------------------------------------------------------- RLE / bit-packed hybrid: spec vectors

    [Fact]
    public void Rle_bit_packed_example_from_the_spec_decodes_and_encodes()
    {
        // Encodings.md: 0..7 with bit width 3 pack to 10001000 11000110 11111010; header = 1 group << 1 | 1.
        byte[] data = [0x03, 0x88, 0xC6, 0xFA];
        var values = new int[8];
        RleBitPackedHybrid.Decode(data, 3, values).Should().Be(4);
        values.Should().Equal(0, 1, 2, 3, 4, 5, 6, 7);

        Encoded(w => RleBitPackedHybrid.Encode(new[] { 0, 1, 2, 3, 4, 5, 6, 7 }, 3, w)).Should().Equal(data);
    }

    [Fact]
    public void Rle_run_is_a_varint_header_and_the_value_in_whole_bytes()
    {
        // 300 copies of 0x1234 at width 13: header 600 = 0xD8 0x04, value in 2 bytes little endian.
        byte[] expected = [0xD8, 0x04, 0x34, 0x12];
        int[] values = Enumerable.Repeat(0x1234, 300).ToArray();
        Encoded(w => RleBitPackedHybrid.Encode(values, 13, w)).Should().Equal(expected);

        var decoded = new int[300];
        RleBitPackedHybrid.Decode(expected, 13, decoded).Should().Be(4);
        decoded.Should().Equal(values);
    }

    [Fact]
    public void Rle_encoder_mixes_runs_and_groups_and_pads_partial_groups_with_the_following_repeat()
    {
        // 3 literals, then 20 repeats: 5 repeats complete the first group, the other 15 become an RLE run.
        int[] values = [1, 2, 3, .. Enumerable.Repeat(7, 20)];
        byte[] encoded = Encoded(w => RleBitPackedHybrid.Encode(values, 3, w));
        encoded.Should().Equal(0x03, 0xD1, 0xFE, 0xFF, 0x1E, 0x07);
        var decoded = new int[values.Length];
        RleBitPackedHybrid.Decode(encoded, 3, decoded).Should().Be(encoded.Length);
        decoded.Should().Equal(values);
    }

    [Fact]
    public void Length_prefixed_form_reads_the_prefix_and_reports_bytes_consumed()
    {
        int[] levels = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1];
        byte[] encoded = Encoded(w => RleBitPackedHybrid.EncodeLengthPrefixed(levels, 1, w));
        BitConverter.ToInt32(encoded, 0).Should().Be(encoded.Length - 4);

        byte[] withTrailer = [.. encoded, 0xEE, 0xEE];
        var decoded = new int[levels.Length];
        RleBitPackedHybrid.DecodeLengthPrefixed(withTrailer, 1, decoded).Should().Be(encoded.Length);
        decoded.Should().Equal(levels);
    }

    [Fact]
    public void Length_prefix_longer_than_the_data_is_refused()
    {
        byte[] data = [0x10, 0x00, 0x00, 0x00, 0x02, 0x01];
        FluentActions.Invoking(() => RleBitPackedHybrid.DecodeLengthPrefixed(data, 1, new int[1]))
            .Should().Throw<ParquetException>().WithMessage("*declares 16 bytes but only 2 follow*");
    }

    [Fact]
    public void Width_zero_dictionary_of_one_entry_decodes_to_zeros()
    {
        // The usual form: width byte 0, then an RLE run of 10 with a zero-byte value.
        var indices = new int[10];
        Array.Fill(indices, 99);
        RleBitPackedHybrid.DecodeDictionaryIndices([0x00, 0x14], indices).Should().Be(2);
        indices.Should().OnlyContain(i => i == 0);

        // Some writers stop after the width byte: width 0 carries no information anyway.
        Array.Fill(indices, 99);
        RleBitPackedHybrid.DecodeDictionaryIndices([0x00], indices).Should().Be(1);
        indices.Should().OnlyContain(i => i == 0);

        var values = new long[10];
        DictionaryGather.Gather<long>([42L], indices, values);
        values.Should().OnlyContain(v => v == 42L);

        byte[] encoded = Encoded(w => RleBitPackedHybrid.EncodeDictionaryIndices(new int[10], 0, w));
        encoded.Should().Equal(0x00, 0x14);
    }

    [Fact]
    public void Dictionary_index_width_above_32_is_refused()
    {
        FluentActions.Invoking(() => RleBitPackedHybrid.DecodeDictionaryIndices([33, 0x02, 0, 0, 0, 0, 0], new int[1]))
            .Should().Throw<ParquetException>().WithMessage("*bit width 33 > 32*");
    }

    [Fact]
    public void Rle_run_overrunning_the_expected_count_is_refused()
    {
        // Run of 4000 (header 8000 = 0xC0 0x3E) where the page declares 812 values.
        byte[] data = [0xC0, 0x3E, 0x01];
        FluentActions.Invoking(() => RleBitPackedHybrid.Decode(data, 1, new int[812]))
            .Should().Throw<ParquetException>()
            .WithMessage("RLE: RLE run of 4000 values at byte 0 overruns the 812 values remaining of the 812 expected");
    }

    [Fact]
    public void Final_bit_packed_run_may_declare_more_groups_than_the_values_left()
    {
        // 5 values need one group, padded. DuckDB declares whole blocks of 256 values for its last run, so
        // two groups (or more) for 5 values are read too: the values needed, then the rest is padding.
        var five = new int[5];
        RleBitPackedHybrid.Decode([0x03, 0x88, 0xC6, 0xFA], 3, five).Should().Be(4);
        five.Should().Equal(0, 1, 2, 3, 4);

        five = new int[5];
        RleBitPackedHybrid.Decode([0x05, 0x88, 0xC6, 0xFA, 0x88, 0xC6, 0xFA], 3, five).Should().Be(7);
        five.Should().Equal(0, 1, 2, 3, 4);
    }

    [Fact]
    public void Final_bit_packed_run_cut_short_by_the_writer_is_accepted_when_the_needed_values_are_present()
    {
        // 5 values of 3 bits need 2 bytes; the declared group would need 3.
        var values = new int[5];
        RleBitPackedHybrid.Decode([0x03, 0x88, 0xC6], 3, values).Should().Be(3);
        values.Should().Equal(0, 1, 2, 3, 4);

        FluentActions.Invoking(() => RleBitPackedHybrid.Decode([0x03, 0x88], 3, new int[5]))
            .Should().Throw<ParquetException>().WithMessage("*needs 2 bytes but only 1 remain*");
    }

    [Fact]
    public void Zero_length_runs_are_refused_rather_than_looped_on()
    {
        FluentActions.Invoking(() => RleBitPackedHybrid.Decode([0x00, 0x01], 1, new int[3]))
            .Should().Throw<ParquetException>().WithMessage("*RLE run of 0 values*");
        FluentActions.Invoking(() => RleBitPackedHybrid.Decode([0x01, 0x01], 1, new int[3]))
            .Should().Throw<ParquetException>().WithMessage("*bit-packed run of 0 groups*");
        FluentActions.Invoking(() => RleBitPackedHybrid.Decode([0x00, 0x00, 0x00], 0, new int[3]))
            .Should().Throw<ParquetException>().WithMessage("*RLE run of 0 values*");
    }

    [Fact]
    public void Rle_value_wider_than_the_bit_width_and_short_data_are_refused()
    {
        FluentActions.Invoking(() => RleBitPackedHybrid.Decode([0x04, 0x09], 3, new int[2]))
            .Should().Throw<ParquetException>().WithMessage("*value 9*does not fit in bit width 3*");
        FluentActions.Invoking(() => RleBitPackedHybrid.Decode([0x04, 0x01], 1, new int[3]))
            .Should().Throw<ParquetException>().WithMessage("*data ends after 2 of the 3 values expected*");
        FluentActions.Invoking(() => RleBitPackedHybrid.Decode([0x04, 0x01], 9, new int[2]))
            .Should().Throw<ParquetException>().WithMessage("*RLE run value*needs 2 bytes but only 1 remain*");
        FluentActions.Invoking(() => RleBitPackedHybrid.Decode([0xFF, 0xFF, 0xFF, 0xFF, 0x7F], 1, new int[2]))
            .Should().Throw<ParquetException>().WithMessage("*does not fit in 32 bits*");
    }

    [Fact]
    public void Rle_encoder_refuses_values_outside_the_bit_width()
    {
        FluentActions.Invoking(() => Encoded(w => RleBitPackedHybrid.Encode(new[] { 1, 8 }, 3, w)))
            .Should().Throw<ParquetException>().WithMessage("*value 8 at index 1 does not fit in bit width 3*");
        FluentActions.Invoking(() => Encoded(w => RleBitPackedHybrid.Encode(new[] { -1 }, 31, w)))
            .Should().Throw<ParquetException>();
    }

    [Fact]
    public void Bit_width_for_max_value()
    {
        RleBitPackedHybrid.BitWidthFor(0).Should().Be(0);
        RleBitPackedHybrid.BitWidthFor(1).Should().Be(1);
        RleBitPackedHybrid.BitWidthFor(7).Should().Be(3);
        RleBitPackedHybrid.BitWidthFor(8).Should().Be(4);
        RleBitPackedHybrid.BitWidthFor(int.MaxValue).Should().Be(31);
    }

    // ---------------------------------------------------------------- RLE: round trips

    private static int[] LevelPattern(Random random, int n, int bitWidth, int pattern)
    {
        var values = new int[n];
        int max = MaxFor(bitWidth);
        switch (pattern)
        {
            case 0:
                for (int i = 0; i < n; i++)
                {
                    values[i] = RandomValue(random, bitWidth);
                }

                break;
            case 1:
                for (int i = 0; i < n;)
                {
                    int run = random.Next(1, 30);
                    int value = RandomValue(random, bitWidth);
                    for (int k = 0; k < run && i < n; k++)
                    {
                        values[i++] = value;
                    }
                }

                break;
            case 2:
                Array.Fill(values, max);
                break;
            case 3:
                for (int i = 0; i < n; i++)
                {
                    values[i] = (i & 1) == 0 ? 0 : max;
                }

                break;
            default:
                int[] runs = [1, 3, 7, 8, 9, 15, 16, 17, 100];
                for (int i = 0; i < n;)
                {
                    int run = runs[random.Next(runs.Length)];
                    int value = random.Next(2) == 0 ? max : RandomValue(random, bitWidth);
                    for (int k = 0; k < run && i < n; k++)
                    {
                        values[i++] = value;
                    }
                }

                break;
        }

        return values;
    }

    public static IEnumerable<object[]> AllRleWidths() => Enumerable.Range(0, 33).Select(w => new object[] { w });

    [Theory]
    [MemberData(nameof(AllRleWidths))]
    public void Rle_round_trips_every_width_length_and_pattern(int bitWidth)
    {
        var random = new Random(1000 + bitWidth);
        foreach (int n in new[] { 0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 127, 129, 1000, 4099 })
        {
            for (int pattern = 0; pattern < 5; pattern++)
            {
                int[] values = LevelPattern(random, n, bitWidth, pattern);
                string because = $"width {bitWidth}, n {n}, pattern {pattern}";

                byte[] plain = Encoded(w => RleBitPackedHybrid.Encode(values, bitWidth, w));
                var decoded = new int[n];
                RleBitPackedHybrid.Decode(plain, bitWidth, decoded).Should().Be(plain.Length, because);
                decoded.Should().Equal(values, because);

                byte[] prefixed = Encoded(w => RleBitPackedHybrid.EncodeLengthPrefixed(values, bitWidth, w));
                prefixed.AsSpan(4).SequenceEqual(plain).Should().BeTrue(because);
                Array.Clear(decoded);
                RleBitPackedHybrid.DecodeLengthPrefixed(prefixed, bitWidth, decoded).Should().Be(prefixed.Length, because);
                decoded.Should().Equal(values, because);

                byte[] indices = Encoded(w => RleBitPackedHybrid.EncodeDictionaryIndices(values, bitWidth, w));
                indices[0].Should().Be((byte)bitWidth);
                Array.Clear(decoded);
                RleBitPackedHybrid.DecodeDictionaryIndices(indices, decoded).Should().Be(indices.Length, because);
                decoded.Should().Equal(values, because);
            }
        }
    }

    [Fact]
    public void Rle_encoder_uses_runs_for_repeats_and_stays_compact()
    {
        int[] values = Enumerable.Repeat(1, 100_000).ToArray();
        Encoded(w => RleBitPackedHybrid.Encode(values, 1, w)).Length.Should().Be(4);

        int[] alternating = Enumerable.Range(0, 800).Select(i => i & 1).ToArray();
        Encoded(w => RleBitPackedHybrid.Encode(alternating, 1, w)).Length.Should().Be(2 + 100);
    }

    [Fact]
    public void Rle_booleans_round_trip()
    {
        var random = new Random(7);
        foreach (int n in new[] { 0, 1, 8, 13, 1000 })
        {
            bool[] values = Enumerable.Range(0, n).Select(i => i % 50 < 20 || random.Next(2) == 0).ToArray();
            byte[] encoded = Encoded(w => RleBitPackedHybrid.EncodeBooleans(values, w));
            var decoded = new bool[n];
            RleBitPackedHybrid.DecodeBooleans(encoded, decoded).Should().Be(encoded.Length);
            decoded.Should().Equal(values);
        }
    }

    // ---------------------------------------------------------------- bit packing kernels

    [Fact]
    public void Unpack32_matches_a_bitwise_reference_for_every_width_count_and_slack()
    {
        var random = new Random(32);
        for (int bitWidth = 0; bitWidth <= 32; bitWidth++)
        {
            for (int count = 0; count <= 80; count++)
            {
                foreach (int slack in new[] { 0, 1, 7, 8, 40 })
                {
                    int bytes = (int)BitPacking.ByteCount(count, bitWidth);
                    var source = new byte[bytes + slack];
                    random.NextBytes(source);
                    var actual = new uint[count];
                    BitPacking.Unpack32(source, actual, bitWidth);
                    for (int i = 0; i < count; i++)
                    {
                        actual[i].Should().Be((uint)ReferenceUnpack(source, i, bitWidth), $"width {bitWidth}, count {count}, slack {slack}, index {i}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Unpack64_matches_a_bitwise_reference_for_every_width_count_and_slack()
    {
        var random = new Random(64);
        for (int bitWidth = 0; bitWidth <= 64; bitWidth++)
        {
            foreach (int count in new[] { 0, 1, 5, 8, 31, 32, 33, 64, 600, 1100 })
            {
                foreach (int slack in new[] { 0, 3, 9 })
                {
                    int bytes = (int)BitPacking.ByteCount(count, bitWidth);
                    var source = new byte[bytes + slack];
                    random.NextBytes(source);
                    var actual = new ulong[count];
                    BitPacking.Unpack64(source, actual, bitWidth);
                    for (int i = 0; i < count; i++)
                    {
                        if (actual[i] != ReferenceUnpack(source, i, bitWidth))
                        {
                            actual[i].Should().Be(ReferenceUnpack(source, i, bitWidth), $"width {bitWidth}, count {count}, slack {slack}, index {i}");
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void Pack_matches_a_bitwise_reference_for_every_width()
    {
        var random = new Random(65);
        for (int bitWidth = 0; bitWidth <= 64; bitWidth++)
        {
            foreach (int count in new[] { 0, 1, 7, 8, 9, 32, 77 })
            {
                ulong mask = bitWidth == 64 ? ulong.MaxValue : (1UL << bitWidth) - 1;
                ulong[] values = Enumerable.Range(0, count).Select(_ => (ulong)random.NextInt64() * 3 & mask).ToArray();
                var expected = new List<byte>();
                ReferencePack(values, bitWidth, expected);

                var packed = new byte[expected.Count];
                BitPacking.Pack64(values, packed, bitWidth);
                packed.Should().Equal(expected, $"Pack64 width {bitWidth}, count {count}");

                if (bitWidth <= 32)
                {
                    var packed32 = new byte[expected.Count];
                    BitPacking.Pack32(values.Select(v => (uint)v).ToArray(), packed32, bitWidth);
                    packed32.Should().Equal(expected, $"Pack32 width {bitWidth}, count {count}");
                }
            }
        }
    }

    [Fact]
    public void Unpack_refuses_a_short_source()
    {
        FluentActions.Invoking(() => BitPacking.Unpack32(new byte[2], new uint[8], 3))
            .Should().Throw<ParquetException>();
        FluentActions.Invoking(() => BitPacking.Unpack64(new byte[7], new ulong[1], 64))
            .Should().Throw<ParquetException>();
    }

    // ---------------------------------------------------------------- legacy BIT_PACKED

    [Fact]
    public void Legacy_bit_packed_example_from_the_spec()
    {
        // Encodings.md: 0..7 with bit width 3, MSB first: 00000101 00111001 01110111.
        byte[] data = [0x05, 0x39, 0x77];
        var values = new int[8];
        LegacyBitPacked.Decode(data, 3, values).Should().Be(3);
        values.Should().Equal(0, 1, 2, 3, 4, 5, 6, 7);
        Encoded(w => LegacyBitPacked.Encode(new[] { 0, 1, 2, 3, 4, 5, 6, 7 }, 3, w)).Should().Equal(data);

        // 30 two-bit values take 60 bits: 8 bytes.
        LegacyBitPacked.Decode(new byte[8], 2, new int[30]).Should().Be(8);
        FluentActions.Invoking(() => LegacyBitPacked.Decode(new byte[7], 2, new int[30]))
            .Should().Throw<ParquetException>().WithMessage("*needs 8 bytes but only 7 remain*");
    }

    [Theory]
    [MemberData(nameof(AllRleWidths))]
    public void Legacy_bit_packed_round_trips(int bitWidth)
    {
        var random = new Random(400 + bitWidth);
        foreach (int n in new[] { 0, 1, 3, 8, 30, 1001 })
        {
            int[] values = LevelPattern(random, n, bitWidth, n % 5);
            byte[] encoded = Encoded(w => LegacyBitPacked.Encode(values, bitWidth, w));
            encoded.Length.Should().Be((int)BitPacking.ByteCount(n, bitWidth));
            var decoded = new int[n];
            LegacyBitPacked.Decode(encoded, bitWidth, decoded).Should().Be(encoded.Length);
            decoded.Should().Equal(values);
        }
    }

    // ---------------------------------------------------------------- PLAIN

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private readonly record struct TestInt96(long NanosOfDay, int JulianDay);

    [Fact]
    public void Plain_fixed_width_known_bytes()
    {
        var ints = new int[2];
        PlainDecoder.DecodeInt32([0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0xAA], ints).Should().Be(8);
        ints.Should().Equal(1, int.MinValue);

        var longs = new long[1];
        PlainDecoder.DecodeInt64([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F], longs).Should().Be(8);
        longs[0].Should().Be(long.MaxValue);

        var doubles = new double[1];
        PlainDecoder.DecodeDouble(BitConverter.GetBytes(-2.5), doubles);
        doubles[0].Should().Be(-2.5);

        var floats = new float[1];
        PlainDecoder.DecodeFloat([0x00, 0x00, 0xC0, 0x7F], floats);
        float.IsNaN(floats[0]).Should().BeTrue();

        var int96 = new TestInt96[1];
        byte[] raw = [0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x8C, 0x3D, 0x25, 0x00];
        PlainDecoder.DecodeInt96<TestInt96>(raw, int96).Should().Be(12);
        int96[0].Should().Be(new TestInt96(4096, 2440588));
        Encoded(w => PlainEncoder.EncodeInt96<TestInt96>(int96, w)).Should().Equal(raw);

        FluentActions.Invoking(() => PlainDecoder.DecodeInt64(new byte[15], new long[2]))
            .Should().Throw<ParquetException>().WithMessage("PLAIN: INT64 (2 values) needs 16 bytes but only 15 remain");
    }

    [Fact]
    public void Plain_booleans_are_lsb_first()
    {
        // true,false,true,true,false,false,false,false | true,true  -> 0b00001101, 0b00000011
        bool[] values = [true, false, true, true, false, false, false, false, true, true];
        byte[] encoded = Encoded(w => PlainEncoder.EncodeBooleans(values, w));
        encoded.Should().Equal(0x0D, 0x03);
        var decoded = new bool[10];
        PlainDecoder.DecodeBooleans(encoded, decoded).Should().Be(2);
        decoded.Should().Equal(values);
    }

    [Fact]
    public void Plain_byte_array_known_bytes_and_errors()
    {
        byte[] data = [0x02, 0x00, 0x00, 0x00, (byte)'h', (byte)'i', 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, (byte)'x'];
        var builder = new ByteArrayBuilder();
        PlainDecoder.DecodeByteArray(data, 3, builder).Should().Be(15);
        Values(builder).Should().BeEquivalentTo(Strings("hi", "", "x"), o => o.WithStrictOrdering());
        builder.Offsets.ToArray().Should().Equal(0, 2, 2, 3);
        builder.Data.ToArray().Should().Equal((byte)'h', (byte)'i', (byte)'x');

        Encoded(w => PlainEncoder.EncodeByteArray(builder.AsSpan(), w)).Should().Equal(data);

        FluentActions.Invoking(() => PlainDecoder.DecodeByteArray(data.AsSpan(0, 14).ToArray(), 3, new ByteArrayBuilder()))
            .Should().Throw<ParquetException>().WithMessage("*value 2 at byte 10 declares 1 bytes but only 0 remain*");
        FluentActions.Invoking(() => PlainDecoder.DecodeByteArray([0xFF, 0xFF, 0xFF, 0x7F, 0x00], 1, new ByteArrayBuilder()))
            .Should().Throw<ParquetException>().WithMessage("*declares 2147483647 bytes*");
        FluentActions.Invoking(() => PlainDecoder.DecodeByteArray(new byte[8], 1000, new ByteArrayBuilder()))
            .Should().Throw<ParquetException>().WithMessage("*1000 values*");
    }

    [Fact]
    public void Plain_round_trips_every_type_over_edge_values()
    {
        var random = new Random(11);
        foreach (int n in new[] { 0, 1, 7, 8, 9, 1000 })
        {
            int[] ints = Enumerable.Range(0, n).Select(i => (i % 4) switch { 0 => int.MinValue, 1 => int.MaxValue, 2 => 0, _ => random.Next(int.MinValue, int.MaxValue) }).ToArray();
            long[] longs = Enumerable.Range(0, n).Select(i => (i % 4) switch { 0 => long.MinValue, 1 => long.MaxValue, 2 => -1L, _ => random.NextInt64(long.MinValue, long.MaxValue) }).ToArray();
            float[] floats = Enumerable.Range(0, n).Select(i => (i % 5) switch { 0 => float.NaN, 1 => float.NegativeInfinity, 2 => -0f, 3 => float.Epsilon, _ => (float)random.NextDouble() }).ToArray();
            double[] doubles = Enumerable.Range(0, n).Select(i => (i % 5) switch { 0 => double.NaN, 1 => double.MaxValue, 2 => -0d, 3 => double.Epsilon, _ => random.NextDouble() }).ToArray();
            bool[] bools = Enumerable.Range(0, n).Select(_ => random.Next(2) == 0).ToArray();
            TestInt96[] int96 = Enumerable.Range(0, n).Select(_ => new TestInt96(random.NextInt64(), random.Next())).ToArray();

            byte[] e = Encoded(w => PlainEncoder.EncodeInt32(ints, w));
            e.Length.Should().Be(4 * n);
            var di = new int[n];
            PlainDecoder.DecodeInt32(e, di).Should().Be(e.Length);
            di.Should().Equal(ints);

            e = Encoded(w => PlainEncoder.EncodeInt64(longs, w));
            var dl = new long[n];
            PlainDecoder.DecodeInt64(e, dl).Should().Be(8 * n);
            dl.Should().Equal(longs);

            e = Encoded(w => PlainEncoder.EncodeFloat(floats, w));
            var df = new float[n];
            PlainDecoder.DecodeFloat(e, df).Should().Be(4 * n);
            df.Select(BitConverter.SingleToInt32Bits).Should().Equal(floats.Select(BitConverter.SingleToInt32Bits));

            e = Encoded(w => PlainEncoder.EncodeDouble(doubles, w));
            var dd = new double[n];
            PlainDecoder.DecodeDouble(e, dd).Should().Be(8 * n);
            dd.Select(BitConverter.DoubleToInt64Bits).Should().Equal(doubles.Select(BitConverter.DoubleToInt64Bits));

            e = Encoded(w => PlainEncoder.EncodeBooleans(bools, w));
            var db = new bool[n];
            PlainDecoder.DecodeBooleans(e, db).Should().Be((n + 7) / 8);
            db.Should().Equal(bools);

            e = Encoded(w => PlainEncoder.EncodeInt96<TestInt96>(int96, w));
            var d96 = new TestInt96[n];
            PlainDecoder.DecodeInt96<TestInt96>(e, d96).Should().Be(12 * n);
            d96.Should().Equal(int96);

            byte[][] arrays = Enumerable.Range(0, n).Select(i => RandomBytes(random, i % 3 == 0 ? 0 : random.Next(0, 40))).ToArray();
            var source = Build(arrays);
            e = Encoded(w => PlainEncoder.EncodeByteArray(source.AsSpan(), w));
            var target = new ByteArrayBuilder(0, 0);
            PlainDecoder.DecodeByteArray(e, n, target).Should().Be(e.Length);
            Values(target).Should().BeEquivalentTo(arrays, o => o.WithStrictOrdering());

            foreach (int width in new[] { 0, 1, 12, 16 })
            {
                byte[][] fixedValues = Enumerable.Range(0, n).Select(_ => RandomBytes(random, width)).ToArray();
                var fixedSource = Build(fixedValues);
                e = Encoded(w => PlainEncoder.EncodeFixedLenByteArray(fixedSource.AsSpan(), width, w));
                e.Length.Should().Be(width * n);
                var fixedTarget = new ByteArrayBuilder();
                PlainDecoder.DecodeFixedLenByteArray(e, width, n, fixedTarget).Should().Be(e.Length);
                Values(fixedTarget).Should().BeEquivalentTo(fixedValues, o => o.WithStrictOrdering());
            }
        }
    }

    [Fact]
    public void Plain_fixed_len_encoder_refuses_a_value_of_the_wrong_width()
    {
        var values = Build(Strings("abcd", "abc"));
        FluentActions.Invoking(() => Encoded(w => PlainEncoder.EncodeFixedLenByteArray(values.AsSpan(), 4, w)))
            .Should().Throw<ParquetException>().WithMessage("*value 1 has 3 bytes, not the column's 4*");
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    // ---------------------------------------------------------------- byte-array builder

    [Fact]
    public void Builder_appends_across_pages_and_hands_over_its_buffers()
    {
        var builder = new ByteArrayBuilder(0, 0);
        PlainDecoder.DecodeByteArray([0x01, 0, 0, 0, (byte)'a'], 1, builder);
        PlainDecoder.DecodeByteArray([0x02, 0, 0, 0, (byte)'b', (byte)'c'], 1, builder);
        builder.Count.Should().Be(2);
        builder.DataLength.Should().Be(3);
        builder.OffsetsBuffer.AsSpan(0, 3).ToArray().Should().Equal(0, 1, 3);
        builder.DataBuffer.AsSpan(0, 3).ToArray().Should().Equal((byte)'a', (byte)'b', (byte)'c');
        var (data, offsets) = builder.ToArrays();
        data.Should().HaveCount(3);
        offsets.Should().Equal(0, 1, 3);

        builder.Clear();
        builder.Count.Should().Be(0);
        builder.Offsets.ToArray().Should().Equal(0);
        for (int i = 0; i < 10_000; i++)
        {
            builder.Append(BitConverter.GetBytes(i));
        }

        builder.Count.Should().Be(10_000);
        BitConverter.ToInt32(builder[9_999]).Should().Be(9_999);
    }

    [Fact]
    public void Builder_refuses_growth_past_one_buffer()
    {
        var builder = new ByteArrayBuilder();
        FluentActions.Invoking(() => builder.Reserve(1, (long)int.MaxValue + 10))
            .Should().Throw<ParquetException>().WithMessage("*over the*limit of one buffer*");
        FluentActions.Invoking(() => builder.Reserve(int.MaxValue, 0))
            .Should().Throw<ParquetException>();
    }

    [Fact]
    public void Encoders_refuse_inconsistent_offsets()
    {
        byte[] data = [1, 2, 3];
        int[] offsets = [0, 2, 1];
        FluentActions.Invoking(() => Encoded(w => PlainEncoder.EncodeByteArray(new ByteArraySpan(data, offsets), w)))
            .Should().Throw<ParquetException>().WithMessage("*offset 2 (1) is below offset 1 (2)*");
        int[] beyond = [0, 4];
        FluentActions.Invoking(() => Encoded(w => DeltaByteArray.Encode(new ByteArraySpan(data, beyond), w)))
            .Should().Throw<ParquetException>();
    }

    // ---------------------------------------------------------------- DELTA_BINARY_PACKED

    [Fact]
    public void Delta_example_1_from_the_spec_with_a_valid_block_size()
    {
        // The spec's example uses a block of 8 "to keep it short, but in real cases it would be invalid"; the same
        // data with block 128 / 4 miniblocks: header, min delta 1 (zigzag 2), all four widths 0, no miniblock data.
        byte[] expected = [0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00];
        Encoded(w => DeltaBinaryPacked.EncodeInt32(new[] { 1, 2, 3, 4, 5 }, w)).Should().Equal(expected);
        Encoded(w => DeltaBinaryPacked.EncodeInt64(new[] { 1L, 2, 3, 4, 5 }, w)).Should().Equal(expected);

        var values = new int[5];
        DeltaBinaryPacked.DecodeInt32(expected, values).Should().Be(expected.Length);
        values.Should().Equal(1, 2, 3, 4, 5);

        // Exactly as printed in the spec (block size 8): refused.
        FluentActions.Invoking(() => DeltaBinaryPacked.DecodeInt32([0x08, 0x01, 0x05, 0x02, 0x02, 0x00], new int[5]))
            .Should().Throw<ParquetException>().WithMessage("DELTA_BINARY_PACKED: block size 8 is not a positive multiple of 128*");
    }

    [Fact]
    public void Delta_example_2_from_the_spec_with_a_valid_block_size()
    {
        // 7,5,3,1,2,3,4,5: deltas -2,-2,-2,1,1,1,1; min -2 (zigzag 3); relative 0,0,0,3,3,3,3 at width 2,
        // LSB first: 0xC0 0x3F, then zero padding to 32 values (8 bytes in all).
        byte[] expected = [0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 0x02, 0x00, 0x00, 0x00, 0xC0, 0x3F, 0, 0, 0, 0, 0, 0];
        long[] data = [7, 5, 3, 1, 2, 3, 4, 5];
        Encoded(w => DeltaBinaryPacked.EncodeInt64(data, w)).Should().Equal(expected);

        var values = new long[8];
        DeltaBinaryPacked.DecodeInt64(expected, values).Should().Be(expected.Length);
        values.Should().Equal(data);
    }

    [Fact]
    public void Delta_reader_ignores_widths_of_unused_miniblocks_and_accepts_other_block_layouts()
    {
        // Example 2 with garbage widths for the three unneeded miniblocks.
        byte[] data = [0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 0x02, 0xFF, 0x99, 0x41, 0xC0, 0x3F, 0, 0, 0, 0, 0, 0];
        var values = new int[8];
        DeltaBinaryPacked.DecodeInt32(data, values).Should().Be(data.Length);
        values.Should().Equal(7, 5, 3, 1, 2, 3, 4, 5);

        // Block 256 / 8 miniblocks of 32, and block 128 / 1 miniblock of 128, built by a reference encoder.
        var random = new Random(5);
        long[] longs = Enumerable.Range(0, 700).Select(_ => random.NextInt64(-1000, 1000)).ToArray();
        foreach ((int block, int miniblocks) in new[] { (256, 8), (128, 1), (512, 4) })
        {
            byte[] stream = ReferenceDelta(longs, block, miniblocks, 64);
            var decoded = new long[longs.Length];
            DeltaBinaryPacked.DecodeInt64(stream, decoded).Should().Be(stream.Length);
            decoded.Should().Equal(longs);
        }
    }

    /// <summary>An independent DELTA_BINARY_PACKED writer (64-bit arithmetic) for layouts the production encoder does not use.</summary>
    private static byte[] ReferenceDelta(long[] values, int blockSize, int miniblocks, int typeBits)
    {
        var output = new List<byte>();
        Uleb(output, (ulong)blockSize);
        Uleb(output, (ulong)miniblocks);
        Uleb(output, (ulong)values.Length);
        Uleb(output, ZigZag(values.Length == 0 ? 0 : values[0]));
        int perMini = blockSize / miniblocks;
        ulong typeMask = typeBits == 64 ? ulong.MaxValue : (1UL << typeBits) - 1;
        for (int start = 1; start < values.Length; start += blockSize)
        {
            int n = Math.Min(blockSize, values.Length - start);
            long[] deltas = Enumerable.Range(0, n).Select(i => unchecked(values[start + i] - values[start + i - 1])).ToArray();
            long min = deltas.Min();
            Uleb(output, ZigZag(min));
            var relative = deltas.Select(d => unchecked((ulong)(d - min)) & typeMask).ToArray();
            var widths = new int[miniblocks];
            for (int m = 0; m * perMini < n; m++)
            {
                ulong max = relative.Skip(m * perMini).Take(perMini).Aggregate(0UL, (a, b) => a | b);
                widths[m] = 64 - System.Numerics.BitOperations.LeadingZeroCount(max);
            }

            output.AddRange(widths.Select(w => (byte)w));
            for (int m = 0; m * perMini < n; m++)
            {
                ulong[] mini = new ulong[perMini];
                relative.Skip(m * perMini).Take(perMini).ToArray().CopyTo(mini, 0);
                ReferencePack(mini, widths[m], output);
            }
        }

        return output.ToArray();
    }

    [Fact]
    public void Delta_miniblock_width_above_64_is_refused()
    {
        byte[] data = [0x80, 0x01, 0x04, 0x03, 0x00, 0x00, 70, 0, 0, 0];
        FluentActions.Invoking(() => DeltaBinaryPacked.DecodeInt64(data, new long[3]))
            .Should().Throw<ParquetException>().WithMessage("DELTA_BINARY_PACKED: miniblock bit width 70 > 64*");
        data[6] = 65;
        FluentActions.Invoking(() => DeltaBinaryPacked.DecodeInt32(data, new int[3]))
            .Should().Throw<ParquetException>().WithMessage("DELTA_BINARY_PACKED: miniblock bit width 65 > 64*INT32*");
    }

    [Fact]
    public void Delta_int32_miniblocks_wider_than_32_bits_are_read()
    {
        // Writers that take INT32 deltas in 64-bit arithmetic (DuckDB does) need 33+ bit miniblocks for values
        // spanning the int32 range; the format asks readers to accept them (PARQUET-2435).
        var random = new Random(11);
        long[] longs = Enumerable.Range(0, 300)
            .Select(i => i % 3 == 0 ? int.MinValue : i % 3 == 1 ? int.MaxValue : (long)random.Next(int.MinValue, int.MaxValue))
            .ToArray();
        byte[] stream = ReferenceDelta(longs, 128, 4, 64);
        var decoded = new int[longs.Length];
        DeltaBinaryPacked.DecodeInt32(stream, decoded).Should().Be(stream.Length);
        decoded.Select(v => (long)v).Should().Equal(longs);
    }

    [Fact]
    public void Delta_header_errors_are_precise()
    {
        FluentActions.Invoking(() => DeltaBinaryPacked.DecodeInt32([0x80, 0x01, 0x03, 0x01, 0x00], new int[1]))
            .Should().Throw<ParquetException>().WithMessage("*3 miniblocks do not split a block of 128*");
        FluentActions.Invoking(() => DeltaBinaryPacked.DecodeInt32([0x80, 0x01, 0x04, 0x02, 0x00], new int[3]))
            .Should().Throw<ParquetException>().WithMessage("*header declares 2 values but 3 are expected*");
        FluentActions.Invoking(() => DeltaBinaryPacked.DecodeInt32([0x80, 0x01, 0x04, 0x02, 0x00, 0x00, 0x05], new int[2]))
            .Should().Throw<ParquetException>().WithMessage("*miniblock bit widths of the block at byte 5 needs 4 bytes but only 1 remain*");
        FluentActions.Invoking(() => DeltaBinaryPacked.DecodeInt32([0x80, 0x01, 0x04, 0x02, 0x00, 0x00, 0x05, 0, 0, 0, 1, 2], new int[2]))
            .Should().Throw<ParquetException>().WithMessage("*miniblock 0*needs 20 bytes but only 2 remain*");
    }

    [Fact]
    public void Delta_decodes_a_prefix_and_still_reports_the_end_of_the_whole_stream()
    {
        long[] values = Enumerable.Range(0, 1000).Select(i => (long)i * i).ToArray();
        byte[] encoded = Encoded(w => DeltaBinaryPacked.EncodeInt64(values, w));
        DeltaBinaryPacked.ReadValueCount(encoded).Should().Be(1000);
        var first = new long[300];
        DeltaBinaryPacked.DecodeInt64(encoded, first).Should().Be(encoded.Length);
        first.Should().Equal(values.Take(300));
        DeltaBinaryPacked.DecodeInt64(encoded, Span<long>.Empty).Should().Be(encoded.Length);
    }

    [Fact]
    public void Delta_wraps_on_overflow()
    {
        int[] ints = [int.MinValue, int.MaxValue, int.MinValue, 0, int.MaxValue, -1, int.MinValue];
        byte[] e32 = Encoded(w => DeltaBinaryPacked.EncodeInt32(ints, w));
        var d32 = new int[ints.Length];
        DeltaBinaryPacked.DecodeInt32(e32, d32).Should().Be(e32.Length);
        d32.Should().Equal(ints);

        long[] longs = [long.MinValue, long.MaxValue, long.MinValue, 0, long.MaxValue, -1, long.MinValue];
        byte[] e64 = Encoded(w => DeltaBinaryPacked.EncodeInt64(longs, w));
        var d64 = new long[longs.Length];
        DeltaBinaryPacked.DecodeInt64(e64, d64).Should().Be(e64.Length);
        d64.Should().Equal(longs);
    }

    public static IEnumerable<object[]> AllDeltaWidths() => Enumerable.Range(0, 65).Select(w => new object[] { w });

    [Theory]
    [MemberData(nameof(AllDeltaWidths))]
    public void Delta_round_trips_miniblocks_of_every_width(int bitWidth)
    {
        var random = new Random(2000 + bitWidth);
        foreach (int n in new[] { 3, 33, 129, 200, 1000 })
        {
            // Relative deltas spanning exactly [0, 2^w - 1], so the first miniblock must use width w. The min delta
            // leaves room for them without signed overflow, else the block minimum would be another delta.
            ulong mask = bitWidth == 64 ? ulong.MaxValue : (1UL << bitWidth) - 1;
            long minDelta = bitWidth == 64 ? long.MinValue : random.NextInt64(long.MinValue, long.MaxValue - (long)mask + 1);
            var values = new long[n];
            values[0] = random.NextInt64(long.MinValue, long.MaxValue);
            for (int i = 1; i < n; i++)
            {
                ulong relative = i == 1 ? 0 : i == 2 ? mask : (ulong)random.NextInt64() * 7 & mask;
                values[i] = unchecked(values[i - 1] + minDelta + (long)relative);
            }

            byte[] encoded = Encoded(w => DeltaBinaryPacked.EncodeInt64(values, w));
            int widthAt = SkipUleb(encoded, SkipUleb(encoded, SkipUleb(encoded, SkipUleb(encoded, SkipUleb(encoded, 0)))));
            encoded[widthAt].Should().Be((byte)bitWidth, $"n {n}");

            var decoded = new long[n];
            DeltaBinaryPacked.DecodeInt64(encoded, decoded).Should().Be(encoded.Length);
            decoded.Should().Equal(values, $"width {bitWidth}, n {n}");

            if (bitWidth <= 32)
            {
                int min32 = bitWidth == 32 ? int.MinValue : (int)random.NextInt64(int.MinValue, int.MaxValue - (long)mask + 1);
                var ints = new int[n];
                ints[0] = random.Next(int.MinValue, int.MaxValue);
                for (int i = 1; i < n; i++)
                {
                    uint relative = i == 1 ? 0u : i == 2 ? (uint)mask : (uint)((ulong)random.NextInt64() & mask);
                    ints[i] = unchecked(ints[i - 1] + min32 + (int)relative);
                }

                byte[] e32 = Encoded(w => DeltaBinaryPacked.EncodeInt32(ints, w));
                int at32 = SkipUleb(e32, SkipUleb(e32, SkipUleb(e32, SkipUleb(e32, SkipUleb(e32, 0)))));
                e32[at32].Should().Be((byte)bitWidth, $"n {n}");

                var d32 = new int[n];
                DeltaBinaryPacked.DecodeInt32(e32, d32).Should().Be(e32.Length);
                d32.Should().Equal(ints, $"int32 width {bitWidth}, n {n}");
            }
        }
    }

    [Fact]
    public void Delta_round_trips_edge_sequences()
    {
        var random = new Random(3);
        foreach (int n in new[] { 0, 1, 2, 31, 32, 33, 127, 128, 129, 130, 255, 256, 257, 1000, 4097 })
        {
            var sequences = new List<long[]>
            {
                Enumerable.Range(0, n).Select(_ => random.NextInt64(long.MinValue, long.MaxValue)).ToArray(),
                Enumerable.Range(0, n).Select(i => i % 2 == 0 ? long.MinValue : long.MaxValue).ToArray(),
                Enumerable.Range(0, n).Select(_ => 42L).ToArray(),
                Enumerable.Range(0, n).Select(i => 1_700_000_000_000L + (i * 1000L) + random.Next(0, 5)).ToArray(),
                Enumerable.Range(0, n).Select(i => (long)-i).ToArray(),
            };

            foreach (long[] longs in sequences)
            {
                byte[] e = Encoded(w => DeltaBinaryPacked.EncodeInt64(longs, w));
                DeltaBinaryPacked.ReadValueCount(e).Should().Be(n);
                var d = new long[n];
                DeltaBinaryPacked.DecodeInt64(e, d).Should().Be(e.Length);
                d.Should().Equal(longs);

                int[] ints = longs.Select(v => unchecked((int)v)).ToArray();
                e = Encoded(w => DeltaBinaryPacked.EncodeInt32(ints, w));
                var di = new int[n];
                DeltaBinaryPacked.DecodeInt32(e, di).Should().Be(e.Length);
                di.Should().Equal(ints);

                // Cross-check against the reference writer, which must produce the same bytes for this layout.
                ReferenceDelta(longs, 128, 4, 64).Should().Equal(Encoded(w => DeltaBinaryPacked.EncodeInt64(longs, w)));
            }
        }
    }

    // ---------------------------------------------------------------- DELTA_LENGTH_BYTE_ARRAY / DELTA_BYTE_ARRAY

    [Fact]
    public void Delta_length_byte_array_example_from_the_spec()
    {
        var values = Build(Strings("Hello", "World", "Foobar", "ABCDEF"));
        byte[] encoded = Encoded(w => DeltaLengthByteArray.Encode(values.AsSpan(), w));
        byte[] lengths = Encoded(w => DeltaBinaryPacked.EncodeInt32(new[] { 5, 5, 6, 6 }, w));
        encoded.Should().Equal([.. lengths, .. Encoding.ASCII.GetBytes("HelloWorldFoobarABCDEF")]);

        var decoded = new ByteArrayBuilder();
        DeltaLengthByteArray.Decode([.. encoded, 0x77], 4, decoded).Should().Be(encoded.Length);
        Values(decoded).Should().BeEquivalentTo(Values(values), o => o.WithStrictOrdering());
    }

    [Fact]
    public void Delta_byte_array_example_from_the_spec()
    {
        var values = Build(Strings("axis", "axle", "babble", "babyhood"));
        byte[] encoded = Encoded(w => DeltaByteArray.Encode(values.AsSpan(), w));
        byte[] prefixes = Encoded(w => DeltaBinaryPacked.EncodeInt32(new[] { 0, 2, 0, 3 }, w));
        byte[] suffixes = Encoded(w => DeltaBinaryPacked.EncodeInt32(new[] { 4, 2, 6, 5 }, w));
        encoded.Should().Equal([.. prefixes, .. suffixes, .. Encoding.ASCII.GetBytes("axislebabbleyhood")]);

        var decoded = new ByteArrayBuilder();
        DeltaByteArray.Decode(encoded, 4, decoded).Should().Be(encoded.Length);
        Values(decoded).Should().BeEquivalentTo(Values(values), o => o.WithStrictOrdering());
    }

    [Fact]
    public void Delta_byte_array_prefix_longer_than_the_previous_value_is_refused()
    {
        byte[] data =
        [
            .. Encoded(w => DeltaBinaryPacked.EncodeInt32(new[] { 0, 5 }, w)),
            .. Encoded(w => DeltaBinaryPacked.EncodeInt32(new[] { 2, 0 }, w)),
            (byte)'a', (byte)'b',
        ];
        FluentActions.Invoking(() => DeltaByteArray.Decode(data, 2, new ByteArrayBuilder()))
            .Should().Throw<ParquetException>().WithMessage("DELTA_BYTE_ARRAY: value 1 has prefix length 5 but the previous value is 2 bytes long");

        // The first value of a page has no predecessor, even when the builder already holds earlier pages.
        byte[] first =
        [
            .. Encoded(w => DeltaBinaryPacked.EncodeInt32(new[] { 1 }, w)),
            .. Encoded(w => DeltaBinaryPacked.EncodeInt32(new[] { 1 }, w)),
            (byte)'z',
        ];
        var builder = Build(Strings("earlier"));
        FluentActions.Invoking(() => DeltaByteArray.Decode(first, 1, builder))
            .Should().Throw<ParquetException>().WithMessage("*prefix length 1 but the previous value is 0 bytes long*");
    }

    [Fact]
    public void Delta_byte_arrays_check_fixed_widths_and_lengths()
    {
        var values = Build(Strings("abcd", "abce", "zzzz"));
        byte[] encoded = Encoded(w => DeltaByteArray.Encode(values.AsSpan(), w, fixedWidth: 4));
        var decoded = new ByteArrayBuilder();
        DeltaByteArray.Decode(encoded, 3, decoded, fixedWidth: 4).Should().Be(encoded.Length);
        Values(decoded).Should().BeEquivalentTo(Values(values), o => o.WithStrictOrdering());
        FluentActions.Invoking(() => DeltaByteArray.Decode(encoded, 3, new ByteArrayBuilder(), fixedWidth: 5))
            .Should().Throw<ParquetException>().WithMessage("*value 0 has 4 bytes, not the column's 5*");

        byte[] lengths = Encoded(w => DeltaLengthByteArray.Encode(Build(Strings("abcd", "abc")).AsSpan(), w));
        FluentActions.Invoking(() => DeltaLengthByteArray.Decode(lengths, 2, new ByteArrayBuilder(), fixedWidth: 4))
            .Should().Throw<ParquetException>().WithMessage("*value 1 has 3 bytes, not the column's 4*");
        FluentActions.Invoking(() => DeltaLengthByteArray.Decode(lengths.AsSpan(0, lengths.Length - 1).ToArray(), 2, new ByteArrayBuilder()))
            .Should().Throw<ParquetException>().WithMessage("*needs 7 bytes but only 6 remain*");
        FluentActions.Invoking(() => DeltaLengthByteArray.Decode(lengths, 3, new ByteArrayBuilder()))
            .Should().Throw<ParquetException>().WithMessage("*lengths declare 2 values but 3 are expected*");

        byte[] negative = [.. Encoded(w => DeltaBinaryPacked.EncodeInt32(new[] { -1 }, w))];
        FluentActions.Invoking(() => DeltaLengthByteArray.Decode(negative, 1, new ByteArrayBuilder()))
            .Should().Throw<ParquetException>().WithMessage("*negative length -1*");
    }

    private static byte[][] RandomStrings(Random random, int n)
    {
        string[] stems = ["", "a", "apple", "application", "apply", "banana", "band", "bandana", "zz"];
        return Enumerable.Range(0, n).Select(i => (i % 7) switch
        {
            0 => Array.Empty<byte>(),
            1 => RandomBytes(random, random.Next(0, 300)),
            _ => Encoding.UTF8.GetBytes(stems[random.Next(stems.Length)] + new string('x', random.Next(0, 4)) + random.Next(0, 20)),
        }).OrderBy(_ => random.Next(3)).ToArray();
    }

    [Fact]
    public void Delta_byte_arrays_round_trip()
    {
        var random = new Random(17);
        foreach (int n in new[] { 0, 1, 2, 127, 128, 129, 1000 })
        {
            byte[][] strings = RandomStrings(random, n);
            if (n > 1)
            {
                strings[1] = strings[0];
            }

            var source = Build(strings);

            byte[] e = Encoded(w => DeltaLengthByteArray.Encode(source.AsSpan(), w));
            var decoded = Build(Strings("page-1"));
            DeltaLengthByteArray.Decode(e, n, decoded).Should().Be(e.Length);
            Values(decoded).Skip(1).Should().BeEquivalentTo(strings, o => o.WithStrictOrdering());

            e = Encoded(w => DeltaByteArray.Encode(source.AsSpan(), w));
            decoded = Build(Strings("page-1", "page-1-again"));
            DeltaByteArray.Decode(e, n, decoded).Should().Be(e.Length);
            Values(decoded).Skip(2).Should().BeEquivalentTo(strings, o => o.WithStrictOrdering());

            // Sorted input, where front coding pays off.
            byte[][] sorted = strings.OrderBy(s => s, Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b))).ToArray();
            var sortedSource = Build(sorted);
            e = Encoded(w => DeltaByteArray.Encode(sortedSource.AsSpan(), w));
            decoded = new ByteArrayBuilder(0, 0);
            DeltaByteArray.Decode(e, n, decoded).Should().Be(e.Length);
            Values(decoded).Should().BeEquivalentTo(sorted, o => o.WithStrictOrdering());
        }
    }

    [Fact]
    public void Byte_array_encoders_accept_a_slice_whose_offsets_do_not_start_at_zero()
    {
        var all = Build(Strings("skip", "ab", "abc", ""));
        ByteArraySpan slice = new(all.Data, all.Offsets.Slice(1));
        var expected = Strings("ab", "abc", "");
        foreach (var (encode, decode) in new (Func<byte[]>, Func<byte[], ByteArrayBuilder>)[]
        {
            (() => Encoded(w => PlainEncoder.EncodeByteArray(new ByteArraySpan(all.Data, all.Offsets.Slice(1)), w)), e => { var b = new ByteArrayBuilder(); PlainDecoder.DecodeByteArray(e, 3, b); return b; }),
            (() => Encoded(w => DeltaLengthByteArray.Encode(new ByteArraySpan(all.Data, all.Offsets.Slice(1)), w)), e => { var b = new ByteArrayBuilder(); DeltaLengthByteArray.Decode(e, 3, b); return b; }),
            (() => Encoded(w => DeltaByteArray.Encode(new ByteArraySpan(all.Data, all.Offsets.Slice(1)), w)), e => { var b = new ByteArrayBuilder(); DeltaByteArray.Decode(e, 3, b); return b; }),
        })
        {
            Values(decode(encode())).Should().BeEquivalentTo(expected, o => o.WithStrictOrdering());
        }

        slice.Count.Should().Be(3);
    }

    // ---------------------------------------------------------------- BYTE_STREAM_SPLIT

    [Fact]
    public void Byte_stream_split_example_from_the_spec()
    {
        byte[] raw = [0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33, 0xA3, 0xB4, 0xC5, 0xD6];
        byte[] split = [0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4, 0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6];
        float[] floats = MemoryMarshal.Cast<byte, float>(raw).ToArray();

        Encoded(w => ByteStreamSplit.EncodeFloat(floats, w)).Should().Equal(split);
        var decoded = new float[3];
        ByteStreamSplit.DecodeFloat(split, decoded);
        MemoryMarshal.AsBytes(decoded.AsSpan()).ToArray().Should().Equal(raw);

        var fixedWidth = new ByteArrayBuilder();
        ByteStreamSplit.DecodeFixedLenByteArray(split, 4, 3, fixedWidth);
        fixedWidth.Data.ToArray().Should().Equal(raw);

        FluentActions.Invoking(() => ByteStreamSplit.DecodeFloat(split.AsSpan(0, 11).ToArray(), new float[3]))
            .Should().Throw<ParquetException>().WithMessage("BYTE_STREAM_SPLIT: 11 bytes are not 3 values of 4 bytes");
    }

    [Fact]
    public void Byte_stream_split_round_trips_every_type()
    {
        var random = new Random(9);
        foreach (int n in new[] { 0, 1, 2, 3, 17, 1000 })
        {
            int[] ints = Enumerable.Range(0, n).Select(i => i % 3 == 0 ? int.MinValue : random.Next(int.MinValue, int.MaxValue)).ToArray();
            long[] longs = Enumerable.Range(0, n).Select(i => i % 3 == 0 ? long.MaxValue : random.NextInt64(long.MinValue, long.MaxValue)).ToArray();
            float[] floats = Enumerable.Range(0, n).Select(i => i % 3 == 0 ? float.NaN : (float)random.NextDouble()).ToArray();
            double[] doubles = Enumerable.Range(0, n).Select(i => i % 3 == 0 ? double.NegativeInfinity : random.NextDouble()).ToArray();

            byte[] e = Encoded(w => ByteStreamSplit.EncodeInt32(ints, w));
            e.Length.Should().Be(4 * n);
            var di = new int[n];
            ByteStreamSplit.DecodeInt32(e, di);
            di.Should().Equal(ints);

            e = Encoded(w => ByteStreamSplit.EncodeInt64(longs, w));
            var dl = new long[n];
            ByteStreamSplit.DecodeInt64(e, dl);
            dl.Should().Equal(longs);

            e = Encoded(w => ByteStreamSplit.EncodeFloat(floats, w));
            var df = new float[n];
            ByteStreamSplit.DecodeFloat(e, df);
            df.Select(BitConverter.SingleToInt32Bits).Should().Equal(floats.Select(BitConverter.SingleToInt32Bits));

            e = Encoded(w => ByteStreamSplit.EncodeDouble(doubles, w));
            var dd = new double[n];
            ByteStreamSplit.DecodeDouble(e, dd);
            dd.Select(BitConverter.DoubleToInt64Bits).Should().Equal(doubles.Select(BitConverter.DoubleToInt64Bits));

            foreach (int width in new[] { 1, 2, 3, 5, 16 })
            {
                byte[][] fixedValues = Enumerable.Range(0, n).Select(_ => RandomBytes(random, width)).ToArray();
                var source = Build(fixedValues);
                e = Encoded(w => ByteStreamSplit.EncodeFixedLenByteArray(source.AsSpan(), width, w));
                e.Length.Should().Be(width * n);
                if (n > 1)
                {
                    e[1].Should().Be(fixedValues[1][0], "stream 0 holds every value's first byte");
                }

                var target = new ByteArrayBuilder();
                ByteStreamSplit.DecodeFixedLenByteArray(e, width, n, target);
                Values(target).Should().BeEquivalentTo(fixedValues, o => o.WithStrictOrdering());

                var raw = new byte[e.Length];
                ByteStreamSplit.Decode(e, width, raw);
                raw.Should().Equal(fixedValues.SelectMany(v => v));
            }
        }
    }

    // ---------------------------------------------------------------- dictionary gather

    [Fact]
    public void Dictionary_gather_checks_every_index()
    {
        var output = new int[4];
        DictionaryGather.Gather<int>([10, 20, 30], [2, 0, 1, 2], output);
        output.Should().Equal(30, 10, 20, 30);

        FluentActions.Invoking(() => DictionaryGather.Gather<int>([10, 20, 30], [0, 3], new int[2]))
            .Should().Throw<ParquetException>().WithMessage("dictionary index 3 at position 1 is out of range for a dictionary of 3 values");
        FluentActions.Invoking(() => DictionaryGather.Gather<int>([10], [-1], new int[1]))
            .Should().Throw<ParquetException>().WithMessage("dictionary index -1*");
        FluentActions.Invoking(() => DictionaryGather.Gather<int>([], [0], new int[1]))
            .Should().Throw<ParquetException>();

        var dictionary = Build(Strings("red", "", "blue"));
        var strings = Build(Strings("first"));
        DictionaryGather.Gather(dictionary.AsSpan(), [2, 1, 0, 2], strings);
        Values(strings).Should().BeEquivalentTo(Strings("first", "blue", "", "red", "blue"), o => o.WithStrictOrdering());
        FluentActions.Invoking(() => DictionaryGather.Gather(dictionary.AsSpan(), [0, 1, 3], new ByteArrayBuilder()))
            .Should().Throw<ParquetException>().WithMessage("dictionary index 3 at position 2*");
    }

    [Fact]
    public void Dictionary_page_and_indices_round_trip_end_to_end()
    {
        var random = new Random(21);
        string[] words = ["alpha", "beta", "gamma", "delta", "epsilon"];
        var dictionary = Build(Strings(words));
        byte[] dictionaryPage = Encoded(w => PlainEncoder.EncodeByteArray(dictionary.AsSpan(), w));

        int[] indices = Enumerable.Range(0, 5000).Select(i => i < 2000 ? 3 : random.Next(words.Length)).ToArray();
        byte[] dataPage = Encoded(w => RleBitPackedHybrid.EncodeDictionaryIndices(indices, RleBitPackedHybrid.BitWidthFor(words.Length - 1), w));

        var readDictionary = new ByteArrayBuilder();
        PlainDecoder.DecodeByteArray(dictionaryPage, words.Length, readDictionary);
        var readIndices = new int[indices.Length];
        RleBitPackedHybrid.DecodeDictionaryIndices(dataPage, readIndices).Should().Be(dataPage.Length);
        var values = new ByteArrayBuilder();
        DictionaryGather.Gather(readDictionary.AsSpan(), readIndices, values);
        for (int i = 0; i < indices.Length; i++)
        {
            Encoding.ASCII.GetString(values[i]).Should().Be(words[indices[i]]);
        }
    }

    // ---------------------------------------------------------------- robustness

    private delegate void Decoder(byte[] input, int count, int parameter);

    private static readonly (string Name, Decoder Decode)[] Decoders =
    [
        ("RLE", (d, n, p) => RleBitPackedHybrid.Decode(d, p % 33, new int[n])),
        ("RLE length-prefixed", (d, n, p) => RleBitPackedHybrid.DecodeLengthPrefixed(d, p % 33, new int[n])),
        ("RLE dictionary indices", (d, n, _) => RleBitPackedHybrid.DecodeDictionaryIndices(d, new int[n])),
        ("RLE booleans", (d, n, _) => RleBitPackedHybrid.DecodeBooleans(d, new bool[n])),
        ("BIT_PACKED", (d, n, p) => LegacyBitPacked.Decode(d, p % 33, new int[n])),
        ("PLAIN BOOLEAN", (d, n, _) => PlainDecoder.DecodeBooleans(d, new bool[n])),
        ("PLAIN INT32", (d, n, _) => PlainDecoder.DecodeInt32(d, new int[n])),
        ("PLAIN INT64", (d, n, _) => PlainDecoder.DecodeInt64(d, new long[n])),
        ("PLAIN INT96", (d, n, _) => PlainDecoder.DecodeInt96<TestInt96>(d, new TestInt96[n])),
        ("PLAIN FLOAT", (d, n, _) => PlainDecoder.DecodeFloat(d, new float[n])),
        ("PLAIN DOUBLE", (d, n, _) => PlainDecoder.DecodeDouble(d, new double[n])),
        ("PLAIN FIXED_LEN_BYTE_ARRAY", (d, n, p) => PlainDecoder.DecodeFixedLenByteArray(d, p % 20, n, new ByteArrayBuilder())),
        ("PLAIN BYTE_ARRAY", (d, n, _) => PlainDecoder.DecodeByteArray(d, n, new ByteArrayBuilder())),
        ("DELTA_BINARY_PACKED INT32", (d, n, _) => DeltaBinaryPacked.DecodeInt32(d, new int[n])),
        ("DELTA_BINARY_PACKED INT64", (d, n, _) => DeltaBinaryPacked.DecodeInt64(d, new long[n])),
        ("DELTA_BINARY_PACKED count", (d, _, _) => DeltaBinaryPacked.ReadValueCount(d)),
        ("DELTA_LENGTH_BYTE_ARRAY", (d, n, p) => DeltaLengthByteArray.Decode(d, n, new ByteArrayBuilder(), p % 3 == 0 ? p % 7 : -1)),
        ("DELTA_BYTE_ARRAY", (d, n, p) => DeltaByteArray.Decode(d, n, new ByteArrayBuilder(), p % 3 == 0 ? p % 7 : -1)),
        ("BYTE_STREAM_SPLIT INT32", (d, n, _) => ByteStreamSplit.DecodeInt32(d, new int[n])),
        ("BYTE_STREAM_SPLIT INT64", (d, n, _) => ByteStreamSplit.DecodeInt64(d, new long[n])),
        ("BYTE_STREAM_SPLIT FLOAT", (d, n, _) => ByteStreamSplit.DecodeFloat(d, new float[n])),
        ("BYTE_STREAM_SPLIT DOUBLE", (d, _, _) => ByteStreamSplit.DecodeDouble(d, new double[d.Length / 8])),
        ("BYTE_STREAM_SPLIT FIXED_LEN_BYTE_ARRAY", (d, n, p) => ByteStreamSplit.DecodeFixedLenByteArray(d, (p % 5) + 1, d.Length / ((p % 5) + 1), new ByteArrayBuilder())),
        ("dictionary indices + gather", (d, n, p) =>
        {
            var indices = new int[n];
            RleBitPackedHybrid.DecodeDictionaryIndices(d, indices);
            DictionaryGather.Gather<long>(new long[(p % 9) + 1], indices, new long[n]);
        }),
    ];

    /// <summary>Valid encodings for every decoder, with the count and parameter that decode them.</summary>
    private static IEnumerable<(string Decoder, byte[] Data, int Count, int Parameter)> ValidEncodings(Random random)
    {
        foreach (int n in new[] { 1, 9, 40, 130, 300 })
        {
            foreach (int width in new[] { 0, 1, 3, 8, 13, 32 })
            {
                int[] levels = LevelPattern(random, n, width, random.Next(5));
                yield return ("RLE", Encoded(w => RleBitPackedHybrid.Encode(levels, width, w)), n, width);
                yield return ("RLE length-prefixed", Encoded(w => RleBitPackedHybrid.EncodeLengthPrefixed(levels, width, w)), n, width);
                yield return ("RLE dictionary indices", Encoded(w => RleBitPackedHybrid.EncodeDictionaryIndices(levels, width, w)), n, width);
                yield return ("BIT_PACKED", Encoded(w => LegacyBitPacked.Encode(levels, width, w)), n, width);
                if (width <= 3)
                {
                    yield return ("dictionary indices + gather", Encoded(w => RleBitPackedHybrid.EncodeDictionaryIndices(levels, width, w)), n, 8);
                }
            }

            bool[] bools = Enumerable.Range(0, n).Select(i => i % 11 < 4).ToArray();
            yield return ("RLE booleans", Encoded(w => RleBitPackedHybrid.EncodeBooleans(bools, w)), n, 0);
            yield return ("PLAIN BOOLEAN", Encoded(w => PlainEncoder.EncodeBooleans(bools, w)), n, 0);

            long[] longs = Enumerable.Range(0, n).Select(_ => random.NextInt64(-100_000, 100_000) * (random.Next(10) == 0 ? long.MaxValue / 100_000 : 1)).ToArray();
            int[] ints = longs.Select(v => unchecked((int)v)).ToArray();
            float[] floats = longs.Select(v => (float)v).ToArray();
            double[] doubles = longs.Select(v => v / 3.0).ToArray();
            TestInt96[] int96 = longs.Select(v => new TestInt96(v, (int)v)).ToArray();
            yield return ("PLAIN INT32", Encoded(w => PlainEncoder.EncodeInt32(ints, w)), n, 0);
            yield return ("PLAIN FLOAT", Encoded(w => PlainEncoder.EncodeFloat(floats, w)), n, 0);
            yield return ("PLAIN DOUBLE", Encoded(w => PlainEncoder.EncodeDouble(doubles, w)), n, 0);
            yield return ("PLAIN INT96", Encoded(w => PlainEncoder.EncodeInt96<TestInt96>(int96, w)), n, 0);
            yield return ("BYTE_STREAM_SPLIT FLOAT", Encoded(w => ByteStreamSplit.EncodeFloat(floats, w)), n, 0);
            yield return ("BYTE_STREAM_SPLIT DOUBLE", Encoded(w => ByteStreamSplit.EncodeDouble(doubles, w)), n, 0);
            yield return ("PLAIN INT64", Encoded(w => PlainEncoder.EncodeInt64(longs, w)), n, 0);
            yield return ("DELTA_BINARY_PACKED INT32", Encoded(w => DeltaBinaryPacked.EncodeInt32(ints, w)), n, 0);
            yield return ("DELTA_BINARY_PACKED INT64", Encoded(w => DeltaBinaryPacked.EncodeInt64(longs, w)), n, 0);
            yield return ("DELTA_BINARY_PACKED count", Encoded(w => DeltaBinaryPacked.EncodeInt64(longs, w)), n, 0);
            yield return ("BYTE_STREAM_SPLIT INT32", Encoded(w => ByteStreamSplit.EncodeInt32(ints, w)), n, 0);
            yield return ("BYTE_STREAM_SPLIT INT64", Encoded(w => ByteStreamSplit.EncodeInt64(longs, w)), n, 0);

            byte[][] strings = RandomStrings(random, n);
            var source = Build(strings);
            yield return ("PLAIN BYTE_ARRAY", Encoded(w => PlainEncoder.EncodeByteArray(source.AsSpan(), w)), n, 0);
            yield return ("DELTA_LENGTH_BYTE_ARRAY", Encoded(w => DeltaLengthByteArray.Encode(source.AsSpan(), w)), n, 1);
            yield return ("DELTA_BYTE_ARRAY", Encoded(w => DeltaByteArray.Encode(source.AsSpan(), w)), n, 1);

            var fixedFour = Build(Enumerable.Range(0, n).Select(i => BitConverter.GetBytes(i / 3)));
            yield return ("DELTA_BYTE_ARRAY", Encoded(w => DeltaByteArray.Encode(fixedFour.AsSpan(), w, 4)), n, 18);
            yield return ("PLAIN FIXED_LEN_BYTE_ARRAY", Encoded(w => PlainEncoder.EncodeFixedLenByteArray(fixedFour.AsSpan(), 4, w)), n, 4);
            yield return ("BYTE_STREAM_SPLIT FIXED_LEN_BYTE_ARRAY", Encoded(w => ByteStreamSplit.EncodeFixedLenByteArray(fixedFour.AsSpan(), 4, w)), n, 3);
        }
    }

    [Fact]
    public Task Every_decoder_survives_random_garbage() => WithinTimeLimit(() =>
    {
        var random = new Random(12345);
        foreach (var (name, decode) in Decoders)
        {
            for (int trial = 0; trial < 3000; trial++)
            {
                int length = trial % 10 == 0 ? random.Next(0, 2000) : random.Next(0, 48);
                byte[] garbage = RandomBytes(random, length);
                if (trial % 4 == 0 && length > 0)
                {
                    // Small leading bytes make plausible headers and run lengths.
                    garbage[0] &= 0x0F;
                }

                int count = trial % 3 == 0 ? random.Next(0, 5000) : random.Next(0, 64);
                int parameter = random.Next(0, 1000);
                MustDecodeOrRefuse($"{name} (count {count}, parameter {parameter})", garbage, () => decode(garbage, count, parameter));
            }
        }
    });

    [Fact]
    public Task Every_decoder_survives_truncated_and_corrupted_valid_input() => WithinTimeLimit(() =>
    {
        var random = new Random(54321);
        var byName = Decoders.ToDictionary(d => d.Name, d => d.Decode);
        var covered = new HashSet<string>();
        int cases = 0;
        foreach (var (name, data, count, parameter) in ValidEncodings(random).ToList())
        {
            Decoder decode = byName[name];
            covered.Add(name);

            // The intact encoding decodes.
            decode(data, count, parameter);

            for (int cut = 0; cut < data.Length; cut += Math.Max(1, data.Length / 64))
            {
                byte[] truncated = data.AsSpan(0, cut).ToArray();
                MustDecodeOrRefuse($"{name} truncated to {cut} of {data.Length}", truncated, () => decode(truncated, count, parameter));
                cases++;
            }

            for (int trial = 0; trial < 40; trial++)
            {
                byte[] corrupt = (byte[])data.Clone();
                int flips = random.Next(1, 4);
                for (int f = 0; f < flips && corrupt.Length > 0; f++)
                {
                    int at = random.Next(corrupt.Length);
                    corrupt[at] = (trial % 3) switch
                    {
                        0 => (byte)(corrupt[at] ^ (1 << random.Next(8))),
                        1 => (byte)random.Next(256),
                        _ => 0xFF,
                    };
                }

                int countNoise = trial % 5 == 0 ? random.Next(-2, 3) : 0;
                int adjusted = Math.Max(0, count + countNoise);
                MustDecodeOrRefuse($"{name} corrupted (count {adjusted})", corrupt, () => decode(corrupt, adjusted, parameter));
                cases++;
            }
        }

        covered.Should().BeEquivalentTo(Decoders.Select(d => d.Name), "every decoder gets valid input to mutilate");
        cases.Should().BeGreaterThan(5000);
    });

    [Fact]
    public Task Decoders_do_not_allocate_from_declared_lengths() => WithinTimeLimit(() =>
    {
        // Headers claiming gigantic sizes must be refused from the bytes at hand, quickly and without OOM.
        byte[] hugeLength = [0xFF, 0xFF, 0xFF, 0x7F];
        FluentActions.Invoking(() => RleBitPackedHybrid.DecodeLengthPrefixed(hugeLength, 1, new int[1])).Should().Throw<ParquetException>();
        FluentActions.Invoking(() => PlainDecoder.DecodeByteArray(hugeLength, 1, new ByteArrayBuilder())).Should().Throw<ParquetException>();

        // A run of 2^31-1 values when 10 are expected.
        byte[] hugeRun = [0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x01];
        FluentActions.Invoking(() => RleBitPackedHybrid.Decode(hugeRun, 1, new int[10])).Should().Throw<ParquetException>();

        // A delta stream declaring 2^31-127 values in one gigantic zero-width block still decodes the few asked for.
        var stream = new List<byte>();
        Uleb(stream, 0x7FFFFF80);
        Uleb(stream, 1);
        Uleb(stream, 0x7FFFFF81);
        Uleb(stream, ZigZag(5));
        Uleb(stream, ZigZag(-1));
        stream.Add(0);
        var few = new int[4];
        DeltaBinaryPacked.DecodeInt32(stream.ToArray(), few).Should().Be(stream.Count);
        few.Should().Equal(5, 4, 3, 2);

        // A delta-length stream whose lengths claim far more bytes than follow.
        byte[] lengths = Encoded(w => DeltaBinaryPacked.EncodeInt32(new[] { int.MaxValue, int.MaxValue }, w));
        FluentActions.Invoking(() => DeltaLengthByteArray.Decode(lengths, 2, new ByteArrayBuilder()))
            .Should().Throw<ParquetException>().WithMessage("*needs 4294967294 bytes*");
    });
}
