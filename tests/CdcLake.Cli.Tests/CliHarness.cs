using System.Text.Json;
using CdcLake.Cli.Commands;
using CdcLake.Parquet;

namespace CdcLake.Cli.Tests;

/// <summary>What one in-process run of the CLI produced.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The jsonl output, one parsed object per line.</summary>
    public JsonElement[] JsonRows => [.. StdoutLines.Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs cdclake in-process, stdout and stderr captured.</summary>
public static class Cli
{
    public static CliResult Run(params string[] args) => Run(null, args);

    public static CliResult Run(ParquetIo? io, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = CliApp.Invoke(args, stdout, stderr, io);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }
}

/// <summary>An in-memory "file" for the commands: batches served lazily, reads counted.</summary>
public sealed class FakeInput(string name, ParquetSchema schema, IReadOnlyList<RecordBatch> batches) : IParquetInput
{
    public string Name => name;

    public ParquetSchema Schema => schema;

    public ParquetFileInfo Info => new(2, "fake", batches.Sum(b => (long)b.RowCount), Metadata, []);

    public IReadOnlyDictionary<string, string?> Metadata { get; init; } = new Dictionary<string, string?>();

    /// <summary>Row groups handed out so far.</summary>
    public int BatchesRead { get; private set; }

    /// <summary>Thrown when the row group of this index is read.</summary>
    public (int Index, Exception Error)? FailAt { get; init; }

    public bool Disposed { get; private set; }

    public IEnumerable<RecordBatch> ReadBatches(IReadOnlyList<string>? columns = null)
    {
        for (var i = 0; i < batches.Count; i++)
        {
            if (FailAt is { } fail && fail.Index == i)
            {
                throw fail.Error;
            }

            BatchesRead++;
            var batch = batches[i];
            if (columns is null)
            {
                yield return batch;
            }
            else
            {
                var fields = columns.Select(c => batch.Schema[c]).ToArray();
                yield return new RecordBatch(new ParquetSchema(fields), [.. columns.Select(c => batch[c])], batch.RowCount);
            }
        }
    }

    public void Dispose() => Disposed = true;

    public ParquetIo AsIo(FakeOutput? output = null) => new()
    {
        Open = path => path == name ? this : throw new ParquetException("cannot open: no such fake file").WithContext(path),
        Create = output is null
            ? (_, _, _, target) => throw new ParquetException("no writer in this fake").WithContext(target)
            : output.Start,
    };
}

/// <summary>A writer that records what it was given and writes one line per batch to the stream.</summary>
public sealed class FakeOutput : IParquetOutput
{
    private Stream? _stream;

    public ParquetSchema? Schema { get; private set; }

    public ParquetWriteOptions? Options { get; private set; }

    public string? Name { get; private set; }

    public List<RecordBatch> Batches { get; } = [];

    public bool Disposed { get; private set; }

    /// <summary>Thrown by the write of the batch of this index.</summary>
    public int? FailAt { get; init; }

    public IParquetOutput Start(Stream stream, ParquetSchema schema, ParquetWriteOptions options, string name)
    {
        (_stream, Schema, Options, Name) = (stream, schema, options, name);
        return this;
    }

    public void Write(RecordBatch batch)
    {
        if (FailAt == Batches.Count)
        {
            throw new ParquetException("value too large for the page").WithContext(Name, "name");
        }

        Batches.Add(batch);
        _stream!.Write(System.Text.Encoding.UTF8.GetBytes($"batch of {batch.RowCount}\n"));
    }

    public void Dispose() => Disposed = true;
}
