namespace Interplug.Runtime.Manifests;

/// <summary>
/// The checks every manifest passes, whether parsed or built in code, and the one rule for which
/// module is the plugin. Both the runtime and the host's catalog (which pins the main module's
/// hash) use <see cref="MainIndex"/>, so they can never disagree on which module runs.
/// </summary>
internal static class ManifestRules
{
    /// <summary>The name that marks the plugin among a manifest's modules.</summary>
    public const string MainName = "main";

    /// <summary>The index of the plugin's module: the one named <c>main</c>, or else the last.</summary>
    /// <remarks>Module names are unique once <see cref="Check"/> has passed, so "the one named main" is well defined.</remarks>
    public static int MainIndex(IReadOnlyList<WasmSource> wasm)
    {
        for (var i = 0; i < wasm.Count; i++)
            if (wasm[i].Name == MainName)
                return i;
        return wasm.Count - 1;
    }

    /// <exception cref="PluginException">Kind <see cref="PluginErrorKind.InvalidManifest"/> naming the first rule the manifest breaks.</exception>
    public static void Check(Manifest manifest)
    {
        if (manifest.Wasm is not { Count: > 0 } wasm || wasm.Any(w => w is null))
            throw Invalid("manifest has no \"wasm\" entries");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in wasm)
            if (source.Name is { } name && !names.Add(name))
                throw Invalid($"two wasm entries are named \"{name}\"; module names must be unique");
        if (manifest.TimeoutMs is <= 0)
            throw Invalid($"timeout_ms must be positive (or absent for no timeout), not {manifest.TimeoutMs}");
        var memory = manifest.Memory;
        if (memory.MaxPages is < 0)
            throw Invalid($"memory.max_pages cannot be negative ({memory.MaxPages})");
        if (memory.MaxVarBytes is < 0)
            throw Invalid($"memory.max_var_bytes cannot be negative ({memory.MaxVarBytes})");
        if (memory.MaxHttpResponseBytes is < 0)
            throw Invalid($"memory.max_http_response_bytes cannot be negative ({memory.MaxHttpResponseBytes})");
    }

    private static PluginException Invalid(string message) => new(PluginErrorKind.InvalidManifest, message);
}
