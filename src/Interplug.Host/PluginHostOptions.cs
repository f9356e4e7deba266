using Interplug.Host.Catalog;
using Interplug.Host.Policy;
using Interplug.Runtime;
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

    /// <summary>
    /// Most plugin instances alive in the host at once, across all trees, 1 to
    /// <see cref="InstancePoolOptions.MaxInstancesLimit"/> (default 65,536). Also sizes the instance
    /// pool of a runtime the host creates.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set outside its range.</exception>
    public int MaxLiveInstances
    {
        get;
        init => field = InRange(value, 1, InstancePoolOptions.MaxInstancesLimit, nameof(MaxLiveInstances));
    } = 65_536;

    /// <summary>
    /// Largest size of any one memory when the host creates its runtime, in 64 KiB pages, 1 to
    /// <see cref="InstancePoolOptions.MaxMemoryPagesLimit"/> (default 1024, 64 MiB); a policy's
    /// <c>memory_max_pages</c> cannot go beyond it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set outside its range.</exception>
    public long MaxMemoryPages
    {
        get;
        init => field = InRange(value, 1, InstancePoolOptions.MaxMemoryPagesLimit, nameof(MaxMemoryPages));
    } = 1024;

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
    /// <exception cref="ArgumentOutOfRangeException">Set to 0 or less.</exception>
    public long MaxModuleBytes { get; init => field = InRange(value, 1, long.MaxValue, nameof(MaxModuleBytes)); } = 32L << 20;

    /// <summary>Give catalog plugins WASI preview 1; their stdio is discarded unless <see cref="InheritStdio"/>. Required for a manifest's <c>allowed_paths</c>.</summary>
    public bool Wasi { get; init; }

    /// <summary>Whether the stdout and stderr of catalog plugins reach this process's (see <see cref="PluginOptions.InheritStdio"/>); needs <see cref="Wasi"/>, or the host refuses its options.</summary>
    public bool InheritStdio { get; init; }

    /// <summary>
    /// The application's own host functions, which every catalog plugin may import next to the
    /// inter-plugin functions (<c>register_plugin</c>, <c>call_plugin</c>, ... under
    /// <c>extism:host/user</c> and <c>env</c>). A function of the same module and name as one of
    /// those, or as another in this list, makes the host refuse its options.
    /// </summary>
    /// <example>
    /// <code>
    /// HostFunctions = [HostFunction.FromMethod("now_ms", (CurrentPlugin _) => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())],
    /// </code>
    /// </example>
    public IReadOnlyList<HostFunction> HostFunctions { get; init; } = [];

    /// <summary>Longest log message, in UTF-8 bytes, a catalog plugin's <c>log_*</c> calls pass on (see <see cref="PluginOptions.MaxLogMessageBytes"/>); 0 or more.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value.</exception>
    public int MaxLogMessageBytes
    {
        get;
        init => field = InRange(value, 0, int.MaxValue, nameof(MaxLogMessageBytes));
    } = PluginOptions.DefaultMaxLogMessageBytes;

    /// <summary>
    /// The client for plugins' <c>http_request</c> and manifest URLs when the host creates its
    /// runtime (see <see cref="PluginRuntimeOptions.HttpClient"/>); the host does not dispose it.
    /// Which hosts a plugin may reach stays its manifest's <c>allowed_hosts</c>. A host given a
    /// runtime uses that runtime's client, and refuses a different one here.
    /// </summary>
    public HttpClient? HttpClient { get; init; }

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
        init => field = InRange(value, 1, MaxCallThreads, nameof(CallThreads));
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
        init => field = InRange(value, 0, int.MaxValue, nameof(CallQueueLimit));
    } = 1024;

    private static T InRange<T>(T value, T min, T max, string name) where T : System.Numerics.INumber<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, min, name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, max, name);
        return value;
    }
}
