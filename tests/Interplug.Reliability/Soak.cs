using System.Diagnostics;
using System.Text;
using Interplug.Host;
using Interplug.Host.Catalog;
using Interplug.Host.Policy;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Reliability;

/// <summary>How long and how hard to soak.</summary>
/// <param name="Duration">Total run time, warm-up included.</param>
/// <param name="Threads">Worker threads, each running independent top-level calls.</param>
/// <param name="Seed">Seed of the scenario mix.</param>
public sealed record SoakOptions(TimeSpan Duration, int Threads = 2, int Seed = 1)
{
    /// <summary>The first fifth of the run warms up; memory is compared from its end.</summary>
    public TimeSpan WarmUp => Duration / 5;
}

/// <summary>What a soak run saw.</summary>
public sealed class SoakReport
{
    /// <summary>Top-level calls made, by scenario.</summary>
    public SortedDictionary<string, long> Calls { get; } = new(StringComparer.Ordinal);

    /// <summary>Calls that ended as their scenario expects: a result, or a failure of the expected kind.</summary>
    public long AsExpected { get; set; }

    /// <summary>Of those, the ones that were expected failures (injected faults).</summary>
    public long ExpectedFailures { get; set; }

    /// <summary>Calls that ended otherwise; each line names the scenario and what happened.</summary>
    public List<string> Unexpected { get; } = [];

    /// <summary>Resident memory when the warm-up ended.</summary>
    public long ResidentAfterWarmUp { get; set; }

    /// <summary>Resident memory at the end.</summary>
    public long ResidentAtEnd { get; set; }

    /// <summary>Managed heap after a full collection when the warm-up ended.</summary>
    public long ManagedAfterWarmUp { get; set; }

    /// <summary>Managed heap after a full collection at the end.</summary>
    public long ManagedAtEnd { get; set; }

    /// <summary>Memory mappings of the process when the warm-up ended (Linux; 0 elsewhere).</summary>
    public int MappingsAfterWarmUp { get; set; }

    /// <summary>Memory mappings of the process at the end (Linux; 0 elsewhere). A leaked instance leaves several.</summary>
    public int MappingsAtEnd { get; set; }

    /// <summary>Whether a worker stopped making progress for longer than the watchdog allows.</summary>
    public bool Stalled { get; set; }

    /// <summary>Instances alive after every worker finished; must be 0.</summary>
    public int LiveInstancesAtEnd { get; set; }

    /// <summary>Wall-clock time of the run.</summary>
    public TimeSpan Elapsed { get; set; }

    /// <summary>Change of resident memory from the end of the warm-up to the end, as a fraction.</summary>
    public double ResidentGrowth => ResidentAfterWarmUp == 0 ? 0 : (double)(ResidentAtEnd - ResidentAfterWarmUp) / ResidentAfterWarmUp;

    /// <summary>Every call: as expected plus unexpected.</summary>
    public long Total => Calls.Values.Sum();

    /// <summary>A few lines for people.</summary>
    public override string ToString() =>
        $"{Elapsed.TotalSeconds:0} s, {Total} calls ({string.Join(", ", Calls.Select(c => $"{c.Key} {c.Value}"))}), " +
        $"as expected {AsExpected} (of which injected faults {ExpectedFailures}), unexpected {Unexpected.Count}, " +
        $"resident {ResidentAfterWarmUp / 1048576.0:0.0} MiB after warm-up → {ResidentAtEnd / 1048576.0:0.0} MiB at end ({ResidentGrowth:+0.0%;-0.0%}), " +
        $"managed heap {ManagedAfterWarmUp / 1048576.0:0.0} → {ManagedAtEnd / 1048576.0:0.0} MiB, mappings {MappingsAfterWarmUp} → {MappingsAtEnd}, " +
        $"stalled {Stalled}, live instances at end {LiveInstancesAtEnd}";
}

/// <summary>
/// Runs top-level calls on several threads for a while: chains, spawn and free storms, quota
/// hits, and injected faults (traps, timeouts, memory bombs, policy denials) deep in chains.
/// Every call must end exactly as its scenario expects; memory must stay flat after warm-up;
/// no worker may stall.
/// </summary>
public static class Soak
{
    private static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(30);

    private static readonly Scenario[] Scenarios =
    [
        new("chain", "relay", "chain", "relay,relay", Output: "relay(relay(end))"),
        new("spawn-free", "relay", "spawn_free", "50 echo", Output: "ok 50"),
        new("quota", "relay", "spawn_many", "100 echo", OutputStart: "spawned 8; error -22"),
        new("count-vowels", "count_vowels", "count_vowels", "Hello, World!", OutputStart: "{\"count\":3"),
        new("trap-in-chain", "relay", "chain", "relay,faulty", Fails: PluginErrorKind.Trap),
        new("trap-handled", "relay", "try_chain", "relay,faulty", OutputStart: "relay(error -1: relay → relay → faulty"),
        new("timeout-in-chain", "relay", "chain", "relay,sleepy", Fails: PluginErrorKind.Timeout),
        new("memory-bomb-in-chain", "relay", "chain", "hungry", Fails: PluginErrorKind.OutOfMemory),
        new("denied", "relay", "chain", "forbidden", Fails: PluginErrorKind.PermissionDenied),
        new("depth", "relay", "self_call", "", OutputStart: "error -21"),
    ];

    /// <summary>A host with the soak's plugins and policy.</summary>
    public static PluginHost CreateHost() => new(new PluginHostOptions
    {
        Catalog = new PluginCatalog()
            .Add("faulty", Wat("(func $f (result i32) unreachable) (export \"chain\" (func $f)) (export \"try_chain\" (func $f))"))
            .Add("sleepy", Wat("(func (export \"chain\") (result i32) (loop $l (br $l)) (i32.const 0))"))
            .Add("hungry", Wat("(memory (export \"memory\") 1) (func (export \"chain\") (result i32) (loop $l (br_if $l (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) unreachable)"))
            .Add("forbidden", Wat("(func (export \"chain\") (result i32) (i32.const 0))"))
            .AddDirectory(RepoPaths.PluginsDist),
        Policy = new PluginPolicy
        {
            Defaults = new PolicyRule { MaxChildren = 8, MaxDescendants = 16, MaxDepth = 6, MemoryMaxPages = 64, TimeoutMs = 5_000 },
            Plugins = new Dictionary<string, PolicyRule>
            {
                ["relay"] = new() { Spawn = ["relay", "echo", "faulty", "sleepy", "hungry"] },
                ["sleepy"] = new() { TimeoutMs = 20 },
                ["hungry"] = new() { MemoryMaxPages = 32 },
            },
        },
        MaxLiveInstances = 4_096,
    });

    /// <summary>Runs the soak; <paramref name="progress"/> hears a line every few seconds.</summary>
    public static SoakReport Run(SoakOptions options, Action<string>? progress = null)
    {
        var report = new SoakReport();
        var clock = Stopwatch.StartNew();
        var progressMarks = new long[options.Threads];
        using var host = CreateHost();
        var workers = Enumerable.Range(0, options.Threads).Select(t => new Thread(() =>
        {
            var random = new Random(options.Seed * 31 + t);
            while (clock.Elapsed < options.Duration)
            {
                var scenario = Scenarios[random.Next(Scenarios.Length)];
                var outcome = scenario.Run(host);
                lock (report)
                {
                    report.Calls[scenario.Name] = report.Calls.GetValueOrDefault(scenario.Name) + 1;
                    if (outcome is null)
                    {
                        report.AsExpected++;
                        if (scenario.Fails is not null)
                            report.ExpectedFailures++;
                    }
                    else if (report.Unexpected.Count < 100)
                    {
                        report.Unexpected.Add($"{scenario.Name}: {outcome}");
                    }
                }
                Interlocked.Increment(ref progressMarks[t]);
            }
        }) { IsBackground = true, Name = $"soak-{t}" }).ToArray();
        foreach (var worker in workers)
            worker.Start();

        var warmedUp = false;
        var lastMarks = new long[options.Threads];
        var lastChange = new TimeSpan[options.Threads];
        var lastReport = TimeSpan.Zero;
        while (workers.Any(w => w.IsAlive))
        {
            Thread.Sleep(200);
            if (!warmedUp && clock.Elapsed >= options.WarmUp)
            {
                report.ResidentAfterWarmUp = Resident();
                report.ManagedAfterWarmUp = GC.GetTotalMemory(forceFullCollection: true);
                report.MappingsAfterWarmUp = Mappings();
                warmedUp = true;
            }
            for (var t = 0; t < options.Threads; t++)
            {
                var mark = Interlocked.Read(ref progressMarks[t]);
                if (mark != lastMarks[t])
                    (lastMarks[t], lastChange[t]) = (mark, clock.Elapsed);
                else if (clock.Elapsed - lastChange[t] > StallLimit)
                    report.Stalled = true;
            }
            if (report.Stalled)
                break;
            if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(10))
            {
                lastReport = clock.Elapsed;
                lock (report)
                    progress?.Invoke($"{clock.Elapsed.TotalSeconds:0} s: {report.Total} calls, unexpected {report.Unexpected.Count}, resident {Resident() / 1048576.0:0.0} MiB");
            }
        }
        report.ResidentAtEnd = Resident();
        report.ManagedAtEnd = GC.GetTotalMemory(forceFullCollection: true);
        report.MappingsAtEnd = Mappings();
        report.LiveInstancesAtEnd = host.LiveInstances;
        report.Elapsed = clock.Elapsed;
        return report;
    }

    private static long Resident()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }

    private static int Mappings() =>
        OperatingSystem.IsLinux() ? File.ReadLines("/proc/self/maps").Count() : 0;

    private static Manifest Wat(string body) => Manifest.FromBytes(Encoding.UTF8.GetBytes($"(module {body})"));

    private sealed record Scenario(string Name, string Plugin, string Export, string Input, string? Output = null, string? OutputStart = null, PluginErrorKind? Fails = null)
    {
        /// <summary>Null when the call ended as expected, else what happened instead.</summary>
        public string? Run(PluginHost host)
        {
            try
            {
                var output = Encoding.UTF8.GetString(host.Run(Plugin, Export, Encoding.UTF8.GetBytes(Input)));
                if (Fails is { } kind)
                    return $"expected {kind}, got output \"{output}\"";
                if (Output is not null && output != Output)
                    return $"expected \"{Output}\", got \"{output}\"";
                if (OutputStart is not null && !output.StartsWith(OutputStart, StringComparison.Ordinal))
                    return $"expected output starting \"{OutputStart}\", got \"{output}\"";
                return null;
            }
            catch (PluginException e)
            {
                return e.Kind == Fails ? null : $"{e.Kind}: {e.Message}";
            }
#pragma warning disable CA1031 // an exception of any other type is exactly what the soak looks for
            catch (Exception e)
#pragma warning restore CA1031
            {
                return $"{e.GetType().Name}: {e.Message}";
            }
        }
    }
}
