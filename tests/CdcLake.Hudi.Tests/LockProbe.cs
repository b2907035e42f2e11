using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace CdcLake.Hudi.Tests;

/// <summary>
/// This test assembly's entry point (GenerateProgramFile is off): run as
/// <c>dotnet CdcLake.Hudi.Tests.dll lock-probe TABLE OWNER LEASE_MS</c> it is a second writer process for the
/// local lock tests. It tries to take the lock and prints one line: <c>acquired PID</c>, or <c>locked MESSAGE</c>
/// and exits with 3. Holding the lock, it obeys stdin: <c>release</c> releases and exits 0; <c>die</c> exits at
/// once without releasing, as a crashed writer would; end of input releases and exits.
/// </summary>
internal static class LockProbe
{
    public const int LockedExitCode = 3;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 4 || args[0] != "lock-probe")
        {
            await Console.Error.WriteLineAsync("usage: lock-probe TABLE OWNER LEASE_MS");
            return 2;
        }

        var provider = new LocalFileLockProvider(new LocalFileLockOptions
        {
            LeaseDuration = TimeSpan.FromMilliseconds(int.Parse(args[3], CultureInfo.InvariantCulture)),
        });
        ITableLock held;
        try
        {
            held = await provider.AcquireAsync(args[1], args[2]);
        }
        catch (TableLockedException e)
        {
            Console.WriteLine("locked " + e.Message.ReplaceLineEndings(" "));
            return LockedExitCode;
        }

        Console.WriteLine("acquired " + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        while (await Console.In.ReadLineAsync() is { } command)
        {
            switch (command.Trim())
            {
                case "release":
                    await held.ReleaseAsync();
                    Console.WriteLine("released");
                    return 0;
                case "die":
                    Environment.Exit(9);
                    break;
            }
        }

        await held.DisposeAsync();
        return 0;
    }

    /// <summary>Starts a probe on <paramref name="table"/>; read its first line to learn what happened.</summary>
    public static Process Start(string table, string owner, TimeSpan lease)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        var startInfo = new ProcessStartInfo(string.IsNullOrEmpty(host) ? "dotnet" : host)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        startInfo.ArgumentList.Add(typeof(LockProbe).Assembly.Location);
        startInfo.ArgumentList.Add("lock-probe");
        startInfo.ArgumentList.Add(table);
        startInfo.ArgumentList.Add(owner);
        startInfo.ArgumentList.Add(((long)lease.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        return Process.Start(startInfo) ?? throw new InvalidOperationException("could not start the lock probe");
    }

    /// <summary>The probe's first line, within a minute (a cold .NET start on a busy machine takes seconds).</summary>
    public static async Task<string> FirstLineAsync(Process probe)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var line = await probe.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null)
        {
            await probe.WaitForExitAsync(timeout.Token);
            throw new InvalidOperationException(
                $"The lock probe exited ({probe.ExitCode}) without a word: {await probe.StandardError.ReadToEndAsync(timeout.Token)}");
        }

        return line;
    }
}
