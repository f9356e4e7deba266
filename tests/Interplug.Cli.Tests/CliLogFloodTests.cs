using System.Diagnostics;
using System.Globalization;

namespace Interplug.Cli.Tests;

/// <summary>
/// A plugin that logs faster than stderr is read must not grow the CLI: the console logger's queue
/// is bounded, and a full queue makes the plugin's log call wait for the reader.
/// </summary>
public sealed class CliLogFloodTests
{
    private const int Messages = 200;
    private const int MessageBytes = 1 << 20;
    private const long PeakBoundKiB = 400 * 1024;

    /// <summary><c>flood</c> logs <see cref="Messages"/> messages of <see cref="MessageBytes"/> 'a's at warn.</summary>
    private static readonly string Flood = $$"""
        (module
          (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
          (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
          (import "extism:host/env" "log_warn" (func $log_warn (param i64)))
          (func (export "flood") (result i32)
            (local $m i32) (local $h i64) (local $i i64)
            (loop $messages
              (local.set $h (call $alloc (i64.const {{MessageBytes}})))
              (local.set $i (i64.const 0))
              (loop $fill
                (call $store_u64 (i64.add (local.get $h) (local.get $i)) (i64.const 0x6161616161616161))
                (local.set $i (i64.add (local.get $i) (i64.const 8)))
                (br_if $fill (i64.lt_u (local.get $i) (i64.const {{MessageBytes}}))))
              (call $log_warn (local.get $h))
              (local.set $m (i32.add (local.get $m) (i32.const 1)))
              (br_if $messages (i32.lt_u (local.get $m) (i32.const {{Messages}}))))
            (i32.const 0)))
        """;

    [Fact]
    public async Task A_log_flood_into_a_slow_stderr_stays_bounded_and_loses_nothing()
    {
        using var dir = new TempDir();
        using var process = Cli.Start("call", dir.Write("flood.wasm", Flood), "flood");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var peak = Task.Run(() => PeakResidentKiB(process));

        // Nobody reads stderr for a while: the CLI's writes block on the full pipe while the plugin
        // goes on logging. Then the reader catches up, as fast as the 64 KiB pipe lets it: at exit
        // the console logger waits only 1.5 s for what it still holds.
        await Task.Delay(TimeSpan.FromSeconds(4));
        var lines = await CountLines(process.StandardError.BaseStream);
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
            await process.WaitForExitAsync(limit.Token);

        var peakKiB = await peak;
        Assert.True(peakKiB > 0, "the CLI's peak RSS could not be read from /proc");
        Assert.True(peakKiB < PeakBoundKiB, $"the CLI's peak RSS was {peakKiB / 1024} MiB");
        Assert.Equal(0, process.ExitCode);
        Assert.Equal("", await stdout);
        Assert.Equal(Messages, lines);
    }

    private static async Task<int> CountLines(Stream stderr)
    {
        var buffer = new byte[64 * 1024];
        var lines = 0;
        int read;
        while ((read = await stderr.ReadAsync(buffer)) > 0)
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        return lines;
    }

    /// <summary>The kernel's high-water mark of the process's resident set (VmHWM), last read before it exits.</summary>
    private static async Task<long> PeakResidentKiB(Process process)
    {
        var status = $"/proc/{process.Id}/status";
        long peak = 0;
        while (!process.HasExited)
        {
            try
            {
                foreach (var line in await File.ReadAllLinesAsync(status))
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                        peak = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // the process exited between the check and the read
            }
            await Task.Delay(20);
        }
        return peak;
    }
}
