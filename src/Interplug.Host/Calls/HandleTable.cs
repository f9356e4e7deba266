using Interplug.Runtime;

namespace Interplug.Host.Calls;

/// <summary>
/// Capabilities one process holds, like a file descriptor table: plugin handles, or tickets of
/// calls in flight. Numbers mean something only to their holder and are never reused, so a stale,
/// foreign or forged number finds nothing. Used only under the lock of the holder's <see cref="ProcessTree"/>.
/// </summary>
/// <param name="noun">What the numbers are, for messages: <c>plugin handle</c>.</param>
/// <param name="gone">How a number issued before can be gone, for messages: <c>already freed</c>.</param>
internal sealed class HandleTable<T>(string noun, string gone) where T : class
{
    private readonly Dictionary<long, T> _entries = [];
    private long _next = 1;

    public int Count => _entries.Count;

    // The concrete collection, so that enumerating it (at the end of every top-level call) boxes no enumerator.
    public Dictionary<long, T>.ValueCollection Values => _entries.Values;

    public long Add(T value)
    {
        var handle = _next++;
        _entries.Add(handle, value);
        return handle;
    }

    public T Get(long handle, string holder) =>
        _entries.TryGetValue(handle, out var value) ? value : throw Invalid(handle, holder);

    public T Remove(long handle, string holder) =>
        _entries.Remove(handle, out var value) ? value : throw Invalid(handle, holder);

    public void Clear() => _entries.Clear();

    private PluginException Invalid(long handle, string holder) =>
        new(PluginErrorKind.InvalidHandle, $"{holder} holds no {noun} {handle} (never issued to it, or {gone})");
}
