using System.Buffers;
using System.Text;

namespace CdcLake.Cli.Output;

/// <summary>
/// Where rendered UTF-8 text goes. Writes the bytes straight to the stream under a UTF-8
/// <see cref="StreamWriter"/> (the CLI's stdout), and decodes them for any other
/// <see cref="TextWriter"/> (a <see cref="StringWriter"/> in tests). Callers hand it whole lines, so a
/// chunk never splits a character.
/// </summary>
public sealed class Utf8TextSink
{
    private readonly TextWriter _writer;
    private readonly Stream? _stream;

    public Utf8TextSink(TextWriter writer)
    {
        _writer = writer;
        if (writer is StreamWriter { Encoding: UTF8Encoding } streamWriter)
        {
            _stream = streamWriter.BaseStream;
        }
    }

    /// <exception cref="OutputWriteException">The output refused the bytes (closed pipe, full disk).</exception>
    public void Write(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return;
        }

        try
        {
            if (_stream is not null)
            {
                _writer.Flush(); // whatever was written as text goes first
                _stream.Write(utf8);
                return;
            }

            var chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(utf8.Length));
            try
            {
                var count = Encoding.UTF8.GetChars(utf8, chars);
                _writer.Write(chars, 0, count);
            }
            finally
            {
                ArrayPool<char>.Shared.Return(chars);
            }
        }
        catch (IOException e)
        {
            throw new OutputWriteException(e);
        }
    }

    /// <exception cref="OutputWriteException">The output refused the bytes.</exception>
    public void Flush()
    {
        try
        {
            _writer.Flush();
            _stream?.Flush();
        }
        catch (IOException e)
        {
            throw new OutputWriteException(e);
        }
    }
}

/// <summary>Writing to the output (not reading the input) failed; <see cref="IsBrokenPipe"/> when the reader went away.</summary>
public sealed class OutputWriteException(IOException inner) : IOException(inner.Message, inner)
{
    /// <summary>The consumer closed the pipe (<c>cdclake parquet cat f | head</c>): not an error worth reporting.</summary>
    public bool IsBrokenPipe { get; } = IsPipeError(inner);

    private static bool IsPipeError(IOException e) =>
        e.HResult is 32 /* EPIPE */ or unchecked((int)0x8007006D) /* ERROR_BROKEN_PIPE */ or unchecked((int)0x800700E8) /* ERROR_NO_DATA */
        || e.Message.Contains("Broken pipe", StringComparison.OrdinalIgnoreCase);
}
