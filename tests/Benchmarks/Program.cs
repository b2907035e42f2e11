// Placeholder: the benchmarks are not written yet. Prints usage and exits 0 so that
// `./build.sh --target=Bench` works end to end.
Console.WriteLine("""
    CdcLake benchmarks (placeholder: no benchmarks are defined yet)

    Usage:
      ./build.sh --target=Bench [--bench-args="<arguments>"]
      dotnet run -c Release --project tests/Benchmarks -- <arguments>
    """);

if (args.Length > 0)
{
    Console.WriteLine($"Arguments received: {string.Join(' ', args)}");
}

return 0;
