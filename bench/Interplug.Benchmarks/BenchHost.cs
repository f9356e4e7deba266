using System.Text;
using Interplug.Host;
using Interplug.Host.Catalog;
using Interplug.Host.Policy;
using Interplug.Runtime.Manifests;

namespace Interplug.Benchmarks;

/// <summary>
/// The Interplug side of the side-by-side benchmarks: a <see cref="PluginHost"/> over plugins/dist
/// whose policy lets every plugin spawn anything, with quotas large enough for the spawn loops and
/// the capacity run. Inputs and checks are shared by the BenchmarkDotNet classes and
/// <see cref="CapacityRun"/>, so both sides of a comparison run the same plugin calls as bench/peer.
/// </summary>
internal static class BenchHost
{
    /// <summary>The payload sizes of the sweep through call_plugin: 64 B, 4 KiB, 64 KiB, 1 MiB.</summary>
    public static readonly int[] SweepSizes = [64, 4 << 10, 64 << 10, 1 << 20];

    /// <summary>The config of bench_env on both hosts.</summary>
    public static readonly Dictionary<string, string> BenchEnvConfig = new() { ["vowels"] = "aeiouAEIOU" };

    /// <summary>The 13-byte input of the seed demo.</summary>
    public static ReadOnlySpan<byte> Hello => "Hello, World!"u8;

    /// <summary>
    /// A host whose policy allows any spawn, with up to <paramref name="maxChildren"/> live children
    /// per process. The host's own cap on live instances is 65,536 or more: a host may size an
    /// instance pool by it, so it is not set higher than a run needs.
    /// </summary>
    public static PluginHost Create(int maxChildren = 20_000, bool keepChildren = false) => new(Options(maxChildren, keepChildren));

    /// <summary>The options of <see cref="Create"/>, which each silo of the cluster benchmarks runs too.</summary>
    public static PluginHostOptions Options(int maxChildren = 20_000, bool keepChildren = false) => new()
    {
        // bench_env with the config its config_loop reads, as bench/peer gives it; the rest as built.
        Catalog = new PluginCatalog()
            .Add("bench_env", Manifest.FromWasmFile(RepoPaths.Plugin("bench_env")) with { Config = BenchEnvConfig })
            .AddDirectory(Path.Combine(RepoPaths.Root, "plugins", "dist")),
        Policy = new PluginPolicy
        {
            Defaults = new PolicyRule
            {
                MaxChildren = maxChildren,
                MaxDescendants = maxChildren,
                MaxDepth = 8,
                // 1 MiB echo: the caller's kernel holds payload and output, the callee its input,
                // the AssemblyScript copies and its output; 16 MiB is ample.
                MemoryMaxPages = 256,
                TimeoutMs = 600_000,
            },
            Plugins = new Dictionary<string, PolicyRule>
            {
                // A tree shares its root's memory budget: the caller's is room for tens of
                // thousands of idle children, each still held to the 16 MiB above.
                ["bench_caller"] = new PolicyRule { Spawn = ["*"], MemoryMaxPages = PolicyRule.MaxMemoryPagesLimit },
                ["*"] = new PolicyRule { Spawn = ["*"] },
            },
        },
        KeepChildrenBetweenCalls = keepChildren,
        MaxLiveInstances = Math.Max(65_536, maxChildren + 64),
    };

    /// <summary>The input of bench_caller's call_loop: "N callee export SIZE".</summary>
    public static byte[] CallLoopInput(int n, int size, string callee = "echo", string export = "echo") =>
        Encoding.ASCII.GetBytes($"{n} {callee} {export} {size}");

    /// <summary>The payload bench_caller's call_loop passes: byte i is (i * 131 + 7) &amp; 0xff.</summary>
    public static byte[] Payload(int size)
    {
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
            bytes[i] = (byte)((i * 131 + 7) & 0xff);
        return bytes;
    }

    /// <summary>Runs call_loop 3 times into <paramref name="callee"/>.<paramref name="export"/> and fails unless it received <paramref name="expectedBytes"/> (null: any non-zero count).</summary>
    public static void CheckLoop(PluginProcess caller, string callee, string export, int size, long? expectedBytes)
    {
        var total = Text(caller.Call("call_loop", CallLoopInput(3, size, callee, export)));
        var ok = expectedBytes is { } expected
            ? total == expected.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : long.TryParse(total, System.Globalization.CultureInfo.InvariantCulture, out var received) && received > 0;
        if (!ok)
            throw new InvalidOperationException($"call_loop 3 x {callee}.{export} {size} returned '{total}', expected {expectedBytes?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "a byte count"}");
    }

    /// <summary>Runs bench_caller's call_check on an echoing export at this size, and one call_loop, and fails unless both did what they claim.</summary>
    public static void CheckEcho(PluginProcess caller, int size, string callee = "echo", string export = "echo")
    {
        var check = Text(caller.Call("call_check", Encoding.ASCII.GetBytes($"{callee} {export} {size}")));
        if (check != $"ok {size}")
            throw new InvalidOperationException($"call_check {callee}.{export} {size} returned '{check}'");
        var total = Text(caller.Call("call_loop", CallLoopInput(3, size, callee, export)));
        if (total != (3L * size).ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new InvalidOperationException($"call_loop 3 x {callee}.{export} {size} returned '{total}', expected {3L * size}");
    }

    /// <summary>Calls and fails unless the output is <paramref name="expected"/>.</summary>
    public static void Expect(PluginProcess process, string export, string input, string expected)
    {
        var output = Text(process.Call(export, Encoding.ASCII.GetBytes(input)));
        if (output != expected)
            throw new InvalidOperationException($"{process.Name}.{export}(\"{input}\") returned '{output}', expected '{expected}'");
    }

    public static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
