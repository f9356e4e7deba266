namespace Interplug.Host;

/// <summary>
/// How many instances fit under Linux's per-process limit on memory mappings
/// (<c>vm.max_map_count</c>, 65,530 by default). Every instance costs several mappings (pool
/// slots of its memories, copy-on-write images of data segments), and when the process runs out
/// the .NET runtime itself aborts on its next mapping. Staying below the limit with room to spare
/// turns that crash into a <see cref="Runtime.PluginErrorKind.QuotaExceeded"/> on spawn.
/// </summary>
internal static class MemoryMapBudget
{
    // Measured: 8 mappings per idle count_vowels instance (two pool slots' worth per memory for
    // three memories, plus copy-on-write images); kept as the worst case.
    private const int MappingsPerInstance = 8;

    // Left for the .NET runtime (JIT, GC, threads) and everything else in the process.
    private const int Reserve = 16_384;

    /// <summary>The most instances that fit, or null where there is no such limit (not Linux, or unreadable).</summary>
    public static int? MaxInstances()
    {
        try
        {
            if (!OperatingSystem.IsLinux() || !File.Exists("/proc/sys/vm/max_map_count"))
                return null;
            var limit = long.Parse(File.ReadAllText("/proc/sys/vm/max_map_count").Trim(), System.Globalization.CultureInfo.InvariantCulture);
            var inUse = File.ReadLines("/proc/self/maps").LongCount();
            return (int)Math.Clamp((limit - inUse - Reserve) / MappingsPerInstance, 0, int.MaxValue);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>The current limit, for messages.</summary>
    public static string Describe() =>
        File.Exists("/proc/sys/vm/max_map_count") ? $"vm.max_map_count is {File.ReadAllText("/proc/sys/vm/max_map_count").Trim()}" : "no map-count limit";
}
