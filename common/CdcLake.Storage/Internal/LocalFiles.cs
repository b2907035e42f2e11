using System.Runtime.InteropServices;

namespace CdcLake.Storage.Internal;

internal static partial class LocalFiles
{
    /// <summary>
    /// Creates the parent folder of <paramref name="path"/> and runs <paramref name="action"/>; if the
    /// folder was removed in between (a concurrent delete pruning empty folders), does both again.
    /// </summary>
    public static T CreateParentAndRun<T>(string path, Func<T> action)
    {
        var parent = Path.GetDirectoryName(path)!;
        for (var attempt = 1; ; attempt++)
        {
            Directory.CreateDirectory(parent);
            try
            {
                return action();
            }
            catch (DirectoryNotFoundException) when (attempt < 5)
            {
            }
        }
    }

    public static void CreateParentAndRun(string path, Action action) =>
        CreateParentAndRun(path, () =>
        {
            action();
            return true;
        });

    /// <summary>
    /// <see cref="File.Move(string, string, bool)"/> with the store's exceptions. Without overwrite the target is
    /// made with link(2), which fails if it exists, so create-if-absent is atomic: .NET's own move falls back to a
    /// check-then-rename on some file systems, and two creators racing there both won (seen under load in CI).
    /// </summary>
    public static void Move(string from, string to, bool overwrite, StorageOperation operation)
    {
        try
        {
            if (!overwrite && TryLink(from, to))
            {
                File.Delete(from);
                return;
            }

            File.Move(from, to, overwrite);
        }
        catch (FileNotFoundException e) when (operation == StorageOperation.Rename)
        {
            throw new ObjectNotFoundException(operation, from, e);
        }
        catch (FileNotFoundException e)
        {
            throw new StorageException(operation, to, "its temporary file vanished before completion (was the folder deleted meanwhile?)", e);
        }
        catch (DirectoryNotFoundException)
        {
            throw; // the caller retries after recreating the folder
        }
        catch (IOException e) when (!overwrite && Path.Exists(to))
        {
            throw new ObjectExistsException(operation, to, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not StorageException)
        {
            throw new StorageException(operation, to, e.Message, e);
        }
    }

    /// <summary>
    /// link(2) on Unix: true when <paramref name="to"/> now names the file; throws <see cref="IOException"/> when it
    /// exists already; false when the file system or platform cannot link (the caller moves instead).
    /// </summary>
    private static bool TryLink(string from, string to)
    {
        if (OperatingSystem.IsWindows())
        {
            return false; // MoveFileEx without MOVEFILE_REPLACE_EXISTING is atomic there
        }

        if (Link(from, to) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno switch
        {
            17 => throw new IOException($"'{to}' exists"), // EEXIST
            2 when !File.Exists(from) => throw new FileNotFoundException($"'{from}' does not exist", from), // ENOENT: the source
            2 => throw new DirectoryNotFoundException($"the folder of '{to}' does not exist"), // ENOENT: the target's folder
            _ => false, // EPERM, EXDEV, ENOSYS…: no hard links here
        };
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string oldPath, string newPath);
}
