using Interplug.Runtime;

namespace Interplug.Host.Calls;

/// <summary>
/// The handles one process holds, like a file descriptor table: numbers mean something only to
/// their holder and are never reused, so a stale, foreign or forged number finds nothing.
/// Used only under the lock of the holder's <see cref="ProcessTree"/>.
/// </summary>
internal sealed class HandleTable
{
    private readonly Dictionary<long, PluginProcess> _entries = [];
    private long _next = 1;

    // The concrete collection, so that enumerating it (at the end of every top-level call) boxes no enumerator.
    public Dictionary<long, PluginProcess>.ValueCollection Processes => _entries.Values;

    public long Add(PluginProcess process)
    {
        var handle = _next++;
        _entries.Add(handle, process);
        return handle;
    }

    public PluginProcess Get(long handle, string holder) =>
        _entries.TryGetValue(handle, out var process) ? process : throw Invalid(handle, holder);

    public PluginProcess Remove(long handle, string holder) =>
        _entries.Remove(handle, out var process) ? process : throw Invalid(handle, holder);

    public void Clear() => _entries.Clear();

    private static PluginException Invalid(long handle, string holder) =>
        new(PluginErrorKind.InvalidHandle, $"{holder} holds no plugin handle {handle} (never issued to it, or already freed)");
}
