namespace CdcLake.Parquet.Meta;

/// <summary>parquet.thrift <c>PageEncodingStats</c>: how many pages of a type use an encoding.</summary>
internal sealed class PageEncodingStats : IThriftStruct
{
    public PageType PageType { get; set; }
    public Encoding Encoding { get; set; }
    public int Count { get; set; }

    public static PageEncodingStats Read(ref ThriftCompactReader r)
    {
        const string name = nameof(PageEncodingStats);
        int? pageType = null, encoding = null, count = null;
        var scope = r.BeginStruct(name);
        while (r.ReadFieldHeader(out var f))
        {
            switch (f.Id)
            {
                case 1: pageType = r.ReadI32(f); break;
                case 2: encoding = r.ReadI32(f); break;
                case 3: count = r.ReadI32(f); break;
                default: r.Skip(f); break;
            }
        }

        r.EndStruct(scope);
        return new PageEncodingStats
        {
            PageType = (PageType)(pageType ?? throw ThriftCompactReader.MissingField(name, "page_type")),
            Encoding = (Encoding)(encoding ?? throw ThriftCompactReader.MissingField(name, "encoding")),
            Count = count ?? throw ThriftCompactReader.MissingField(name, "count"),
        };
    }

    public void Write(ThriftCompactWriter w)
    {
        w.BeginStruct();
        w.WriteI32Field(1, (int)PageType);
        w.WriteI32Field(2, (int)Encoding);
        w.WriteI32Field(3, Count);
        w.EndStruct();
    }
}
