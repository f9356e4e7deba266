namespace Interplug.Runtime.Env;

/// <summary>
/// A plugin instance's vars: they outlive calls, and their keys, values and a fixed cost per entry
/// (<see cref="Manifests.ManifestMemory.VarEntryOverheadBytes"/>) together stay under a byte cap.
/// Keys are the plugin's UTF-8 bytes, looked up without decoding them.
/// </summary>
internal sealed class VarStore
{
    private readonly long _maxBytes;
    private readonly Dictionary<byte[], byte[]> _vars = new(Utf8Keys.Comparer);
    private readonly Dictionary<byte[], byte[]>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private long _bytes;

    public VarStore(long maxBytes)
    {
        _maxBytes = maxBytes;
        _lookup = _vars.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public byte[]? Get(ReadOnlySpan<byte> key)
    {
        Utf8Keys.Validate(key, "var_get key");
        return _lookup.TryGetValue(key, out var value) ? value : null;
    }

    public void Set(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Utf8Keys.Validate(key, "var_set key");
        if (_maxBytes == 0)
            throw new PluginException(PluginErrorKind.LimitExceeded, "vars are disabled for this plugin (max_var_bytes is 0)");
        var old = _lookup.TryGetValue(key, out var storedKey, out var previous) ? Cost(key.Length, previous.Length) : 0;
        var total = _bytes - old + Cost(key.Length, value.Length);
        if (total > _maxBytes)
            throw new PluginException(PluginErrorKind.LimitExceeded,
                $"var \"{Utf8.Lossy(key)}\" would bring the plugin's vars to {total} bytes (keys, values and {Manifests.ManifestMemory.VarEntryOverheadBytes} per var), over max_var_bytes ({_maxBytes})");
        // A value of the same length is overwritten in place: a counter updated every call allocates nothing.
        // Get hands out the stored array only for the host to copy it into the plugin's memory at once.
        if (previous is not null && previous.Length == value.Length)
            value.CopyTo(previous);
        else if (storedKey is not null)
            _vars[storedKey] = value.ToArray();
        else
            _lookup[key] = value.ToArray();
        _bytes = total;
    }

    public void Remove(ReadOnlySpan<byte> key)
    {
        Utf8Keys.Validate(key, "var_set key");
        if (_lookup.Remove(key, out _, out var previous))
            _bytes -= Cost(key.Length, previous.Length);
    }

    private static long Cost(int keyBytes, int valueBytes) => Manifests.ManifestMemory.VarEntryOverheadBytes + keyBytes + valueBytes;
}
