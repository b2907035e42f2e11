namespace CdcLake.Storage.Internal;

/// <summary>
/// Blocking calls into async-only code (the S3 SDK has no synchronous API on .NET). Running the work on the
/// thread pool keeps a caller's synchronization context (UI, xunit) out of it, so it cannot deadlock there.
/// </summary>
internal static class Sync
{
    public static void Run(Func<Task> work) => Task.Run(work).GetAwaiter().GetResult();

    public static T Run<T>(Func<Task<T>> work) => Task.Run(work).GetAwaiter().GetResult();
}
