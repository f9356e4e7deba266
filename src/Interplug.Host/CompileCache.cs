using System.Collections.Concurrent;
using System.Diagnostics;
using Interplug.Host.Catalog;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Host;

/// <summary>
/// The plugins one host compiled on its own runtime, by name. Each is compiled once, off the
/// calling thread and at most <see cref="MaxConcurrentCompiles"/> at a time; a caller waits only
/// until its own deadline or cancellation, and a compile it gave up on finishes in the background
/// and is kept for the next caller. A failed compile is not kept: the file may be fixed later.
/// </summary>
/// <param name="catalog">Resolves names to manifests.</param>
/// <param name="compile">Compiles a resolved manifest on the host's runtime.</param>
/// <param name="users">The host's users; a compile in flight is one, so the runtime outlives it.</param>
internal sealed class CompileCache(PluginCatalog catalog, Func<string, Manifest, CompiledPlugin> compile, HostUsers users) : IDisposable
{
    /// <summary>Compiles of one host that may run at once: a hostile module can hold one slot, not the machine.</summary>
    public const int MaxConcurrentCompiles = 2;

    private readonly ConcurrentDictionary<string, Lazy<Task<CompiledPlugin>>> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<CompiledPlugin> _compiled = [];
    private readonly SemaphoreSlim _slots = new(MaxConcurrentCompiles);

    /// <summary>The compiled plugin for <paramref name="name"/>, compiling it on first use.</summary>
    /// <exception cref="PluginException">
    /// <see cref="PluginErrorKind.Timeout"/> or <see cref="PluginErrorKind.Cancelled"/> when the caller's deadline or
    /// cancellation comes first; otherwise whatever resolving or compiling reports.
    /// </exception>
    public CompiledPlugin Get(string name, long deadlineTimestamp, CancellationToken cancellationToken)
    {
        // Every key was validated before it was added, so a plugin found by name needs no check.
        if (_entries.TryGetValue(name, out var found) && found.IsValueCreated && found.Value.IsCompletedSuccessfully)
            return found.Value.Result;
        PluginName.Validate(name);
        var compiling = _entries.GetOrAdd(name, Entry).Value;
        if (!compiling.IsCompleted)
            Wait(compiling, name, deadlineTimestamp, cancellationToken);
        return compiling.GetAwaiter().GetResult();
    }

    /// <summary>Disposes every plugin compiled; called once no compile is in flight.</summary>
    public void Dispose()
    {
        foreach (var plugin in _compiled)
            plugin.Dispose();
        _slots.Dispose();
    }

    private Lazy<Task<CompiledPlugin>> Entry(string name)
    {
        Lazy<Task<CompiledPlugin>>? entry = null;
        entry = new Lazy<Task<CompiledPlugin>>(() => Task.Run(() => CompileAsync(name, entry!)));
        return entry;
    }

    private async Task<CompiledPlugin> CompileAsync(string name, Lazy<Task<CompiledPlugin>> entry)
    {
        try
        {
            if (!users.TryEnter())
                throw new PluginException(PluginErrorKind.Disposed, $"cannot compile {name}: the host was disposed");
            try
            {
                await _slots.WaitAsync().ConfigureAwait(false);
                try
                {
                    var plugin = compile(name, catalog.Resolve(name));
                    // Kept before this compile stops being a user, so that the host's release sees it.
                    _compiled.Add(plugin);
                    return plugin;
                }
                finally
                {
                    _slots.Release();
                }
            }
            finally
            {
                users.Exit();
            }
        }
        catch
        {
            _entries.TryRemove(KeyValuePair.Create(name, entry));
            throw;
        }
    }

    private static void Wait(Task compiling, string name, long deadlineTimestamp, CancellationToken cancellationToken)
    {
        var timeoutMs = deadlineTimestamp == long.MaxValue
            ? Timeout.Infinite
            : (int)Math.Clamp(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadlineTimestamp).TotalMilliseconds, 0, int.MaxValue - 1);
        try
        {
            if (Task.WaitAny([compiling], timeoutMs, cancellationToken) < 0)
                throw new PluginException(PluginErrorKind.Timeout,
                    $"compiling {name} did not finish before the deadline; it goes on in the background for a later spawn");
        }
        catch (OperationCanceledException e)
        {
            throw new PluginException(PluginErrorKind.Cancelled, $"cancelled while waiting for {name} to compile", e);
        }
    }
}
