namespace Interplug.Runtime.Manifests;

/// <summary>The <c>memory</c> section of a manifest.</summary>
public sealed record ManifestMemory
{
    /// <summary>Default for <see cref="MaxVarBytes"/>: 1 MiB, as in Extism.</summary>
    public const long DefaultMaxVarBytes = 1 << 20;

    /// <summary>
    /// What each var counts towards <see cref="MaxVarBytes"/> beyond its key and value: about what one entry costs in
    /// the host's heap, so that many tiny vars cannot hold many times the cap (262,000 three-byte keys once held 24.7 MiB
    /// under a 1 MiB cap). With it, the heap vars hold stays within about twice <see cref="MaxVarBytes"/>.
    /// </summary>
    public const long VarEntryOverheadBytes = 64;

    /// <summary>Default for <see cref="MaxHttpResponseBytes"/>: 50 MiB.</summary>
    public const long DefaultMaxHttpResponseBytes = 50L << 20;

    /// <summary>
    /// One budget of 64 KiB pages shared by every memory of the plugin, the kernel's included; null for no budget.
    /// Cannot be negative; a budget above 2^32 pages (256 TiB) is treated as 2^32 pages, far beyond what wasm32 memories can reach.
    /// </summary>
    public long? MaxPages { get; init; }

    /// <summary>
    /// Largest HTTP response body the plugin may receive, in bytes; cannot be negative. A body can never exceed
    /// the largest kernel block (just under 2 GiB), whatever this says.
    /// </summary>
    public long? MaxHttpResponseBytes { get; init; }

    /// <summary>
    /// Largest total size of the plugin's vars, in bytes: each var counts its UTF-8 key, its value and
    /// <see cref="VarEntryOverheadBytes"/>. 0 disables vars; cannot be negative.
    /// </summary>
    public long? MaxVarBytes { get; init; }
}
