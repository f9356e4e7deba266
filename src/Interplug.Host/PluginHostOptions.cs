using Interplug.Host.Catalog;
using Interplug.Host.Policy;
using Microsoft.Extensions.Logging;

namespace Interplug.Host;

/// <summary>How a <see cref="PluginHost"/> finds plugins and what it lets them do.</summary>
public sealed record PluginHostOptions
{
    /// <summary>Where plugin names resolve to modules. It holds no compiled code (each host keeps its own), so several hosts may share it.</summary>
    public PluginCatalog Catalog { get; init; } = new();

    /// <summary>Who may spawn and call whom; by default nobody may spawn anything.</summary>
    public PluginPolicy Policy { get; init; } = PluginPolicy.DenyAll;

    /// <summary>Where plugin logs and call logs go.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Keep what a top-level process spawned alive between its calls, instead of freeing it when each call returns.</summary>
    public bool KeepChildrenBetweenCalls { get; init; }

    /// <summary>Most plugin instances alive in the host at once, across all trees. Also sizes the instance pool of a runtime the host creates.</summary>
    public int MaxLiveInstances { get; init; } = 65_536;

    /// <summary>Largest size of any one memory when the host creates its runtime, in 64 KiB pages (default 1024, 64 MiB); a policy's <c>memory_max_pages</c> cannot go beyond it.</summary>
    public long MaxMemoryPages { get; init; } = 1024;

    /// <summary>
    /// Whether the runtime the host creates meters fuel. Null (the default) meters it only when the
    /// policy sets a fuel limit somewhere: metering slows every call (see
    /// <see cref="Runtime.PluginRuntimeOptions.MeterFuel"/>). Set it to true to pass fuel limits to
    /// <see cref="PluginHost.Start"/> under a policy that has none.
    /// </summary>
    public bool? MeterFuel { get; init; }

    /// <summary>
    /// Largest module, in bytes, the host compiles (default 32 MiB): compiling takes time and
    /// memory that grow with the module, and a hostile one needs little size to take many seconds.
    /// Checked before compiling for files, base64 data and in-memory bytes; a module from a URL is
    /// only bounded by the compile wait. Compiles also run at most two at a time per host, and a
    /// spawn waits for one only until its caller's deadline.
    /// </summary>
    public long MaxModuleBytes { get; init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxModuleBytes must be positive"); } = 32L << 20;

    /// <summary>Give catalog plugins WASI preview 1 (stdio discarded).</summary>
    public bool Wasi { get; init; }

    /// <summary>The most <see cref="CallThreads"/> a host may have.</summary>
    public const int MaxCallThreads = 1024;

    /// <summary>
    /// Threads that run the host's asynchronous work: <see cref="PluginHost.RunAsync"/>,
    /// <see cref="PluginProcess.CallAsync"/> and the children plugins start with
    /// <c>call_plugin_async</c>. 1 to <see cref="MaxCallThreads"/>; by default one per processor.
    /// Each has a 16 MiB stack (reserved, not committed), room for a chain of about twenty plugins.
    /// Work beyond them waits in a queue of <see cref="CallQueueLimit"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set out of range.</exception>
    public int CallThreads
    {
        get;
        init => field = value is >= 1 and <= MaxCallThreads ? value
            : throw new ArgumentOutOfRangeException(nameof(CallThreads), value, $"CallThreads must be between 1 and {MaxCallThreads}");
    } = Environment.ProcessorCount;

    /// <summary>
    /// Most asynchronous calls waiting for one of the <see cref="CallThreads"/> at once (default
    /// 1024; 0 or more). One more is refused with <see cref="Runtime.PluginErrorKind.QuotaExceeded"/>: the
    /// task of <see cref="PluginHost.RunAsync"/> fails with it, and <c>call_plugin_async</c> fails
    /// the plugin's call (<c>try_call_plugin_async</c> returns its status). A queued call's
    /// timeout runs while it waits, and its cancellation token ends it there.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 0.</exception>
    public int CallQueueLimit
    {
        get;
        init => field = value >= 0 ? value
            : throw new ArgumentOutOfRangeException(nameof(CallQueueLimit), value, "CallQueueLimit must be 0 or more");
    } = 1024;
}
