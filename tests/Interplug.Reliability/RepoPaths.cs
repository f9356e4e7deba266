namespace Interplug.Reliability;

/// <summary>Finds the repository's built plugins from wherever the program or test runs.</summary>
public static class RepoPaths
{
    /// <summary>plugins/dist of the repository that contains this build.</summary>
    public static string PluginsDist { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Interplug.slnx")))
                return Path.Combine(dir.FullName, "plugins", "dist");
        throw new DirectoryNotFoundException("cannot find the repository root (Interplug.slnx) above " + AppContext.BaseDirectory);
    }
}
