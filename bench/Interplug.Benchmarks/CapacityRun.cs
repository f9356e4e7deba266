using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Interplug.Runtime;

namespace Interplug.Benchmarks;

/// <summary>
/// Console mode <c>--capacity</c>: how many live idle instances one host process holds, and the
/// resident memory each costs. bench_caller's spawn_loop registers count_vowels in batches (the
/// host keeps children between calls), until the target, a failure, or the RSS limit. RSS growth
/// over the baseline (after count_vowels was compiled) divided by the instances added is the
/// figure per instance. Not BenchmarkDotNet: this is one measurement of a state, not a timing.
/// </summary>
internal static class CapacityRun
{
    private const long GiB = 1L << 30;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Run(string[] args)
    {
        var target = Option(args, "--target", 60_000);
        var batch = Option(args, "--batch", 1_000);
        var rssLimit = (long)(Option(args, "--rss-limit-gib", 20.0) * GiB);
        var output = OptionText(args, "--out");

        using var host = BenchHost.Create(maxChildren: target + 1, keepChildren: true);
        var caller = host.Start("bench_caller");
        BenchHost.Expect(caller, "spawn_loop", "1 count_vowels", "spawned 1"); // compiles count_vowels
        var live0 = host.LiveInstances;
        var rss0 = SettledRss();
        var vm0 = Proc("VmSize");
        var maps0 = MapCount();
        var maxMaps = MaxMapCount();
        Console.WriteLine($"capacity: baseline {live0} live instances, RSS {Mb(rss0)}, target {target}, batch {batch}, RSS limit {Mb(rssLimit)}");

        var batches = new List<object>();
        var clock = Stopwatch.StartNew();
        string stop = "target reached";
        string? error = null;
        var spawned = 0;
        while (spawned < target)
        {
            var rss = Rss();
            var perInstance = spawned == 0 ? 0 : (double)(rss - rss0) / spawned;
            // The first batch is small, to learn the cost per instance before committing to more.
            var n = Math.Min(spawned == 0 ? Math.Min(batch, 100) : batch, target - spawned);
            // Stop before the RSS limit. And before Linux's cap on a process's memory mappings
            // (vm.max_map_count): passing it is no clean failure, the .NET runtime aborts the
            // process when its next mapping fails. Near either limit the batch shrinks to what
            // fits, keeping room for the runtime's own mappings (JIT, GC, thread stacks).
            var maps = MapCount();
            var mapsPerInstance = spawned == 0 ? 0 : (double)(maps - maps0) / spawned;
            if (perInstance > 0)
                n = (int)Math.Min(n, (rssLimit - rss) / (perInstance * 1.25));
            if (maxMaps > 0 && mapsPerInstance > 0)
                n = (int)Math.Min(n, (maxMaps - MapHeadroom - maps) / (mapsPerInstance * 1.1));
            if (n <= 0)
            {
                stop = rss + perInstance * 1.25 > rssLimit
                    ? $"RSS limit: {Mb(rss)} now, next instance would pass {Mb(rssLimit)}"
                    : $"vm.max_map_count: {maps} memory mappings now ({mapsPerInstance:F1} per instance), the limit is {maxMaps}";
                break;
            }
            var before = host.LiveInstances;
            var t = clock.Elapsed.TotalSeconds;
            try
            {
                BenchHost.Expect(caller, "spawn_loop", $"{n} count_vowels", $"spawned {n}");
            }
            catch (PluginException e)
            {
                stop = "spawn failed";
                error = $"{e.Kind}: {e.Message}";
            }
            spawned += host.LiveInstances - before;
            rss = Rss();
            batches.Add(new { live = host.LiveInstances, rss_bytes = rss, seconds = Math.Round(clock.Elapsed.TotalSeconds - t, 3) });
            // One line per batch, flushed: if the process dies (a native abort cannot be caught),
            // the log still shows how far it got.
            Console.WriteLine($"capacity: {host.LiveInstances} live, RSS {Mb(rss)}, {MapCount()} mappings, batch {clock.Elapsed.TotalSeconds - t:F2} s");
            Console.Out.Flush();
            if (error is not null)
                break;
        }
        var spawnSeconds = clock.Elapsed.TotalSeconds;

        // The host must still serve calls with all of them alive.
        using (var probe = host.Start("count_vowels"))
            if (!BenchHost.Text(probe.Call("count_vowels", BenchHost.Hello)).StartsWith("{\"count\":3,", StringComparison.Ordinal))
                throw new InvalidOperationException("count_vowels answered wrongly with the host full");

        if (OptionText(args, "--dump-maps") is { } dump && File.Exists("/proc/self/maps"))
            File.Copy("/proc/self/maps", dump, overwrite: true); // to see which mappings an instance costs
        var live = host.LiveInstances - live0;
        var rssEnd = SettledRss();
        var vmEnd = Proc("VmSize");
        var mapsEnd = MapCount();
        var bytesPer = live == 0 ? 0 : (double)(rssEnd - rss0) / live;
        Console.WriteLine($"capacity: {live} instances added in {spawnSeconds:F1} s ({stop}{(error is null ? "" : ": " + error)})");
        Console.WriteLine($"capacity: RSS {Mb(rss0)} -> {Mb(rssEnd)}, {bytesPer / 1024:F1} KiB per instance; virtual {Mb(vm0)} -> {Mb(vmEnd)}; {maps0} -> {mapsEnd} memory mappings");

        clock.Restart();
        caller.Dispose();
        var freeSeconds = clock.Elapsed.TotalSeconds;

        var result = new
        {
            host = "interplug",
            spawned_by = "bench_caller spawn_loop (register_plugin) of count_vowels, host keeps children",
            target,
            batch,
            rss_limit_bytes = rssLimit,
            reached = live,
            stop_reason = stop,
            error,
            rss_start_bytes = rss0,
            rss_end_bytes = rssEnd,
            bytes_per_instance = Math.Round(bytesPer),
            vm_start_bytes = vm0,
            vm_end_bytes = vmEnd,
            memory_mappings_start = maps0,
            memory_mappings = mapsEnd,
            max_map_count = maxMaps,
            spawn_seconds = Math.Round(spawnSeconds, 3),
            free_seconds = Math.Round(freeSeconds, 3),
            batches,
        };
        if (output is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
            File.WriteAllText(output, JsonSerializer.Serialize(result, Indented));
            Console.WriteLine($"capacity: wrote {output}");
        }
        return 0;
    }

    private static long SettledRss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Rss();
    }

    private static long Rss() => OperatingSystem.IsLinux() ? Proc("VmRSS") : Environment.WorkingSet;

    /// <summary>A "kB" field of /proc/self/status, in bytes; 0 where there is none.</summary>
    private static long Proc(string field)
    {
        if (!File.Exists("/proc/self/status"))
            return 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        return 0;
    }

    /// <summary>Mappings left for the .NET runtime (JIT, GC, thread stacks) when the capacity run stops.</summary>
    private const int MapHeadroom = 2_000;

    private static long MaxMapCount() =>
        File.Exists("/proc/sys/vm/max_map_count") ? long.Parse(File.ReadAllText("/proc/sys/vm/max_map_count").Trim(), CultureInfo.InvariantCulture) : 0;

    private static int MapCount() => File.Exists("/proc/self/maps") ? File.ReadLines("/proc/self/maps").Count() : 0;

    private static string Mb(long bytes) => $"{bytes / 1048576.0:F0} MiB";

    private static string? OptionText(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int Option(string[] args, string name, int fallback) =>
        OptionText(args, name) is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : fallback;

    private static double Option(string[] args, string name, double fallback) =>
        OptionText(args, name) is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : fallback;
}
