using System.Runtime.InteropServices;

namespace CdcLake.Parquet.Compression;

/// <summary>
/// A codec library that is part of the operating system rather than of this package. It is looked up once,
/// lazily, and a missing library or symbol is remembered as a reason instead of failing the type
/// initializer, so that files using other codecs stay readable on a machine without it.
/// </summary>
internal sealed class NativeCodecLibrary
{
    private readonly IntPtr _handle;
    private readonly string _loadedName;

    private NativeCodecLibrary(IntPtr handle, string loadedName, string? unavailableReason)
    {
        _handle = handle;
        _loadedName = loadedName;
        UnavailableReason = unavailableReason;
    }

    /// <summary>Null when the library is loaded; otherwise the sentence to show the user.</summary>
    public string? UnavailableReason { get; private set; }

    /// <param name="fileNames">
    /// Exact file names, most specific first. The versioned SONAME comes first because distributions
    /// install the unversioned symlink only with the -dev package.
    /// </param>
    /// <param name="probeName">A bare name handed to the runtime's own probing (lib prefix, platform suffix).</param>
    /// <param name="missingReason">The sentence shown when no candidate loads.</param>
    public static NativeCodecLibrary Load(IEnumerable<string> fileNames, string probeName, string missingReason)
    {
        foreach (var name in fileNames)
        {
            if (NativeLibrary.TryLoad(name, out var handle))
            {
                return new NativeCodecLibrary(handle, name, null);
            }
        }

        if (NativeLibrary.TryLoad(probeName, typeof(NativeCodecLibrary).Assembly, searchPath: null, out var probed))
        {
            return new NativeCodecLibrary(probed, probeName, null);
        }

        return new NativeCodecLibrary(IntPtr.Zero, string.Empty, missingReason);
    }

    /// <summary>
    /// The address of a required export, or zero after marking the library unavailable: an old library
    /// that lacks a function must be reported like a missing one, not crash on first use.
    /// </summary>
    public IntPtr Require(string symbol)
    {
        if (UnavailableReason is not null)
        {
            return IntPtr.Zero;
        }

        if (NativeLibrary.TryGetExport(_handle, symbol, out var address))
        {
            return address;
        }

        UnavailableReason = $"the native library {_loadedName} has no function {symbol}; it is too old";
        return IntPtr.Zero;
    }

    /// <summary>The address of an export that only improves error messages; zero when absent.</summary>
    public IntPtr Optional(string symbol) =>
        UnavailableReason is null && NativeLibrary.TryGetExport(_handle, symbol, out var address) ? address : IntPtr.Zero;

    public void EnsureAvailable()
    {
        if (UnavailableReason is not null)
        {
            throw new ParquetException(UnavailableReason);
        }
    }
}
