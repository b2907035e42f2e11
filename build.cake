///////////////////////////////////////////////////////////////////////////////
// CdcLake build script. Run it through ./build.sh:
//   ./build.sh                        (= --target=Test)
//   ./build.sh --target=Build|Test|Bench|Run [--configuration=Release|Debug]
//   ./build.sh --target=Bench --bench-args="parquet --rows 1000000"
// Tasks named "__Something" are private steps; the public targets combine them.
///////////////////////////////////////////////////////////////////////////////

///////////////////////////////////////////////////////////////////////////////
// ARGUMENTS
///////////////////////////////////////////////////////////////////////////////

var target = Argument<string>("target", "Default");
var configuration = Argument<string>("configuration", "Release");
var benchArgs = Argument<string>("bench-args", "parquet");

///////////////////////////////////////////////////////////////////////////////
// GLOBAL VARIABLES
///////////////////////////////////////////////////////////////////////////////

var repoRoot = MakeAbsolute(Directory("."));
var solution = repoRoot.CombineWithFilePath("CdcLake.sln");
var artifactsDir = repoRoot.Combine("artifacts");
var testResultsDir = artifactsDir.Combine("test-results");
var demoDir = artifactsDir.Combine("demo");
var testToolsDir = repoRoot.Combine("tests/tools");
var benchmarksProject = repoRoot.CombineWithFilePath("tests/Benchmarks/Benchmarks.csproj");
var cliDll = repoRoot.CombineWithFilePath($"jobs/CdcLake.Cli/bin/{configuration}/net10.0/cdclake.dll");

///////////////////////////////////////////////////////////////////////////////
// SETUP / TEARDOWN
///////////////////////////////////////////////////////////////////////////////

Setup(context =>
{
    Information("Building CdcLake: target {0}, configuration {1}", target, configuration);
});

///////////////////////////////////////////////////////////////////////////////
// PRIVATE TASKS
///////////////////////////////////////////////////////////////////////////////

Task("__Clean")
    .Description("Removes the outputs of previous runs (artifacts/test-results, artifacts/demo).")
    .Does(() =>
{
    foreach (var dir in new[] { testResultsDir, demoDir })
    {
        if (DirectoryExists(dir))
        {
            DeleteDirectory(dir, new DeleteDirectorySettings { Recursive = true, Force = true });
        }
    }
});

Task("__Restore")
    .Description("Restores the solution's NuGet packages.")
    .Does(() =>
{
    DotNetRestore(solution.FullPath);
});

Task("__Compile")
    .Description("Builds the solution (warnings are errors, see Directory.Build.props).")
    .Does(() =>
{
    DotNetBuild(solution.FullPath, new DotNetBuildSettings
    {
        Configuration = configuration,
        NoRestore = true,
    });
});

Task("__ToolsInstall")
    .Description("Installs the node test tools (tests/tools) when node_modules is missing or older than package-lock.json.")
    .Does(() =>
{
    foreach (var tool in new[] { "node", "npm" })
    {
        int exitCode;
        try
        {
            exitCode = StartProcess(tool, new ProcessSettings { Arguments = "--version", RedirectStandardOutput = true, RedirectStandardError = true });
        }
        catch (Exception)
        {
            exitCode = -1;
        }
        if (exitCode != 0)
        {
            throw new CakeException($"'{tool}' was not found on PATH. The tests need Node.js 20+ and npm for the DuckDB oracle in tests/tools; install them (on Debian: apt-get install -y nodejs npm, as .ci/run does).");
        }
    }

    var lockFile = testToolsDir.CombineWithFilePath("package-lock.json");
    var installedMarker = testToolsDir.CombineWithFilePath("node_modules/.package-lock.json"); // npm writes it on install; stamped below
    var upToDate = FileExists(installedMarker)
        && System.IO.File.GetLastWriteTimeUtc(installedMarker.FullPath) >= System.IO.File.GetLastWriteTimeUtc(lockFile.FullPath);
    if (upToDate)
    {
        Information("tests/tools/node_modules is up to date.");
        return;
    }

    var exit = StartProcess("npm", new ProcessSettings
    {
        Arguments = "ci --no-audit --no-fund",
        WorkingDirectory = testToolsDir,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    }, out var ciOut, out var ciErr);
    if (exit == 0)
    {
        foreach (var line in ciOut) { Information("{0}", line); }
        MarkToolsInstalled(installedMarker);
        return;
    }

    var ciErrors = ciErr.ToList();
    if (!ciErrors.Any(l => l.Contains("EUSAGE")))
    {
        foreach (var line in ciOut.Concat(ciErrors)) { Error("{0}", line); }
        throw new CakeException($"npm ci failed in {testToolsDir} (exit code {exit}).");
    }

    // npm ci refuses a lock file that lacks entries for @duckdb/node-bindings' optional
    // per-platform packages, and the registry mirror these machines use serves only some
    // platforms, so `npm install` cannot write those entries. Install the same pinned versions
    // from the lock file without rewriting it.
    Warning("npm ci refused the lock file (it lists only the platform packages the registry serves); installing the locked versions with 'npm install --no-save'.");
    exit = StartProcess("npm", new ProcessSettings
    {
        Arguments = "install --no-audit --no-fund --no-save",
        WorkingDirectory = testToolsDir,
    });
    if (exit != 0)
    {
        throw new CakeException($"npm install failed in {testToolsDir} (exit code {exit}).");
    }
    MarkToolsInstalled(installedMarker);
});

// npm leaves node_modules/.package-lock.json alone when nothing changed: stamp it so the
// up-to-date check above holds until package-lock.json changes again.
void MarkToolsInstalled(FilePath marker)
{
    if (FileExists(marker))
    {
        System.IO.File.SetLastWriteTimeUtc(marker.FullPath, DateTime.UtcNow);
    }
}

Task("__UnitTests")
    .Description("Runs every test project in the solution; writes TRX files and prints 'N passed, N failed, N skipped'.")
    .Does(() =>
{
    EnsureDirectoryExists(testResultsDir);
    CleanDirectory(testResultsDir);

    Exception testRunFailure = null;
    try
    {
        DotNetTest(solution.FullPath, new DotNetTestSettings
        {
            Configuration = configuration,
            NoBuild = true,
            NoRestore = true,
            Loggers = new[] { "trx" },
            ResultsDirectory = testResultsDir,
        });
    }
    catch (Exception e)
    {
        testRunFailure = e; // report the counts first, then fail
    }

    int passed = 0, failed = 0, skipped = 0;
    var trxFiles = GetFiles(testResultsDir.FullPath + "/**/*.trx");
    foreach (var trx in trxFiles)
    {
        var doc = System.Xml.Linq.XDocument.Load(trx.FullPath);
        foreach (var result in doc.Descendants().Where(e => e.Name.LocalName == "UnitTestResult"))
        {
            switch ((string)result.Attribute("outcome"))
            {
                case "Passed": passed++; break;
                case "NotExecuted": case "Inconclusive": case "Pending": skipped++; break;
                default: failed++; break; // Failed, Error, Timeout, Aborted, ...
            }
        }
    }

    // The one plain summary line CI reads. Console, not the Cake log: no colour codes.
    Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");

    if (failed > 0)
    {
        throw new CakeException($"{failed} test(s) failed. TRX files: {testResultsDir}");
    }
    if (testRunFailure != null)
    {
        throw new CakeException($"dotnet test failed: {testRunFailure.Message}", testRunFailure);
    }
    if (passed + failed == 0)
    {
        throw new CakeException($"No test ran ({trxFiles.Count} TRX file(s) in {testResultsDir}).");
    }
});

///////////////////////////////////////////////////////////////////////////////
// PUBLIC TARGETS
///////////////////////////////////////////////////////////////////////////////

Task("Build")
    .Description("Restores and compiles the solution.")
    .IsDependentOn("__Clean")
    .IsDependentOn("__Restore")
    .IsDependentOn("__Compile");

Task("Test")
    .Description("Builds, installs the node test tools and runs all tests.")
    .IsDependentOn("Build")
    .IsDependentOn("__ToolsInstall")
    .IsDependentOn("__UnitTests");

Task("Bench")
    .Description("Builds and runs tests/Benchmarks in Release; --bench-args=\"...\" is passed to it.")
    .IsDependentOn("Build")
    .IsDependentOn("__ToolsInstall")
    .Does(() =>
{
    DotNetRun(benchmarksProject.FullPath, new ProcessArgumentBuilder().Append(benchArgs), new DotNetRunSettings
    {
        Configuration = "Release",
    });
});

Task("Run")
    .Description("Runs the main job end to end: a sample DMS bucket, the merge job over its pipeline, then a few rows of a result table.")
    .IsDependentOn("Build")
    .Does(() =>
{
    // Re-runnable: every run starts from an empty artifacts/demo (Build's __Clean removed it already; Run alone may not).
    if (DirectoryExists(demoDir))
    {
        DeleteDirectory(demoDir, new DeleteDirectorySettings { Recursive = true, Force = true });
    }
    EnsureDirectoryExists(demoDir);
    var pipeline = demoDir.CombineWithFilePath("pipeline.json");
    var summary = demoDir.CombineWithFilePath("summary.json");
    var orders = demoDir.Combine("lake/sales/orders");

    void Cdclake(string arguments)
    {
        Information("cdclake {0}", arguments);
        var exit = StartProcess("dotnet", new ProcessSettings { Arguments = $"\"{cliDll.FullPath}\" {arguments}" });
        if (exit != 0)
        {
            throw new CakeException($"'cdclake {arguments}' exited with {exit}.");
        }
    }

    Cdclake($"sample --out \"{demoDir.FullPath}\" --rows 1000 --batches 5");
    Cdclake($"run \"{pipeline.FullPath}\" --summary \"{summary.FullPath}\"");
    Information("Summary JSON: {0}", summary.FullPath);
    Cdclake($"hudi validate \"{orders.FullPath}\"");

    // A few rows of the result: `cdclake hudi show ... | head`, without a shell.
    Information("cdclake hudi show {0} --columns order_id,customer_id,status,total,order_month --format csv | head -6", orders.FullPath);
    StartProcess("dotnet", new ProcessSettings
    {
        Arguments = $"\"{cliDll.FullPath}\" hudi show \"{orders.FullPath}\" --columns order_id,customer_id,status,total,order_month --format csv",
        RedirectStandardOutput = true,
    }, out var rows);
    foreach (var row in rows.Take(6))
    {
        Console.WriteLine(row);
    }
});

Task("Default")
    .Description("= Test.")
    .IsDependentOn("Test");

///////////////////////////////////////////////////////////////////////////////
// EXECUTION
///////////////////////////////////////////////////////////////////////////////

RunTarget(target);
