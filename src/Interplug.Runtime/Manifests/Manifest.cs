using System.Text.Json;
using System.Text.Json.Serialization;

namespace Interplug.Runtime.Manifests;

/// <summary>
/// An Extism manifest: where a plugin's WebAssembly comes from and what it may use.
/// Parse one with <see cref="Parse"/> or <see cref="FromFile"/>, or build one in code.
/// </summary>
public sealed record Manifest
{
    // Reflection-based on purpose: the source generator resets init-only properties that are
    // missing from the JSON to null instead of keeping their initialisers.
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>
    /// The modules of the plugin. The one named <c>main</c>, or else the last, is the plugin; the others are linked into
    /// its imports by name. Names must be unique.
    /// </summary>
    public IReadOnlyList<WasmSource> Wasm { get; init; } = [];

    /// <summary>Memory limits.</summary>
    public ManifestMemory Memory { get; init; } = new();

    /// <summary>Read-only configuration the plugin reads with <c>config_get</c>.</summary>
    public IReadOnlyDictionary<string, string> Config { get; init; } = new Dictionary<string, string>();

    /// <summary>Host name globs (<c>*</c> and <c>?</c>) the plugin may reach with <c>http_request</c>. Empty denies all.</summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>WASI preopens: host directory to guest path. A host directory prefixed <c>ro:</c> is read-only.</summary>
    public IReadOnlyDictionary<string, string> AllowedPaths { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Wall-clock limit of each call, in milliseconds; null for none. Must be positive; a limit too large to
    /// represent (beyond about 292 years) means no limit.
    /// </summary>
    public long? TimeoutMs { get; init; }

    /// <summary>Directory that relative <see cref="WasmSource.Path"/> values are resolved against; not part of the JSON.</summary>
    [JsonIgnore]
    public string? BaseDirectory { get; init; }

    /// <summary>A manifest for a single <c>.wasm</c> file.</summary>
    /// <param name="path">Path of the WebAssembly file.</param>
    public static Manifest FromWasmFile(string path) =>
        new() { Wasm = [new WasmSource { Path = Path.GetFullPath(path) }] };

    /// <summary>A manifest for a single in-memory module.</summary>
    /// <param name="wasm">The module's bytes (binary or text format).</param>
    /// <param name="name">The module's name, if it matters for linking.</param>
    public static Manifest FromBytes(ReadOnlyMemory<byte> wasm, string? name = null) =>
        new() { Wasm = [new WasmSource { Bytes = wasm, Name = name }] };

    /// <summary>Parses a manifest in Extism's JSON form.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="baseDirectory">Directory relative wasm paths are resolved against.</param>
    /// <exception cref="PluginException">
    /// Kind <see cref="PluginErrorKind.InvalidManifest"/> when the JSON does not describe a manifest, two modules share
    /// a name, or a limit is out of range (<c>timeout_ms</c> not positive, a memory limit negative).
    /// </exception>
    public static Manifest Parse(string json, string? baseDirectory = null)
    {
        Manifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<Manifest>(json, Json);
        }
        catch (JsonException e)
        {
            throw new PluginException(PluginErrorKind.InvalidManifest, $"invalid manifest JSON: {e.Message}", e);
        }
        if (manifest is null)
            throw new PluginException(PluginErrorKind.InvalidManifest, "manifest has no \"wasm\" entries");
        // An explicit JSON null means "not set".
        manifest = manifest with
        {
            Memory = manifest.Memory ?? new ManifestMemory(),
            Config = manifest.Config ?? new Dictionary<string, string>(),
            AllowedHosts = manifest.AllowedHosts ?? [],
            AllowedPaths = manifest.AllowedPaths ?? new Dictionary<string, string>(),
            BaseDirectory = baseDirectory,
        };
        ManifestRules.Check(manifest);
        return manifest;
    }

    /// <summary>Reads and parses a manifest file; relative wasm paths are resolved against its directory.</summary>
    /// <param name="path">Path of the JSON file.</param>
    /// <exception cref="PluginException">Kind <see cref="PluginErrorKind.InvalidManifest"/> when the file cannot be read or parsed.</exception>
    public static Manifest FromFile(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PluginException(PluginErrorKind.InvalidManifest, $"cannot read manifest {path}: {e.Message}", e);
        }
        return Parse(json, Path.GetDirectoryName(Path.GetFullPath(path)));
    }
}
