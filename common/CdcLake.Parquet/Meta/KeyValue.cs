namespace CdcLake.Parquet.Meta;

/// <summary>parquet.thrift <c>KeyValue</c>: application metadata on the file or a column chunk.</summary>
internal sealed class KeyValue : IThriftStruct
{
    public KeyValue()
    {
    }

    public KeyValue(string key, string? value)
    {
        Key = key;
        Value = value;
    }

    public string Key { get; set; } = "";
    public string? Value { get; set; }

    public override string ToString() => $"{Key}={Value}";

    public static KeyValue Read(ref ThriftCompactReader r)
    {
        var kv = new KeyValue();
        string? key = null;
        var scope = r.BeginStruct(nameof(KeyValue));
        while (r.ReadFieldHeader(out var f))
        {
            switch (f.Id)
            {
                case 1: key = r.ReadString(f); break;
                case 2 when f.Is(ThriftType.Binary): kv.Value = r.ReadString(f); break;
                default: r.Skip(f); break;
            }
        }

        r.EndStruct(scope);
        kv.Key = key ?? throw ThriftCompactReader.MissingField(nameof(KeyValue), "key");
        return kv;
    }

    public void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.WriteStringField(1, Key ?? throw new ParquetException("KeyValue: required field 'key' is not set"));
        w.WriteStringField(2, Value);
        w.EndStruct();
    }
}
