namespace Interplug.Benchmarks;

/// <summary>Finds files of the repository from wherever BenchmarkDotNet runs the benchmark process.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The repository root: the nearest directory above the benchmark's binaries that holds Interplug.slnx.</summary>
    public static string Root => RootPath.Value;

    /// <summary>The built guest plugin plugins/dist/<paramref name="name"/>.wasm; fails with a hint when it was not built.</summary>
    public static string Plugin(string name)
    {
        var path = Path.Combine(Root, "plugins", "dist", name + ".wasm");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} does not exist; build the plugins first (make -C plugins, or make bench)", path);
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Interplug.slnx")))
                return dir.FullName;
        }
        throw new DirectoryNotFoundException($"no Interplug.slnx in {AppContext.BaseDirectory} or any directory above it");
    }
}
