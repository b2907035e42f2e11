using System.Buffers.Binary;
using System.Globalization;

namespace CdcLake.Parquet.Mutation;

/// <summary>A corrupted copy of a source file and a one-line account of what was done to it.</summary>
public sealed record Variant(int Id, SourceFile Source, string Kind, string Description, byte[] Bytes);

/// <summary>
/// Corrupts a valid file in one of several ways, chosen and parameterized by the RNG it is given, so a
/// seed and a variant id reproduce the same bytes. Kinds, roughly from blind to targeted:
/// bit flips anywhere; bit flips in the footer or in a page header; truncation; cutting or inserting
/// bytes; zeroing and duplicating ranges; 32-bit patterns (0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 0) over
/// footer, headers and page payloads (e.g. the RLE level length prefix); the footer length field; and
/// rewriting a Thrift integer, length or count of the footer or a page header to an edge value.
/// </summary>
public static class Mutator
{
    public static readonly string[] Kinds =
    [
        "bitflip",
        "multibit",
        "footer-bitflip",
        "header-bitflip",
        "truncate",
        "cut-range",
        "insert-bytes",
        "zero-range",
        "dup-range",
        "int32-pattern",
        "payload-pattern",
        "footer-length",
        "thrift-int",
        "thrift-size",
        "thrift-pair",
        "combo",
    ];

    // Kinds a combo stacks: they keep the file's length, so the layout found in the source still applies.
    private static readonly string[] s_comboKinds = ["bitflip", "footer-bitflip", "header-bitflip", "zero-range", "int32-pattern", "payload-pattern", "thrift-int", "thrift-size", "thrift-pair"];

    // Relative weights of the kinds above: the targeted rewrites reach the most distinct checks.
    private static readonly int[] s_weights = [8, 6, 8, 8, 5, 4, 3, 5, 4, 8, 8, 3, 16, 10, 10, 10];

    private static readonly uint[] s_patterns = [0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 0x00000000, 0x7FFFFFFE, 0x40000000, 0x00010000, 0x000000FF];

    public static Variant Create(int id, SourceFile source, Random rng)
    {
        var kind = Pick(rng);
        var bytes = (byte[])source.Bytes.Clone();
        string description;
        if (kind == "combo")
        {
            // Two or three mutations at once: e.g. a decimal's precision and scale, or a count and the length that bounds it.
            var parts = new List<string>();
            for (var i = rng.Next(2, 4); i > 0; i--)
            {
                var sub = s_comboKinds[rng.Next(s_comboKinds.Length)];
                parts.Add($"{sub}: {Apply(sub, ref bytes, source, rng)}");
            }

            description = string.Join(" + ", parts);
        }
        else
        {
            description = Apply(kind, ref bytes, source, rng);
        }

        return new Variant(id, source, kind, description, bytes);
    }

    private static string Apply(string kind, ref byte[] bytes, SourceFile source, Random rng)
    {
        return kind switch
        {
            "bitflip" => FlipBits(ref bytes, rng, 0, bytes.Length, 1),
            "multibit" => FlipBits(ref bytes, rng, 0, bytes.Length, rng.Next(2, 33)),
            "footer-bitflip" => FlipBits(ref bytes, rng, source.FooterOffset, bytes.Length, rng.Next(1, 5)),
            "header-bitflip" => HeaderBitFlip(ref bytes, source, rng),
            "truncate" => Truncate(ref bytes, rng),
            "cut-range" => CutRange(ref bytes, source, rng),
            "insert-bytes" => InsertBytes(ref bytes, rng),
            "zero-range" => ZeroRange(bytes, source, rng),
            "dup-range" => DuplicateRange(bytes, rng),
            "int32-pattern" => Int32Pattern(bytes, source, rng),
            "payload-pattern" => PayloadPattern(bytes, source, rng),
            "footer-length" => FooterLength(bytes, source, rng),
            "thrift-int" => RewriteToken(ref bytes, source, rng, sizes: false),
            "thrift-size" => RewriteToken(ref bytes, source, rng, sizes: true),
            "thrift-pair" => RewritePair(ref bytes, source, rng),
            _ => throw new InvalidOperationException(kind),
        };
    }

    private static string Pick(Random rng)
    {
        var total = s_weights.Sum();
        var x = rng.Next(total);
        for (var i = 0; i < Kinds.Length; i++)
        {
            x -= s_weights[i];
            if (x < 0)
            {
                return Kinds[i];
            }
        }

        return Kinds[^1];
    }

    private static string FlipBits(ref byte[] bytes, Random rng, int start, int end, int count)
    {
        var flips = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var at = rng.Next(start, end);
            var bit = rng.Next(8);
            bytes[at] ^= (byte)(1 << bit);
            flips.Add(F($"{at}:{bit}"));
        }

        return "flip byte:bit " + string.Join(',', flips);
    }

    private static string HeaderBitFlip(ref byte[] bytes, SourceFile source, Random rng)
    {
        if (source.Pages.Count == 0)
        {
            return FlipBits(ref bytes, rng, source.FooterOffset, bytes.Length, 1);
        }

        var page = source.Pages[rng.Next(source.Pages.Count)];
        return F($"page header at {page.HeaderOffset}: ") + FlipBits(ref bytes, rng, page.HeaderOffset, page.HeaderOffset + page.HeaderLength, rng.Next(1, 4));
    }

    private static string Truncate(ref byte[] bytes, Random rng)
    {
        // Half the time anywhere, half the time near the end, where the footer is.
        var length = rng.Next(2) == 0 ? rng.Next(bytes.Length) : Math.Max(0, bytes.Length - rng.Next(1, 64));
        Array.Resize(ref bytes, length);
        return F($"truncate to {length} bytes");
    }

    private static string CutRange(ref byte[] bytes, SourceFile source, Random rng)
    {
        // Cut bytes out of the column data, keeping the footer, so offsets point past what follows.
        var start = rng.Next(4, Math.Max(5, source.FooterOffset));
        var length = Math.Min(rng.Next(1, 256), source.FooterOffset - start);
        if (length <= 0)
        {
            return "cut nothing";
        }

        var result = new byte[bytes.Length - length];
        bytes.AsSpan(0, start).CopyTo(result);
        bytes.AsSpan(start + length).CopyTo(result.AsSpan(start));
        bytes = result;
        return F($"cut {length} bytes at {start}");
    }

    private static string InsertBytes(ref byte[] bytes, Random rng)
    {
        var at = rng.Next(bytes.Length + 1);
        var inserted = new byte[rng.Next(1, 17)];
        rng.NextBytes(inserted);
        var result = new byte[bytes.Length + inserted.Length];
        bytes.AsSpan(0, at).CopyTo(result);
        inserted.CopyTo(result, at);
        bytes.AsSpan(at).CopyTo(result.AsSpan(at + inserted.Length));
        bytes = result;
        return F($"insert {inserted.Length} random bytes at {at}");
    }

    private static string ZeroRange(byte[] bytes, SourceFile source, Random rng)
    {
        var at = TargetOffset(source, rng, bytes.Length);
        var length = Math.Min(rng.Next(1, 65), bytes.Length - at);
        bytes.AsSpan(at, length).Clear();
        return F($"zero {length} bytes at {at}");
    }

    private static string DuplicateRange(byte[] bytes, Random rng)
    {
        var length = Math.Min(rng.Next(1, 65), bytes.Length / 2);
        var from = rng.Next(bytes.Length - length + 1);
        var to = rng.Next(bytes.Length - length + 1);
        bytes.AsSpan(from, length).ToArray().CopyTo(bytes.AsSpan(to));
        return F($"copy {length} bytes from {from} over {to}");
    }

    private static string Int32Pattern(byte[] bytes, SourceFile source, Random rng)
    {
        var at = Math.Min(TargetOffset(source, rng, bytes.Length), bytes.Length - 4);
        var pattern = s_patterns[rng.Next(s_patterns.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), pattern);
        return F($"write 0x{pattern:X8} at {at}");
    }

    private static string PayloadPattern(byte[] bytes, SourceFile source, Random rng)
    {
        var candidates = source.Pages.Where(p => p.PayloadLength >= 4).ToArray();
        if (candidates.Length == 0)
        {
            return Int32Pattern(bytes, source, rng);
        }

        var page = candidates[rng.Next(candidates.Length)];
        // The first bytes of a page hold the level lengths (v1: a 4-byte RLE length prefix), a dictionary's
        // first value or a PLAIN byte array's length; elsewhere lie more lengths and bit-packed headers.
        var offset = rng.Next(3) switch
        {
            0 => 0,
            1 => rng.Next(Math.Min(16, page.PayloadLength - 3)),
            _ => rng.Next(page.PayloadLength - 3),
        };
        var pattern = s_patterns[rng.Next(s_patterns.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(page.PayloadOffset + offset), pattern);
        return F($"page payload at {page.PayloadOffset}+{offset}: write 0x{pattern:X8}");
    }

    private static string FooterLength(byte[] bytes, SourceFile source, Random rng)
    {
        var original = source.FooterLength;
        uint[] choices =
        [
            0, 1, 2, 0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, (uint)(bytes.Length - 12), (uint)(bytes.Length - 11),
            (uint)(bytes.Length - 8), (uint)bytes.Length, (uint)(original - 1), (uint)(original + 1),
            (uint)(original / 2), (uint)(original + rng.Next(1, 100)), (uint)rng.Next(),
        ];
        var value = choices[rng.Next(choices.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(source.FooterLengthFieldOffset), value);
        return F($"footer length {original} -> {value}");
    }

    private static string RewriteToken(ref byte[] bytes, SourceFile source, Random rng, bool sizes)
    {
        // Half footer, half page headers (when the walk found any).
        var inPage = source.Pages.Count > 0 && rng.Next(2) == 0;
        var page = inPage ? source.Pages[rng.Next(source.Pages.Count)] : null;
        var pool = (page?.Tokens ?? source.FooterTokens)
            .Where(t => sizes ? t.Kind != TokenKind.Integer : t.Kind == TokenKind.Integer)
            .ToArray();
        if (pool.Length == 0)
        {
            pool = (page?.Tokens ?? source.FooterTokens).ToArray();
        }

        if (pool.Length == 0)
        {
            return FlipBits(ref bytes, rng, source.FooterOffset, bytes.Length, 1);
        }

        return RewriteSpecific(ref bytes, pool[rng.Next(pool.Length)], page, rng);
    }

    /// <summary>
    /// Two integers at once, rewritten from the later one back so the earlier offset stays right: either two
    /// fields of one struct (a decimal's precision and scale, a page's sizes) or a footer field and a page
    /// header field (a row group's num_rows and a page's num_values).
    /// </summary>
    private static string RewritePair(ref byte[] bytes, SourceFile source, Random rng)
    {
        var footerInts = source.FooterTokens.Where(t => t.Kind == TokenKind.Integer).ToArray();
        if (footerInts.Length == 0)
        {
            return RewriteToken(ref bytes, source, rng, sizes: false);
        }

        (ThriftToken Token, PageLayout? Page) first, second;
        if (source.Pages.Count > 0 && rng.Next(2) == 0)
        {
            var page = source.Pages[rng.Next(source.Pages.Count)];
            var pageInts = page.Tokens.Where(t => t.Kind == TokenKind.Integer).ToArray();
            if (pageInts.Length == 0)
            {
                return RewriteToken(ref bytes, source, rng, sizes: false);
            }

            first = (footerInts[rng.Next(footerInts.Length)], null);
            second = (pageInts[rng.Next(pageInts.Length)], page);
        }
        else
        {
            var a = footerInts[rng.Next(footerInts.Length)];
            var parent = Parent(a.Path);
            var siblings = footerInts.Where(t => t != a && Parent(t.Path) == parent).ToArray();
            var b = siblings.Length > 0 ? siblings[rng.Next(siblings.Length)] : footerInts[rng.Next(footerInts.Length)];
            if (a == b)
            {
                return RewriteSpecific(ref bytes, a, null, rng);
            }

            (first, second) = a.Offset > b.Offset ? ((a, (PageLayout?)null), (b, (PageLayout?)null)) : ((b, null), (a, null));
        }

        var one = RewriteSpecific(ref bytes, first.Token, first.Page, rng);
        var two = RewriteSpecific(ref bytes, second.Token, second.Page, rng);
        return $"{one} + {two}";
    }

    private static string Parent(string path) => path.LastIndexOf('.') is var i and > 0 ? path[..i] : "";

    private static string RewriteSpecific(ref byte[] bytes, ThriftToken token, PageLayout? page, Random rng)
    {
        if (token.Offset + token.Length > bytes.Length)
        {
            return FlipBits(ref bytes, rng, 0, bytes.Length, 1);
        }

        var value = EdgeValue(token.Value, token.Kind, rng);
        byte[] encoded;
        if (token.Kind == TokenKind.Integer)
        {
            encoded = ThriftScanner.EncodeZigZag(value);
        }
        else if (token.Kind == TokenKind.ListHeader)
        {
            var count = (ulong)value;
            encoded = count < 15 && token.Length == 1
                ? [(byte)((int)count << 4 | token.ListElementType)]
                : [(byte)(0xF0 | token.ListElementType), .. ThriftScanner.EncodeVarint(count)];
        }
        else
        {
            encoded = ThriftScanner.EncodeVarint((ulong)value);
        }

        // Keep the width when the value fits (overlong varints are valid), so nothing after it moves.
        if (token.Kind != TokenKind.ListHeader)
        {
            encoded = ThriftScanner.PadVarint(encoded, token.Length) ?? encoded;
        }
        else if (encoded.Length > 1 && encoded.Length < token.Length)
        {
            encoded = [encoded[0], .. ThriftScanner.PadVarint(encoded[1..], token.Length - 1)!];
        }

        var where = page is null ? "footer" : F($"page header at {page.HeaderOffset}");
        var description = F($"{where} {token.Kind} {token.Path} @{token.Offset}: {token.Value} -> {value}");
        var delta = encoded.Length - token.Length;
        if (delta == 0)
        {
            encoded.CopyTo(bytes, token.Offset);
            return description;
        }

        var result = new byte[bytes.Length + delta];
        bytes.AsSpan(0, token.Offset).CopyTo(result);
        encoded.CopyTo(result, token.Offset);
        bytes.AsSpan(token.Offset + token.Length).CopyTo(result.AsSpan(token.Offset + encoded.Length));
        if (page is null)
        {
            // The footer grew or shrank: keep its length field right, so the change itself is what is tested.
            var footerLength = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(bytes.Length - 8));
            BinaryPrimitives.WriteInt32LittleEndian(result.AsSpan(result.Length - 8), footerLength + delta);
        }

        bytes = result;
        return description + F($" (resized by {delta})");
    }

    private static long EdgeValue(long original, TokenKind kind, Random rng)
    {
        var unsigned = kind != TokenKind.Integer;
        long[] common =
        [
            0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256, 1023, 1024, 4096, 65535, 65536,
            1 << 20, 1 << 24, 1 << 27, 200_000_000, int.MaxValue, int.MaxValue - 1, int.MaxValue - 64, 1L << 30, 1L << 31, 1L << 32,
            original + 1, original - 1, original * 2, original / 2, original + rng.Next(2, 1000), original - rng.Next(2, 1000),
            rng.Next(), rng.NextInt64(),
        ];
        long[] signed = [-1, -2, int.MinValue, int.MinValue + 1, long.MinValue, long.MaxValue, -original, short.MinValue, short.MaxValue, short.MaxValue + 1];
        var pickSigned = !unsigned && rng.Next(3) == 0;
        var value = pickSigned ? signed[rng.Next(signed.Length)] : common[rng.Next(common.Length)];
        if (unsigned)
        {
            // Lengths and counts are unsigned varints; the reader caps them at 32 bits. Keep some beyond.
            value = rng.Next(8) == 0 ? value & long.MaxValue : value & 0xFFFFFFFF;
        }

        return value == original ? original ^ 1 : value;
    }

    /// <summary>An offset weighted toward the structures: 40% footer, 30% a page header, 30% anywhere.</summary>
    private static int TargetOffset(SourceFile source, Random rng, int length)
    {
        var roll = rng.Next(10);
        if (roll < 4)
        {
            return Math.Min(rng.Next(source.FooterOffset, source.Bytes.Length), length - 1);
        }

        if (roll < 7 && source.Pages.Count > 0)
        {
            var page = source.Pages[rng.Next(source.Pages.Count)];
            return Math.Min(page.HeaderOffset + rng.Next(page.HeaderLength), length - 1);
        }

        return rng.Next(length);
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
