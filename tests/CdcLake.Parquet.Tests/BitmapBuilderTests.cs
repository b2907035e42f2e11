using System.Buffers;
using CdcLake.Parquet.Encodings;
using FluentAssertions;
using Xunit;

namespace CdcLake.Parquet.Tests;

/// <summary>
/// Definition levels of flat optional columns decode straight into a validity bitmap. Checked against
/// the int decoder on random level sequences: runs and bit-packed groups appended at every bit offset.
/// </summary>
public sealed class BitmapBuilderTests
{
    [Fact]
    public void Random_appends_match_a_bool_list()
    {
        var rng = new Random(5);
        for (var trial = 0; trial < 500; trial++)
        {
            var builder = new BitmapBuilder(rng.Next(3) == 0 ? rng.Next(0, 400) : 0);
            var expected = new List<bool>();
            for (var op = rng.Next(1, 20); op > 0; op--)
            {
                var count = rng.Next(0, 70);
                switch (rng.Next(3))
                {
                    case 0:
                        builder.AppendRun(true, count);
                        expected.AddRange(Enumerable.Repeat(true, count));
                        break;
                    case 1:
                        builder.AppendRun(false, count);
                        expected.AddRange(Enumerable.Repeat(false, count));
                        break;
                    default:
                        var packed = new byte[(count + 7) / 8 + rng.Next(0, 3)];
                        rng.NextBytes(packed);
                        if (rng.Next(3) == 0)
                        {
                            packed.AsSpan().Fill(0xFF);
                        }

                        builder.AppendPacked(packed, count);
                        for (var i = 0; i < count; i++)
                        {
                            expected.Add((packed[i >> 3] & (1 << (i & 7))) != 0);
                        }

                        break;
                }
            }

            builder.Count.Should().Be(expected.Count);
            builder.SetCount.Should().Be(expected.Count(b => b));
            if (builder.Bits is null)
            {
                expected.Should().OnlyContain(b => b, $"trial {trial}: no bitmap means every bit is set");
                continue;
            }

            builder.Bits.Length.Should().BeGreaterThanOrEqualTo(Bitmap.BytesFor(expected.Count));
            for (var i = 0; i < builder.Bits.Length * 8; i++)
            {
                Bitmap.Get(builder.Bits, i).Should().Be(i < expected.Count && expected[i], $"trial {trial} bit {i}");
            }
        }
    }

    [Fact]
    public void Decodes_hybrid_levels_as_the_int_decoder_does()
    {
        var rng = new Random(11);
        for (var trial = 0; trial < 300; trial++)
        {
            var levels = new int[rng.Next(1, 3000)];
            for (var i = 0; i < levels.Length;)
            {
                var run = rng.Next(1, rng.Next(2) == 0 ? 5 : 200);
                var value = rng.Next(4) == 0 ? 0 : 1;
                var noisy = rng.Next(3) == 0;
                for (; run > 0 && i < levels.Length; run--)
                {
                    levels[i++] = noisy ? rng.Next(2) : value;
                }
            }

            var writer = new ArrayBufferWriter<byte>();
            RleBitPackedHybrid.Encode(levels, 1, writer);
            var data = writer.WrittenSpan.ToArray();

            var decoded = new int[levels.Length];
            var read = RleBitPackedHybrid.Decode(data, 1, decoded);
            decoded.Should().Equal(levels);

            // Appended after an unaligned prefix, as a second page of a column chunk would be.
            var builder = new BitmapBuilder();
            var prefix = rng.Next(0, 13);
            builder.AppendRun(true, prefix);
            RleBitPackedHybrid.DecodeBits(data, levels.Length, builder).Should().Be(read);
            builder.Count.Should().Be(prefix + levels.Length);
            builder.SetCount.Should().Be(prefix + levels.Count(l => l == 1));
            for (var i = 0; i < levels.Length; i++)
            {
                var bit = builder.Bits is null || Bitmap.Get(builder.Bits, prefix + i);
                bit.Should().Be(levels[i] == 1, $"trial {trial} level {i}");
            }
        }
    }

    [Fact]
    public void Refuses_levels_above_one()
    {
        // An RLE run of 5 values of level 2.
        byte[] data = [5 << 1, 2];
        var act = () => RleBitPackedHybrid.DecodeBits(data, 5, new BitmapBuilder());
        act.Should().Throw<ParquetException>().WithMessage("*does not fit in bit width 1*");

        var levels = () => new BitmapBuilder().AppendLevels([1, 0, 2], 1);
        levels.Should().Throw<ParquetException>().WithMessage("*definition level 2 exceeds the maximum 1*");
    }
}
