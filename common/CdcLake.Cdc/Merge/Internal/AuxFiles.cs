using System.Globalization;
using CdcLake.Parquet;
using CdcLake.Storage;

namespace CdcLake.Cdc.Internal;

/// <summary>The job's own files under <c>.hoodie/.aux/cdclake/</c> (tombstones, quarantine): small Parquet files, never overwritten.</summary>
internal static class AuxFiles
{
    /// <summary>Writes <paramref name="batch"/> as a new file in <paramref name="folder"/> and returns its path.</summary>
    public static async Task<string> WriteAsync(IObjectStore table, string folder, RecordBatch batch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        using (var writer = new ParquetWriter(buffer, batch.Schema, new ParquetWriteOptions { Codec = ParquetCodec.Snappy }, leaveOpen: true))
        {
            writer.Write(batch);
        }

        var path = $"{folder}/{now.UtcDateTime.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..8]}.parquet";
        await table.WriteAsync(path, buffer.ToArray(), overwrite: false, cancellationToken).ConfigureAwait(false);
        return path;
    }
}
