using System.Globalization;
using System.Text;
using CdcLake.Parquet;

namespace CdcLake.Cdc.Internal;

/// <summary>
/// The <c>_cdc_order</c> column of a batch written straight as UTF-8, byte for byte <see cref="CdcOrder.ToString"/>
/// of each row's order, without a string per row. Within one file every order has the same file part, so it is
/// taken once from <see cref="CdcOrder.ToString"/> itself (the format lives in one place) and only the ordering
/// values and the row are formatted per row.
/// </summary>
internal sealed class OrderColumn
{
    private readonly FileOrderKey _file;
    private readonly int _valueCount;
    private readonly byte[] _lead;
    private readonly byte[] _fileText;

    public OrderColumn(FileOrderKey file, int valueCount)
    {
        _file = file;
        _valueCount = file.Phase == ChangePhase.Load ? 0 : valueCount;
        var sample = new CdcOrder(file, 0, new UInt128[_valueCount]).ToString();

        // LOAD: "0|<segment>|<counter>|" then the row; CDC: "1", "|<value>" per value, "|<time>|<hash>|" then the row.
        var lead = file.Phase == ChangePhase.Load ? 0 : 1;
        var values = _valueCount * (CdcOrder.ValueWidth + 1);
        _lead = Encoding.ASCII.GetBytes(sample[..lead]);
        _fileText = Encoding.ASCII.GetBytes(sample[(lead + values)..^CdcOrder.RowWidth]);
        Width = sample.Length;
    }

    /// <summary>Bytes of every value of this file's column.</summary>
    public int Width { get; }

    /// <summary>The column of a LOAD file's rows <paramref name="firstRow"/>.. (<paramref name="count"/> of them).</summary>
    public BinaryVector BuildLoad(Field field, long firstRow, int count)
    {
        if (_file.Phase != ChangePhase.Load)
        {
            throw new InvalidOperationException("CDC orders carry ordering values: build them from the orders");
        }

        var data = new byte[count * Width];
        var offsets = new int[count + 1];
        for (var i = 0; i < count; i++)
        {
            var at = i * Width;
            offsets[i] = at;
            _fileText.CopyTo(data.AsSpan(at));
            (firstRow + i).TryFormat(data.AsSpan(at + _fileText.Length, CdcOrder.RowWidth), out _, "D10", CultureInfo.InvariantCulture);
        }

        offsets[count] = count * Width;
        return new BinaryVector(field, offsets, data, count);
    }

    /// <summary>The column of <paramref name="orders"/>, which must all be of this file and carry this many values.</summary>
    public BinaryVector Build(Field field, ReadOnlySpan<CdcOrder> orders)
    {
        var n = orders.Length;
        var data = new byte[n * Width];
        var offsets = new int[n + 1];
        for (var i = 0; i < n; i++)
        {
            var order = orders[i];
            if (order.File != _file || order.ValueCount != _valueCount)
            {
                throw new ArgumentException($"row {i}: an order of another file or value count than this column's", nameof(orders));
            }

            var at = i * Width;
            offsets[i] = at;
            var span = data.AsSpan(at, Width);
            _lead.CopyTo(span);
            var w = _lead.Length;
            foreach (var value in order.Values)
            {
                span[w++] = (byte)'|';
                value.TryFormat(span[w..], out var written, "D35", CultureInfo.InvariantCulture);
                w += written;
            }

            _fileText.CopyTo(span[w..]);
            w += _fileText.Length;
            order.Row.TryFormat(span[w..], out _, "D10", CultureInfo.InvariantCulture);
        }

        offsets[n] = n * Width;
        return new BinaryVector(field, offsets, data, n);
    }
}
