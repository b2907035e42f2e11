namespace CdcLake.Storage.Internal;

internal static class LocalFiles
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
    /// <see cref="File.Move(string, string, bool)"/> with the store's exceptions. Without overwrite .NET
    /// links the target (fails if it exists) and then unlinks the source, so the check is atomic.
    /// </summary>
    public static void Move(string from, string to, bool overwrite, StorageOperation operation)
    {
        try
        {
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
}
