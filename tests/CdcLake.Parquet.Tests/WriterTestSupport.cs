using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CdcLake.Testing;
using FluentAssertions;

namespace CdcLake.Parquet.Tests;

/// <summary>
/// Test-side model of rows for the writer tests: plain .NET values (<see cref="StructValue"/>, lists,
/// <see cref="MapValue"/>, and the raw stored form of leaves) turned into vectors, and independently into the
/// canonical JSON the DuckDB oracle prints (see tests/tools/duckdb-oracle.mjs). Nothing here uses the
/// code under test beyond the public vector types.
/// </summary>
internal static class WriterTestSupport
{
    private static readonly JsonWriterOptions s_json = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>Builds the vector of <paramref name="field"/> from row values (null for a null slot).</summary>
    public static ColumnVector Vector(Field field, IReadOnlyList<object?> values)
    {
        var n = values.Count;
        var validity = new byte[Bitmap.BytesFor(n)];
        var anyNull = false;
        for (var i = 0; i < n; i++)
        {
            if (values[i] is null)
            {
                anyNull = true;
            }
            else
            {
                Bitmap.Set(validity, i);
            }
        }

        var bitmap = anyNull ? validity : null;
        switch (field)
        {
            case PrimitiveField p:
                return p.PhysicalType switch
                {
                    PhysicalType.Boolean => new BooleanVector(field, [.. values.Select(v => v is bool b && b)], n, bitmap),
                    PhysicalType.Int32 => new PrimitiveVector<int>(field, [.. values.Select(v => v is int x ? x : 0)], n, bitmap),
                    PhysicalType.Int64 => new PrimitiveVector<long>(field, [.. values.Select(v => v is long x ? x : 0)], n, bitmap),
                    PhysicalType.Int96 => new PrimitiveVector<Int96>(field, [.. values.Select(v => v is Int96 x ? x : default)], n, bitmap),
                    PhysicalType.Float => new PrimitiveVector<float>(field, [.. values.Select(v => v is float x ? x : 0)], n, bitmap),
                    PhysicalType.Double => new PrimitiveVector<double>(field, [.. values.Select(v => v is double x ? x : 0)], n, bitmap),
                    _ => Binary(p, values, bitmap),
                };
            case StructField s:
                var children = new ColumnVector[s.Children.Count];
                for (var c = 0; c < children.Length; c++)
                {
                    var child = s.Children[c];
                    children[c] = Vector(child, [.. values.Select(v => v is StructValue sv ? sv.Fields[c] : Placeholder(child))]);
                }

                return new StructVector(field, children, n, bitmap);
            case ListField l:
            {
                var offsets = new int[n + 1];
                var elements = new List<object?>();
                for (var i = 0; i < n; i++)
                {
                    if (values[i] is IReadOnlyList<object?> items)
                    {
                        elements.AddRange(items);
                    }

                    offsets[i + 1] = elements.Count;
                }

                return new ListVector(field, offsets, Vector(l.Element, elements), n, bitmap);
            }

            case MapField m:
            {
                var offsets = new int[n + 1];
                var keys = new List<object?>();
                var items = new List<object?>();
                for (var i = 0; i < n; i++)
                {
                    if (values[i] is MapValue map)
                    {
                        foreach (var (k, v) in map.Entries)
                        {
                            keys.Add(k);
                            items.Add(v);
                        }
                    }

                    offsets[i + 1] = keys.Count;
                }

                return new MapVector(field, offsets, Vector(m.Key, keys), Vector(m.Value, items), n, bitmap);
            }

            default:
                throw new ArgumentException($"unknown field {field}");
        }
    }

    /// <summary>The value a required child holds under a null parent: any value will do, it is never written.</summary>
    private static object? Placeholder(Field field) => field.IsNullable ? null : field switch
    {
        PrimitiveField { PhysicalType: PhysicalType.Boolean } => false,
        PrimitiveField { PhysicalType: PhysicalType.Int32 } => 0,
        PrimitiveField { PhysicalType: PhysicalType.Int64 } => 0L,
        PrimitiveField { PhysicalType: PhysicalType.Int96 } => default(Int96),
        PrimitiveField { PhysicalType: PhysicalType.Float } => 0f,
        PrimitiveField { PhysicalType: PhysicalType.Double } => 0d,
        PrimitiveField { PhysicalType: PhysicalType.FixedLenByteArray } p => new byte[p.TypeLength],
        PrimitiveField => Array.Empty<byte>(),
        StructField s => new StructValue([.. s.Children.Select(Placeholder)]),
        ListField => Array.Empty<object?>(),
        _ => new MapValue([]),
    };

    private static BinaryVector Binary(PrimitiveField field, IReadOnlyList<object?> values, byte[]? validity)
    {
        var offsets = new int[values.Count + 1];
        var data = new List<byte>();
        for (var i = 0; i < values.Count; i++)
        {
            switch (values[i])
            {
                case byte[] bytes:
                    data.AddRange(bytes);
                    break;
                case string s:
                    data.AddRange(Encoding.UTF8.GetBytes(s));
                    break;
                case null:
                    break;
                default:
                    throw new ArgumentException($"{values[i]!.GetType().Name} is not a binary value");
            }

            offsets[i + 1] = data.Count;
        }

        return new BinaryVector(field, offsets, [.. data], values.Count, validity);
    }

    // ---- expected canonical JSON ------------------------------------------------------------------------

    /// <summary>Compact JSON with the escaping <see cref="Canonical"/> uses; <paramref name="write"/> writes one value.</summary>
    public static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, s_json))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static string Str(string value) => Json(w => w.WriteStringValue(value));

    /// <summary>JavaScript's Number#toString of a double: shortest round-trip digits, exponent outside 1e-7..1e21.</summary>
    public static string JsNumber(double value)
    {
        if (double.IsNaN(value))
        {
            return "\"NaN\"";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0" : "0";
        }

        return FromRoundTrip(value.ToString("R", CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// A float32 as the oracle prints it: the value rounded to the fewest significant digits (1 to 9, ties away
    /// from zero as JavaScript's toPrecision does) that still round-trip to the same float32, then printed as
    /// a JavaScript number.
    /// </summary>
    public static string JsNumber(float value)
    {
        double exact = value;
        if (float.IsNaN(value) || float.IsInfinity(value) || value == 0)
        {
            return JsNumber(exact);
        }

        for (var digits = 1; digits <= 9; digits++)
        {
            var candidate = ToPrecision(exact, digits);
            if ((float)candidate == value)
            {
                return JsNumber(candidate);
            }
        }

        return JsNumber(exact);
    }

    /// <summary>JavaScript's toPrecision as a number: the exact binary value rounded to <paramref name="digits"/> significant digits, ties away from zero.</summary>
    private static double ToPrecision(double value, int digits)
    {
        var bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        var exponentBits = (int)((bits >> 52) & 0x7FF);
        var fraction = bits & ((1L << 52) - 1);
        var mantissa = exponentBits == 0 ? fraction : fraction | (1L << 52);
        var exponent = exponentBits == 0 ? -1074 : exponentBits - 1075;

        // value = exactDigits * 10^-scale exactly.
        BigInteger exactDigits;
        int scale;
        if (exponent >= 0)
        {
            exactDigits = new BigInteger(mantissa) << exponent;
            scale = 0;
        }
        else
        {
            exactDigits = new BigInteger(mantissa) * BigInteger.Pow(5, -exponent);
            scale = -exponent;
        }

        var text = exactDigits.ToString(CultureInfo.InvariantCulture);
        var drop = Math.Max(0, text.Length - digits);
        var divisor = BigInteger.Pow(10, drop);
        var kept = BigInteger.DivRem(exactDigits, divisor, out var rest);
        if (rest * 2 >= divisor)
        {
            kept++;
        }

        var result = double.Parse($"{kept}E{drop - scale}", NumberStyles.Float, CultureInfo.InvariantCulture);
        return value < 0 ? -result : result;
    }

    /// <summary>Re-spells .NET's shortest round-trip text ("1.5E-07") the way JavaScript does ("1.5e-7").</summary>
    private static string FromRoundTrip(string text)
    {
        var negative = text.StartsWith('-');
        if (negative)
        {
            text = text[1..];
        }

        var exponent = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var point = text.IndexOf('.');
        var digits = point < 0 ? text : text[..point] + text[(point + 1)..];
        var n = (point < 0 ? text.Length : point) + exponent; // decimal point position relative to the digits
        var leading = digits.Length - digits.TrimStart('0').Length;
        digits = digits[leading..];
        n -= leading;
        digits = digits.TrimEnd('0');
        var k = digits.Length;
        string body;
        if (k <= n && n <= 21)
        {
            body = digits + new string('0', n - k);
        }
        else if (0 < n && n <= 21)
        {
            body = digits[..n] + "." + digits[n..];
        }
        else if (-6 < n && n <= 0)
        {
            body = "0." + new string('0', -n) + digits;
        }
        else
        {
            var exp = n - 1;
            body = digits[..1] + (k > 1 ? "." + digits[1..] : "") + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString(CultureInfo.InvariantCulture);
        }

        return negative ? "-" + body : body;
    }

    /// <summary>An exact decimal with exactly <paramref name="scale"/> fractional digits: "-0.0500".</summary>
    public static string DecimalText(BigInteger unscaled, int scale)
    {
        var digits = BigInteger.Abs(unscaled).ToString(CultureInfo.InvariantCulture);
        var sign = unscaled.Sign < 0 ? "-" : "";
        if (scale == 0)
        {
            return sign + digits;
        }

        digits = digits.PadLeft(scale + 1, '0');
        return $"{sign}{digits[..^scale]}.{digits[^scale..]}";
    }

    /// <summary>Big-endian two's complement in exactly <paramref name="width"/> bytes.</summary>
    public static byte[] BigEndian(BigInteger value, int width)
    {
        var bytes = new byte[width];
        var minimal = value.ToByteArray(isUnsigned: false, isBigEndian: true);
        if (minimal.Length > width)
        {
            throw new ArgumentOutOfRangeException(nameof(value), $"{value} needs {minimal.Length} bytes");
        }

        bytes.AsSpan(0, width - minimal.Length).Fill(value.Sign < 0 ? (byte)0xFF : (byte)0);
        minimal.CopyTo(bytes, width - minimal.Length);
        return bytes;
    }

    private static readonly long EpochTicks = DateTime.UnixEpoch.Ticks;

    /// <summary>"YYYY-MM-DDTHH:mm:ss.ffffff" of a count of microseconds since the epoch (floored).</summary>
    public static string MicrosTimestamp(long micros, string zone = "") =>
        new DateTime(EpochTicks + (micros * 10)).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + zone;

    /// <summary>"YYYY-MM-DDTHH:mm:ss.fffffffff" of nanoseconds since the epoch.</summary>
    public static string NanosTimestamp(long nanos)
    {
        var seconds = Math.DivRem(nanos, 1_000_000_000L, out var fraction);
        if (fraction < 0)
        {
            fraction += 1_000_000_000L;
            seconds--;
        }

        return new DateTime(EpochTicks + (seconds * TimeSpan.TicksPerSecond)).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
            + "." + fraction.ToString("D9", CultureInfo.InvariantCulture);
    }

    /// <summary>"HH:mm:ss" and <paramref name="digits"/> fractional digits of a time of day given in <paramref name="perSecond"/> units.</summary>
    public static string TimeOfDay(long value, long perSecond, int digits)
    {
        var seconds = value / perSecond;
        var fraction = value % perSecond;
        var scaled = digits == 9 ? fraction * (1_000_000_000L / perSecond) : fraction * 1_000_000L / perSecond;
        return $"{seconds / 3600:D2}:{seconds / 60 % 60:D2}:{seconds % 60:D2}.{scaled.ToString(digits == 9 ? "D9" : "D6", CultureInfo.InvariantCulture)}";
    }

    public static string Uuid(byte[] bytes)
    {
        var hex = Convert.ToHexString(bytes).ToLowerInvariant();
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    /// <summary>Spreads an Int96 timestamp into microseconds since the epoch, as DuckDB reads it.</summary>
    public static long Int96Micros(Int96 value) => ((value.JulianDay - 2_440_588L) * 86_400_000_000L) + (value.NanosOfDay / 1000);

    /// <summary>DuckDB's type strings without the quotes it puts around struct field names.</summary>
    public static string NormalizeType(string type) => type.Replace("\"", "", StringComparison.Ordinal);

    public static string Query(string file) =>
        $"SELECT * EXCLUDE (file_row_number) FROM read_parquet({DuckDb.Literal(file)}, file_row_number = true) ORDER BY file_row_number";
}

/// <summary>
/// Walks the pages of every column chunk of a file, using only the footer and page headers (Thrift model)
/// and the codecs, to check the page structure the writer produced: page types, encodings, CRCs, the v2
/// header counts, and that each data page of a repeated column starts a row.
/// </summary>
internal static class PageWalker
{
    internal sealed record Page(
        Meta.PageType Type,
        Meta.Encoding? Encoding,
        int Levels,
        int? Nulls,
        int? Rows,
        int UncompressedSize,
        int CompressedSize,
        bool? CrcMatches,
        int? FirstRepetitionLevel);

    internal sealed record Chunk(int RowGroup, ColumnDescriptor Column, Meta.ColumnMetaData Meta, IReadOnlyList<Page> Pages);

    public static Meta.FileMetaData Footer(string file) => Meta.ParquetFooter.ParseFile(File.ReadAllBytes(file));

    public static List<Chunk> Walk(string file, ParquetSchema schema)
    {
        var bytes = File.ReadAllBytes(file);
        var footer = Meta.ParquetFooter.ParseFile(bytes);
        var chunks = new List<Chunk>();
        for (var g = 0; g < footer.RowGroups.Count; g++)
        {
            for (var c = 0; c < footer.RowGroups[g].Columns.Count; c++)
            {
                var meta = footer.RowGroups[g].Columns[c].MetaData!;
                var column = schema.Columns[c];
                var pages = new List<Page>();
                var position = meta.DictionaryPageOffset ?? meta.DataPageOffset;
                var end = position + meta.TotalCompressedSize;
                while (position < end)
                {
                    var header = Meta.PageHeader.Read(bytes.AsSpan((int)position), out var headerLength);
                    var body = bytes.AsSpan((int)position + headerLength, header.CompressedPageSize);
                    bool? crc = header.Crc is { } expected ? (int)Compression.Crc32.Compute(body) == expected : null;
                    pages.Add(header.Type switch
                    {
                        Meta.PageType.DictionaryPage => new Page(header.Type, header.DictionaryPageHeader!.Encoding, header.DictionaryPageHeader.NumValues, null, null, header.UncompressedPageSize, header.CompressedPageSize, crc, null),
                        Meta.PageType.DataPage => new Page(header.Type, header.DataPageHeader!.Encoding, header.DataPageHeader.NumValues, null, null, header.UncompressedPageSize, header.CompressedPageSize, crc,
                            FirstRepetitionLevelV1(body, meta.Codec, header, column)),
                        _ => new Page(header.Type, header.DataPageHeaderV2!.Encoding, header.DataPageHeaderV2.NumValues, header.DataPageHeaderV2.NumNulls, header.DataPageHeaderV2.NumRows, header.UncompressedPageSize, header.CompressedPageSize, crc,
                            FirstRepetitionLevelV2(body, header.DataPageHeaderV2, column)),
                    });
                    position += headerLength + header.CompressedPageSize;
                }

                position.Should().Be(end, "pages fill the chunk exactly");
                chunks.Add(new Chunk(g, column, meta, pages));
            }
        }

        return chunks;
    }

    private static int? FirstRepetitionLevelV1(ReadOnlySpan<byte> body, Meta.CompressionCodec codec, Meta.PageHeader header, ColumnDescriptor column)
    {
        if (column.MaxRepetitionLevel == 0)
        {
            return null;
        }

        var page = new byte[header.UncompressedPageSize];
        Compression.PageCompression.Decompress((Compression.CodecId)(int)codec, body, page);
        var length = BinaryPrimitives.ReadInt32LittleEndian(page);
        var levels = new int[header.DataPageHeader!.NumValues];
        Encodings.RleBitPackedHybrid.Decode(page.AsSpan(4, length), Encodings.RleBitPackedHybrid.BitWidthFor(column.MaxRepetitionLevel), levels);
        return levels[0];
    }

    private static int? FirstRepetitionLevelV2(ReadOnlySpan<byte> body, Meta.DataPageHeaderV2 header, ColumnDescriptor column)
    {
        if (column.MaxRepetitionLevel == 0)
        {
            header.RepetitionLevelsByteLength.Should().Be(0);
            return null;
        }

        var levels = new int[header.NumValues];
        Encodings.RleBitPackedHybrid.Decode(body[..header.RepetitionLevelsByteLength], Encodings.RleBitPackedHybrid.BitWidthFor(column.MaxRepetitionLevel), levels);
        return levels[0];
    }
}

/// <summary>A struct value: one value per field, in field order.</summary>
internal sealed record StructValue(object?[] Fields);

/// <summary>A map value: entries in order.</summary>
internal sealed record MapValue(IReadOnlyList<(object? Key, object? Value)> Entries);
