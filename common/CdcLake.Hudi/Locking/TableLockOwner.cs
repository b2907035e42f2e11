using System.Globalization;

namespace CdcLake.Hudi;

/// <summary>Owner names for <see cref="ITableLockProvider.AcquireAsync"/>.</summary>
public static class TableLockOwner
{
    /// <summary>
    /// <c>name@host:pid:uuid</c>, different on every call. Uniqueness matters: lock writes are conditioned
    /// on the owner name (and a version), as in the AWS lock client, whose own default is host name + UUID.
    /// </summary>
    public static string Create(string name = "cdclake")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{name}@{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}");
    }
}
