using System.Diagnostics;
using Interplug.Host;
using Interplug.Host.Catalog;
using Interplug.Host.Policy;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Reliability;

/// <summary>How long and from which seed to fuzz.</summary>
/// <param name="Seed">Run i uses program seed <c>Seed * 1_000_003 + i</c>, so any failure replays alone.</param>
/// <param name="Runs">Top-level calls of the fuzz driver.</param>
/// <param name="StepsPerRun">Boundary calls per driver call.</param>
public sealed record FuzzOptions(int Seed, int Runs, int StepsPerRun = 32);

/// <summary>What a fuzz run saw. <see cref="Unexpected"/> must be empty.</summary>
public sealed class FuzzReport
{
    /// <summary>Driver calls made.</summary>
    public long Runs { get; set; }

    /// <summary>Boundary calls generated (steps in all programs).</summary>
    public long StepsGenerated { get; set; }

    /// <summary>Boundary calls known to have completed: all steps of the driver calls that returned.</summary>
    public long StepsCompleted { get; set; }

    /// <summary>Driver calls that returned normally.</summary>
    public long Succeeded { get; set; }

    /// <summary>Driver calls that failed with a typed <see cref="PluginException"/>, by kind.</summary>
    public SortedDictionary<PluginErrorKind, long> FailedByKind { get; } = [];

    /// <summary>Anything else: an exception of another type, a broken invariant. Each names its seed.</summary>
    public List<string> Unexpected { get; } = [];

    /// <summary>Wall-clock time of the run.</summary>
    public TimeSpan Elapsed { get; set; }

    /// <summary>A few lines for people.</summary>
    public override string ToString() =>
        $"runs {Runs}, boundary calls generated {StepsGenerated}, completed {StepsCompleted}, " +
        $"driver calls ok {Succeeded}, typed failures {string.Join(", ", FailedByKind.Select(k => $"{k.Key} {k.Value}"))}, " +
        $"unexpected {Unexpected.Count}, {Elapsed.TotalSeconds:0.0} s";
}

/// <summary>
/// Fuzzes the boundary between plugins and the host: the fuzz driver plugin executes random
/// programs of kernel, env and inter-plugin calls. Every driver call must either return or fail
/// with a <see cref="PluginException"/>; afterwards no instance may be left alive and a sibling
/// plugin must still answer.
/// </summary>
public static class Fuzzer
{
    private const string Driver = "fuzz_driver";

    /// <summary>The driver's source, for catalogs of tests and tools.</summary>
    public static string DriverSource { get; } = ReadDriver();

    /// <summary>A host whose policy lets the driver reach echo, relay and itself, within tight limits.</summary>
    public static PluginHost CreateHost() => new(new PluginHostOptions
    {
        Catalog = new PluginCatalog()
            .Add(Driver, Manifest.FromBytes(System.Text.Encoding.UTF8.GetBytes(DriverSource)) with
            {
                Config = new Dictionary<string, string> { ["k"] = "v" },
            })
            .AddDirectory(RepoPaths.PluginsDist),
        Policy = new PluginPolicy
        {
            Defaults = new PolicyRule { MaxChildren = 4, MaxDescendants = 8, MaxDepth = 4, MemoryMaxPages = 64, TimeoutMs = 2_000, Fuel = 50_000_000 },
            Plugins = new Dictionary<string, PolicyRule>
            {
                [Driver] = new() { Spawn = ["echo", "relay", Driver] },
                ["relay"] = new() { Spawn = ["relay", "echo"] },
            },
        },
        MaxLiveInstances = 4_096,
    });

    /// <summary>Runs the fuzzer; <paramref name="progress"/> hears a line now and then.</summary>
    public static FuzzReport Run(FuzzOptions options, Action<string>? progress = null)
    {
        var report = new FuzzReport();
        var clock = Stopwatch.StartNew();
        using var host = CreateHost();
        for (var i = 0; i < options.Runs; i++)
        {
            var seed = (options.Seed * 1_000_003L) + i;
            var program = FuzzProgram.Generate(new Random(unchecked((int)seed)), options.StepsPerRun);
            report.Runs++;
            report.StepsGenerated += options.StepsPerRun;
            try
            {
                var output = host.Run(Driver, "run", program);
                report.Succeeded++;
                report.StepsCompleted += BitConverter.ToInt64(output);
            }
            catch (PluginException e)
            {
                report.FailedByKind[e.Kind] = report.FailedByKind.GetValueOrDefault(e.Kind) + 1;
            }
#pragma warning disable CA1031 // Anything else is exactly what the fuzzer looks for: record it, with its seed.
            catch (Exception e)
#pragma warning restore CA1031
            {
                report.Unexpected.Add($"seed {seed}: {e.GetType().Name}: {e.Message}");
            }

            if (host.LiveInstances != 0)
                report.Unexpected.Add($"seed {seed}: {host.LiveInstances} instances still alive after the call returned");
            if (i % 500 == 499)
            {
                CheckSibling(host, seed, report);
                progress?.Invoke($"{i + 1} runs: {report}");
            }
        }
        CheckSibling(host, -1, report);
        report.Elapsed = clock.Elapsed;
        return report;
    }

    private static void CheckSibling(PluginHost host, long seed, FuzzReport report)
    {
        var output = host.Run("echo", "echo", "still here"u8);
        if (!output.AsSpan().SequenceEqual("still here"u8))
            report.Unexpected.Add($"after seed {seed}: a sibling plugin answered wrongly");
    }

    private static string ReadDriver()
    {
        using var stream = typeof(Fuzzer).Assembly.GetManifestResourceStream("fuzz_driver.wat")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
