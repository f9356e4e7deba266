using Wasmtime;

namespace Interplug.Runtime;

/// <summary>Builds a plugin's WASI configuration: preopens from <c>allowed_paths</c>, stdio only when asked for.</summary>
internal static class WasiSetup
{
    private const string ReadOnlyPrefix = "ro:";

    public static WasiConfiguration Create(CompiledPlugin plugin)
    {
        var config = new WasiConfiguration();
        if (plugin.Options.InheritStdio)
            config.WithInheritedStandardOutput().WithInheritedStandardError();
        foreach (var (hostSpec, guest) in plugin.Manifest.AllowedPaths)
        {
            var readOnly = hostSpec.StartsWith(ReadOnlyPrefix, StringComparison.Ordinal);
            var host = readOnly ? hostSpec[ReadOnlyPrefix.Length..] : hostSpec;
            var full = Path.GetFullPath(host, plugin.Manifest.BaseDirectory ?? Environment.CurrentDirectory);
            if (!Directory.Exists(full))
                throw new PluginException(PluginErrorKind.InvalidManifest, $"allowed_paths: {full} is not a directory");
            config.WithPreopenedDirectory(full, guest, !readOnly);
        }
        return config;
    }
}
