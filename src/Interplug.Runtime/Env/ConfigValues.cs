namespace Interplug.Runtime.Env;

/// <summary>
/// A manifest's config as UTF-8, encoded once per compiled plugin so that <c>config_get</c> only
/// looks the plugin's key bytes up and copies the value out.
/// </summary>
internal sealed class ConfigValues
{
    private readonly Dictionary<byte[], byte[]>.AlternateLookup<ReadOnlySpan<byte>> _values;

    public ConfigValues(IReadOnlyDictionary<string, string> config)
    {
        var values = new Dictionary<byte[], byte[]>(config.Count, Utf8Keys.Comparer);
        foreach (var (key, value) in config)
            values[System.Text.Encoding.UTF8.GetBytes(key)] = System.Text.Encoding.UTF8.GetBytes(value);
        _values = values.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>The value of <paramref name="key"/>, or null; a key that is not UTF-8 fails as it always did.</summary>
    public byte[]? Get(ReadOnlySpan<byte> key)
    {
        if (_values.TryGetValue(key, out var value))
            return value;
        // Only a miss can be invalid UTF-8: every stored key is valid.
        Utf8Keys.Validate(key, "config_get key");
        return null;
    }
}
