namespace CdcLake.Testing;

/// <summary>Well-known locations of the repository and of the fixtures that live beside it.</summary>
public static class RepoPaths
{
    /// <summary>Overrides <see cref="SharedFixtures"/> (a folder path).</summary>
    public const string SharedFixturesVariable = "CDCLAKE_SHARED_FIXTURES";

    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>The repository root: the nearest folder above the running assembly that holds CdcLake.sln.</summary>
    public static string Root => s_root.Value;

    /// <summary>
    /// The read-only fixtures other tools wrote: <c>&lt;root&gt;/../shared/fixtures</c>
    /// (or <c>$CDCLAKE_SHARED_FIXTURES</c>). Throws <see cref="DirectoryNotFoundException"/> when missing.
    /// </summary>
    public static string SharedFixtures
    {
        get
        {
            var overridden = Environment.GetEnvironmentVariable(SharedFixturesVariable);
            var path = string.IsNullOrEmpty(overridden)
                ? Path.GetFullPath(Path.Combine(Root, "..", "shared", "fixtures"))
                : Path.GetFullPath(overridden);
            if (!Directory.Exists(path))
            {
                throw new DirectoryNotFoundException(
                    $"Shared test fixtures not found at '{path}'. They live outside the repository, in " +
                    $"../shared/fixtures relative to the repository root '{Root}': keep the clone beside shared/, " +
                    $"or point {SharedFixturesVariable} at the fixtures folder.");
            }

            return path;
        }
    }

    /// <summary>The node-based test tools (package.json, duckdb-oracle.mjs): <c>&lt;root&gt;/tests/tools</c>.</summary>
    public static string TestTools => Path.Combine(Root, "tests", "tools");

    /// <summary>A file under <see cref="SharedFixtures"/>, e.g. <c>SharedFixture("dms", "x.parquet")</c>; throws when missing.</summary>
    public static string SharedFixture(params string[] relativeParts)
    {
        ArgumentNullException.ThrowIfNull(relativeParts);
        var path = Path.Combine([SharedFixtures, .. relativeParts]);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Shared fixture '{Path.Combine(relativeParts)}' not found at '{path}'.", path);
        }

        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CdcLake.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException(
            $"Could not find the repository root (a folder holding CdcLake.sln) above '{AppContext.BaseDirectory}'.");
    }
}
