namespace CdcLake.Parquet.Mutation;

/// <summary>What reading one variant came to, before classification.</summary>
public sealed class ReadResult
{
    /// <summary>The first <see cref="ParquetException"/> raised while opening or reading, if any.</summary>
    public ParquetException? Refusal { get; set; }

    /// <summary>Rows read across the row groups that could be read.</summary>
    public long Rows { get; set; }

    /// <summary>Values touched through <see cref="ColumnVector.GetValue"/>.</summary>
    public long Values { get; set; }

    /// <summary>Values whose conversion raised a <see cref="ParquetException"/> (e.g. a timestamp beyond year 9999).</summary>
    public long ValueRefusals { get; set; }
}

/// <summary>
/// Reads a variant the way a consumer would, as completely as the file allows: opens it from memory, reads
/// the schema and the footer info (statistics decoded to logical values), then every row group with every
/// column, and converts every value. A <see cref="ParquetException"/> from one row group does not stop the
/// others from being read; a value that cannot be converted does not stop the rest of the batch. Anything
/// that is not a <see cref="ParquetException"/> propagates to the caller, which reports it.
/// </summary>
public static class VariantReader
{
    public static ReadResult Read(byte[] bytes, string name, ParquetReadOptions options)
    {
        var result = new ReadResult();
        ParquetReader reader;
        try
        {
            reader = new ParquetReader(new MemoryRandomAccessFile(bytes, name), options);
        }
        catch (ParquetException e)
        {
            result.Refusal = e;
            return result;
        }

        using (reader)
        {
            TouchSchema(reader.Schema);
            _ = reader.RowCount;
            try
            {
                TouchInfo(reader.Info);
            }
            catch (ParquetException e)
            {
                result.Refusal ??= e;
            }

            for (var i = 0; i < reader.RowGroupCount; i++)
            {
                try
                {
                    var batch = reader.ReadRowGroup(i);
                    result.Rows += batch.RowCount;
                    TouchBatch(batch, result);
                }
                catch (ParquetException e)
                {
                    result.Refusal ??= e;
                }
            }

            // A projection takes another path through the reader (a rebuilt schema); try the last field alone.
            if (reader.RowGroupCount > 0 && reader.Schema.Fields.Count > 1)
            {
                try
                {
                    var batch = reader.ReadRowGroup(0, [reader.Schema.Fields[^1].Name]);
                    TouchBatch(batch, result);
                }
                catch (ParquetException e)
                {
                    result.Refusal ??= e;
                }
            }
        }

        return result;
    }

    private static void TouchSchema(ParquetSchema schema)
    {
        foreach (var field in schema.Fields)
        {
            _ = field.ToString();
        }

        foreach (var column in schema.Columns)
        {
            _ = column.DottedPath;
        }
    }

    private static void TouchInfo(ParquetFileInfo info)
    {
        foreach (var rg in info.RowGroups)
        {
            foreach (var c in rg.Columns)
            {
                _ = c.Codec;
                _ = c.Encodings.Count;
                if (c.Statistics is { } s)
                {
                    _ = s.Min?.ToString();
                    _ = s.Max?.ToString();
                    if (s.Min is not null)
                    {
                        _ = s.MayContain(s.Min);
                    }
                }
            }
        }
    }

    private static void TouchBatch(RecordBatch batch, ReadResult result)
    {
        foreach (var column in batch.Columns)
        {
            for (var row = 0; row < batch.RowCount; row++)
            {
                try
                {
                    _ = column.GetValue(row)?.ToString();
                    result.Values++;
                }
                catch (ParquetException)
                {
                    result.ValueRefusals++;
                }
            }
        }
    }
}
