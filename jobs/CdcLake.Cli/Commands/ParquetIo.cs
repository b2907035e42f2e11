using CdcLake.Parquet;

namespace CdcLake.Cli.Commands;

/// <summary>An open Parquet file as the commands read it (a <see cref="ParquetReader"/>, or a fake in tests).</summary>
public interface IParquetInput : IDisposable
{
    string Name { get; }

    ParquetSchema Schema { get; }

    ParquetFileInfo Info { get; }

    /// <summary>One batch per row group, read lazily; <paramref name="columns"/> are top-level field names (null: all).</summary>
    IEnumerable<RecordBatch> ReadBatches(IReadOnlyList<string>? columns = null);
}

/// <summary>A Parquet file being written; disposing it writes the footer.</summary>
public interface IParquetOutput : IDisposable
{
    void Write(RecordBatch batch);
}

/// <summary>
/// The codec entry points the commands use. <see cref="Default"/> is the real reader and writer; tests
/// substitute fakes to watch what the commands read (e.g. that <c>--limit</c> stops at the first row group).
/// </summary>
public sealed class ParquetIo
{
    public static ParquetIo Default { get; } = new()
    {
        Open = path => new ReaderInput(ParquetReader.Open(path)),
        Create = (stream, schema, options, name) => new WriterOutput(new ParquetWriter(stream, schema, options, name, leaveOpen: true)),
    };

    /// <summary>Opens the file at a path for reading.</summary>
    public required Func<string, IParquetInput> Open { get; init; }

    /// <summary>Starts a file on a stream: schema, options, and the name used in errors.</summary>
    public required Func<Stream, ParquetSchema, ParquetWriteOptions, string, IParquetOutput> Create { get; init; }

    private sealed class ReaderInput(ParquetReader reader) : IParquetInput
    {
        public string Name => reader.Name;

        public ParquetSchema Schema => reader.Schema;

        public ParquetFileInfo Info => reader.Info;

        public IEnumerable<RecordBatch> ReadBatches(IReadOnlyList<string>? columns = null) => reader.ReadBatches(columns);

        public void Dispose() => reader.Dispose();
    }

    private sealed class WriterOutput(ParquetWriter writer) : IParquetOutput
    {
        public void Write(RecordBatch batch) => writer.Write(batch);

        public void Dispose() => writer.Dispose();
    }
}
