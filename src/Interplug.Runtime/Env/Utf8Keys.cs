namespace Interplug.Runtime.Env;

/// <summary>
/// Compares byte-array keys by content, and lets a dictionary keyed by them be searched with the
/// bytes a plugin passed, still in its memory, without decoding or copying them.
/// </summary>
internal sealed class Utf8Keys : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly Utf8Keys Comparer = new();

    private Utf8Keys()
    {
    }

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    // HashCode is seeded per process, so a plugin cannot pick keys that collide on purpose.
    public int GetHashCode(ReadOnlySpan<byte> alternate)
    {
        var hash = new HashCode();
        hash.AddBytes(alternate);
        return hash.ToHashCode();
    }

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

    /// <summary>Fails with <see cref="PluginErrorKind.InvalidArgument"/> unless <paramref name="key"/> is valid UTF-8; <paramref name="what"/> names it.</summary>
    public static void Validate(ReadOnlySpan<byte> key, string what)
    {
        if (!System.Text.Unicode.Utf8.IsValid(key))
            throw new PluginException(PluginErrorKind.InvalidArgument, $"{what} is not valid UTF-8");
    }
}
