namespace Interplug.Runtime.Env;

/// <summary>
/// A plugin instance's vars: they outlive calls, and their keys, values and a fixed cost per entry
/// (<see cref="Manifests.ManifestMemory.VarEntryOverheadBytes"/>) together stay under a byte cap.
/// </summary>
internal sealed class VarStore(long maxBytes)
{
    private readonly Dictionary<string, byte[]> _vars = new(StringComparer.Ordinal);
    private long _bytes;

    public byte[]? Get(string key) => _vars.GetValueOrDefault(key);

    public void Set(string key, ReadOnlySpan<byte> value)
    {
        if (maxBytes == 0)
            throw new PluginException(PluginErrorKind.LimitExceeded, "vars are disabled for this plugin (max_var_bytes is 0)");
        var keyBytes = System.Text.Encoding.UTF8.GetByteCount(key);
        var old = _vars.TryGetValue(key, out var previous) ? Cost(keyBytes, previous.Length) : 0;
        var total = _bytes - old + Cost(keyBytes, value.Length);
        if (total > maxBytes)
            throw new PluginException(PluginErrorKind.LimitExceeded,
                $"var \"{key}\" would bring the plugin's vars to {total} bytes (keys, values and {Manifests.ManifestMemory.VarEntryOverheadBytes} per var), over max_var_bytes ({maxBytes})");
        _vars[key] = value.ToArray();
        _bytes = total;
    }

    public void Remove(string key)
    {
        if (_vars.Remove(key, out var previous))
            _bytes -= Cost(System.Text.Encoding.UTF8.GetByteCount(key), previous.Length);
    }

    private static long Cost(int keyBytes, int valueBytes) => Manifests.ManifestMemory.VarEntryOverheadBytes + keyBytes + valueBytes;
}
