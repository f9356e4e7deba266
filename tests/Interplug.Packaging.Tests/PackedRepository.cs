using System.Reflection;

namespace Interplug.Packaging.Tests;

/// <summary>
/// The repository's packages, packed once for the test class from the projects <c>make build</c>
/// built, into a folder of their own, under a version no earlier run used.
/// </summary>
/// <remarks>
/// Why a unique version: the consuming projects restore through the machine's NuGet cache, so
/// that third-party packages (Wasmtime is 190 MB) are not downloaded again for every run; but the
/// cache serves a package id and version it already holds without looking at the source, so a
/// fixed version would test whatever an earlier run left there. The Interplug packages this run
/// adds to the cache are deleted when it ends.
/// </remarks>
public sealed class PackedRepository : IDisposable
{
    private static readonly string[] Ids = ["Interplug.Runtime", "Interplug.Host", "interplug"];

    private readonly TempDir _temp = new();

    public PackedRepository()
    {
        Version = $"0.0.0-test-{Guid.NewGuid():N}";
        Packages = _temp.Dir("packages");
        var configuration = BuildMetadata("Configuration");
        DotnetProcess.Succeeds("dotnet", RepoPaths.Root, "pack", "Interplug.slnx", "-c", configuration, "--no-build", "-nologo", "-v", "quiet",
            $"-p:PackageVersion={Version}", $"-p:PackageOutputPath={Packages}");
    }

    /// <summary>The version of the Microsoft.Extensions packages the repository builds with.</summary>
    public static string MicrosoftExtensionsVersion => BuildMetadata(nameof(MicrosoftExtensionsVersion));

    /// <summary>The version every package of this run has.</summary>
    public string Version { get; }

    /// <summary>The folder holding the packages.</summary>
    public string Packages { get; }

    /// <summary>The path of the package <paramref name="id"/>, with <paramref name="extension"/> (<c>nupkg</c> or <c>snupkg</c>).</summary>
    public string Package(string id, string extension = "nupkg") => Path.Combine(Packages, $"{id}.{Version}.{extension}");

    /// <summary>A fresh folder for one test.</summary>
    public string Dir(string name) => _temp.Dir(name);

    public void Dispose()
    {
        var cache = GlobalPackagesFolder();
        foreach (var id in Ids)
        {
            var versions = Path.Combine(cache, id.ToLowerInvariant());
            var restored = Path.Combine(versions, Version);
            if (Directory.Exists(restored))
                Directory.Delete(restored, recursive: true);
            if (Directory.Exists(versions) && !Directory.EnumerateFileSystemEntries(versions).Any())
                Directory.Delete(versions);
        }
        _temp.Dispose();
    }

    private static string BuildMetadata(string key) =>
        typeof(PackedRepository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private static string GlobalPackagesFolder()
    {
        // "global-packages: /root/.nuget/packages/"
        var listed = DotnetProcess.Succeeds("dotnet", Path.GetTempPath(), "nuget", "locals", "global-packages", "--list").Stdout;
        return listed[(listed.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }
}
