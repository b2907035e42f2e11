using System.Buffers.Binary;
using System.Text.RegularExpressions;

namespace CdcLake.Parquet.Mutation;

/// <summary>One page found by walking a column chunk of the unmutated file.</summary>
public sealed record PageLayout(int HeaderOffset, int HeaderLength, int PayloadOffset, int PayloadLength, IReadOnlyList<ThriftToken> Tokens);

/// <summary>
/// A valid Parquet file and where its structures lie: the footer (Thrift bytes, then the 4-byte length and
/// the magic), the integers and lengths inside the footer, and every page header of every column chunk.
/// Found with the independent <see cref="ThriftScanner"/>, not with the codec under test.
/// </summary>
public sealed partial class SourceFile
{
    private SourceFile(string path, byte[] bytes)
    {
        Path = path;
        Name = System.IO.Path.GetFileName(path);
        Bytes = bytes;
    }

    public string Path { get; }

    public string Name { get; }

    public byte[] Bytes { get; }

    /// <summary>Offset of the footer's Thrift bytes.</summary>
    public int FooterOffset { get; private set; }

    public int FooterLength { get; private set; }

    /// <summary>Offset of the 4-byte footer length (followed by the magic).</summary>
    public int FooterLengthFieldOffset => Bytes.Length - 8;

    public IReadOnlyList<ThriftToken> FooterTokens { get; private set; } = [];

    public IReadOnlyList<PageLayout> Pages { get; private set; } = [];

    /// <summary>Why the layout is incomplete (e.g. a chunk the walker could not follow), or null.</summary>
    public string? LayoutNote { get; private set; }

    public static SourceFile Load(string path)
    {
        var file = new SourceFile(path, File.ReadAllBytes(path));
        file.Analyze();
        return file;
    }

    private void Analyze()
    {
        if (Bytes.Length < 12)
        {
            throw new FormatException($"{Name}: too short to be Parquet");
        }

        FooterLength = BinaryPrimitives.ReadInt32LittleEndian(Bytes.AsSpan(Bytes.Length - 8));
        FooterOffset = Bytes.Length - 8 - FooterLength;
        if (FooterLength <= 0 || FooterOffset < 4)
        {
            throw new FormatException($"{Name}: bad footer length {FooterLength}");
        }

        var tokens = new List<ThriftToken>();
        ThriftScanner.ScanStruct(Bytes, FooterOffset, FooterOffset + FooterLength, "", tokens);
        FooterTokens = tokens;

        // Column chunk extents: FileMetaData.row_groups(4)[i].columns(1)[j].meta_data(3).{total_compressed_size 7, data_page_offset 9, dictionary_page_offset 11}.
        var chunks = new Dictionary<(int, int), (long Size, long Data, long? Dict)>();
        foreach (var t in tokens)
        {
            var m = ChunkField().Match(t.Path);
            if (!m.Success || t.Kind != TokenKind.Integer)
            {
                continue;
            }

            var key = (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
            chunks.TryGetValue(key, out var c);
            c = m.Groups[3].Value switch
            {
                "7" => c with { Size = t.Value },
                "9" => c with { Data = t.Value },
                _ => c with { Dict = t.Value },
            };
            chunks[key] = c;
        }

        var pages = new List<PageLayout>();
        foreach (var ((rg, col), c) in chunks.OrderBy(kv => kv.Key))
        {
            var start = c.Dict is { } d && d > 0 && d < c.Data ? d : c.Data;
            var end = start + c.Size;
            if (c.Size <= 0 || start < 4 || end > FooterOffset)
            {
                LayoutNote ??= $"row group {rg} column {col}: chunk [{start}, {end}) not followed";
                continue;
            }

            var position = (int)start;
            try
            {
                while (position < end)
                {
                    var pageTokens = new List<ThriftToken>();
                    var headerEnd = ThriftScanner.ScanStruct(Bytes, position, (int)end, $"page", pageTokens);
                    var compressed = pageTokens.FirstOrDefault(t => t.Path == "page.3" && t.Kind == TokenKind.Integer)?.Value ?? -1;
                    if (compressed < 0 || headerEnd + compressed > end)
                    {
                        throw new FormatException($"page at {position} has compressed size {compressed}");
                    }

                    pages.Add(new PageLayout(position, headerEnd - position, headerEnd, (int)compressed, pageTokens));
                    position = headerEnd + (int)compressed;
                }
            }
            catch (FormatException e)
            {
                LayoutNote ??= $"row group {rg} column {col}: {e.Message}";
            }
        }

        Pages = pages;
    }

    [GeneratedRegex(@"^4\[(\d+)\]\.1\[(\d+)\]\.3\.(7|9|11)$")]
    private static partial Regex ChunkField();
}
