using System.Buffers.Binary;

namespace CdcLake.Parquet.Meta;

/// <summary>
/// The end of a Parquet file: the Thrift-encoded <see cref="FileMetaData"/>, its length as 4 little-endian
/// bytes, then the magic "PAR1". A file also starts with "PAR1".
/// </summary>
internal static class ParquetFooter
{
    /// <summary>Footer length plus magic.</summary>
    public const int TailLength = 8;

    /// <summary>Leading magic, trailing magic and footer length: the smallest possible file.</summary>
    public const int MinFileLength = 12;

    public static ReadOnlySpan<byte> Magic => "PAR1"u8;

    private static ReadOnlySpan<byte> EncryptedFooterMagic => "PARE"u8;

    /// <summary>
    /// Checks the last <see cref="TailLength"/> bytes of a file of <paramref name="fileLength"/> bytes and
    /// returns the length of the footer that precedes them.
    /// </summary>
    public static int ReadFooterLength(ReadOnlySpan<byte> tail, long fileLength)
    {
        if (tail.Length != TailLength)
            throw new ArgumentException($"expected the last {TailLength} bytes of the file, got {tail.Length}", nameof(tail));
        if (fileLength < MinFileLength)
            throw new ParquetException($"file of {fileLength} bytes is too short to be Parquet (at least {MinFileLength} needed)");

        var magic = tail[4..];
        if (magic.SequenceEqual(EncryptedFooterMagic))
            throw new ParquetException("file has an encrypted footer (magic 'PARE'), which is not supported");
        if (!magic.SequenceEqual(Magic))
            throw new ParquetException($"file does not end with the Parquet magic 'PAR1' (found {Convert.ToHexString(magic)})");

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(tail);
        long available = fileLength - MinFileLength;
        if (length > available)
            throw new ParquetException($"footer length {length} exceeds the {available} bytes between the leading magic and the footer length");
        return (int)length;
    }

    /// <summary>Decodes the footer's Thrift bytes (without length and magic).</summary>
    public static FileMetaData Parse(ReadOnlySpan<byte> footerBytes)
    {
        var r = new ThriftCompactReader(footerBytes);
        return FileMetaData.Read(ref r);
    }

    /// <summary>Decodes the footer of a whole file held in memory, checking both magics.</summary>
    public static FileMetaData ParseFile(ReadOnlySpan<byte> file)
    {
        if (file.Length < MinFileLength)
            throw new ParquetException($"file of {file.Length} bytes is too short to be Parquet (at least {MinFileLength} needed)");
        if (!file[..4].SequenceEqual(Magic))
            throw new ParquetException($"file does not start with the Parquet magic 'PAR1' (found {Convert.ToHexString(file[..4])})");
        int length = ReadFooterLength(file[^TailLength..], file.Length);
        return Parse(file.Slice(file.Length - TailLength - length, length));
    }

    /// <summary>The footer's Thrift bytes, without length and magic.</summary>
    public static byte[] Serialize(FileMetaData metadata)
    {
        var w = new ThriftCompactWriter(4096);
        metadata.Write(w);
        return w.ToArray();
    }

    /// <summary>Everything that follows the last column chunk: footer, footer length and magic.</summary>
    public static byte[] SerializeWithTail(FileMetaData metadata)
    {
        var w = new ThriftCompactWriter(4096);
        metadata.Write(w);
        var footer = w.WrittenSpan;
        var result = new byte[footer.Length + TailLength];
        footer.CopyTo(result);
        BinaryPrimitives.WriteInt32LittleEndian(result.AsSpan(footer.Length), footer.Length);
        Magic.CopyTo(result.AsSpan(footer.Length + 4));
        return result;
    }
}
