namespace CdcLake.Hudi;

/// <summary>A Hudi table's files or settings break a rule of the format; the message names the file or key.</summary>
public class HudiException : Exception
{
    public HudiException()
    {
    }

    public HudiException(string message)
        : base(message)
    {
    }

    public HudiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>hoodie.properties (or .hoodie_partition_metadata) is missing a required key, has a bad value or a wrong checksum.</summary>
public class HudiConfigException : HudiException
{
    public HudiConfigException()
    {
    }

    public HudiConfigException(string message)
        : base(message)
    {
    }

    public HudiConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The table is of a version this library cannot read or write (it handles version 6; version 8 only partly).</summary>
public class UnsupportedTableVersionException : HudiException
{
    public UnsupportedTableVersionException()
    {
    }

    public UnsupportedTableVersionException(string message)
        : base(message)
    {
    }

    public UnsupportedTableVersionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UnsupportedTableVersionException(int version, string what)
        : base($"unsupported table version {version}: {what}")
    {
        Version = version;
    }

    public int? Version { get; }
}

/// <summary>A record key or partition path cannot be built from a record (Hudi's HoodieKeyException).</summary>
public class HoodieKeyException : HudiException
{
    public HoodieKeyException()
    {
    }

    public HoodieKeyException(string message)
        : base(message)
    {
    }

    public HoodieKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
