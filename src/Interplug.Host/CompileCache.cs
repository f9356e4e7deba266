using System.Collections.Concurrent;
using System.Diagnostics;
using Interplug.Host.Catalog;
using Interplug.Host.Diagnostics;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Host;

/// <summary>
/// The plugins one host compiled on its own runtime, by name. Each is compiled once, off the
/// calling thread and at most <see cref="MaxConcurrentCompiles"/> at a time; a caller waits only
/// until its own deadline or cancellation, and a compile it gave up on finishes in the background
/// and is kept for the next caller. A failed compile is not kept: the file may be fixed later.
/// A module larger than the host's <see cref="PluginHostOptions.MaxModuleBytes"/> is refused
/// before compiling, where its size is known up front (a file, base64 data, bytes; not a URL).
/// </summary>
/// <param name="catalog">Resolves names to manifests.</param>
/// <param name="compile">Compiles a resolved manifest on the host's runtime.</param>
/// <param name="users">The host's users; a compile in flight is one (in the background), so the runtime outlives it.</param>
/// <param name="maxModuleBytes">The largest module compiled.</param>
internal sealed class CompileCache(PluginCatalog catalog, Func<string, Manifest, CompiledPlugin> compile, HostUsers users, long maxModuleBytes) : IDisposable
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
        entry = new Lazy<Task<CompiledPlugin>>(() =>
        {
            var compiled = new TaskCompletionSource<CompiledPlugin>(TaskCreationOptions.RunContinuationsAsynchronously);
            // A thread of its own rather than the pool's: callers block while they wait, and when
            // blocked callers hold every pool thread, a compile queued there would wait for the
            // pool to grow, one thread every half second or so.
            new Thread(() => Compile(name, entry!, compiled)) { IsBackground = true, Name = $"interplug-compile {name}" }.Start();
            return compiled.Task;
        });
        return entry;
    }

    private void Compile(string name, Lazy<Task<CompiledPlugin>> entry, TaskCompletionSource<CompiledPlugin> compiled)
    {
        // A child of the spawn that asked first: the thread started with its execution context.
        var activity = HostActivities.Start(InterplugDiagnostics.CompileActivityName, "compile", name);
        try
        {
            if (!users.TryEnter(background: true))
                throw new PluginException(PluginErrorKind.Disposed, $"cannot compile {name}: the host was disposed") { Origin = PluginErrorOrigin.Host };
            try
            {
                _slots.Wait();
                try
                {
                    var manifest = catalog.Resolve(name);
                    CheckSizes(name, manifest);
                    var plugin = compile(name, manifest);
                    // Kept before this compile stops being a user, so that the host's release sees it.
                    _compiled.Add(plugin);
                    compiled.SetResult(plugin);
                    HostActivities.Stop(activity, null);
                }
                finally
                {
                    _slots.Release();
                }
            }
            finally
            {
                users.Exit(background: true);
            }
        }
#pragma warning disable CA1031 // every failure goes to the callers waiting for this compile
        catch (Exception e)
#pragma warning restore CA1031
        {
            if (compiled.Task.IsCompletedSuccessfully)
                return; // only the bookkeeping after a good compile failed: keep the plugin
            HostActivities.Stop(activity, e);
            // Not kept: the file may be fixed or appear later.
            _entries.TryRemove(KeyValuePair.Create(name, entry));
            compiled.TrySetException(e);
        }
    }

    private void CheckSizes(string name, Manifest manifest)
    {
        foreach (var source in manifest.Wasm)
        {
            if (SizeOf(source, manifest.BaseDirectory) is { } size && size > maxModuleBytes)
                throw new PluginException(PluginErrorKind.LimitExceeded,
                    $"{name}: module {source} has {size} bytes, more than this host compiles (MaxModuleBytes, {maxModuleBytes})");
        }
    }

    private static long? SizeOf(WasmSource source, string? baseDirectory)
    {
        if (source.Bytes is { } bytes)
            return bytes.Length;
        if (source.Data is { } base64)
            return base64.Length / 4L * 3;
        if (source.Path is not { } path)
            return null;
        var file = new FileInfo(Path.IsPathRooted(path) || baseDirectory is null ? path : Path.Combine(baseDirectory, path));
        return file.Exists ? file.Length : null; // a missing file is reported by the compile itself
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
