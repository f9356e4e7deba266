namespace Interplug.Testing;

/// <summary>Finds the repository, and its built plugins, from wherever a test or tool runs.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootDirectory = new(Find);

    /// <summary>The repository root: the folder holding Interplug.slnx above this build.</summary>
    public static string Root => RootDirectory.Value;

    /// <summary>plugins/dist of the repository, where <c>make build</c> puts the plugins.</summary>
    public static string PluginsDist => Path.Combine(Root, "plugins", "dist");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Interplug.slnx")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"Interplug.slnx not found above {AppContext.BaseDirectory}");
    }
}
