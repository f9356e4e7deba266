using System.Diagnostics;
using Interplug.Runtime.Env;
using Interplug.Runtime.Kernel;

namespace Interplug.Runtime;

/// <summary>
/// Everything one instance's store carries: host functions reach it through the wasm caller,
/// so a single linker per compiled plugin serves every instance.
/// </summary>
internal sealed class InstanceState
{
    private KernelInstance? _kernel;
    private PluginInstance? _instance;

    public InstanceState(CompiledPlugin plugin)
    {
        Plugin = plugin;
        Current = new CurrentPlugin(this);
        Vars = new VarStore(plugin.Manifest.Memory.MaxVarBytes ?? Manifests.ManifestMemory.DefaultMaxVarBytes);
    }

    public CompiledPlugin Plugin { get; }

    public CurrentPlugin Current { get; }

    public VarStore Vars { get; }

    public HttpResponseState Http { get; } = new();

    public MemoryBudget Budget { get; set; } = null!;

    public Wasmtime.Store Store { get; set; } = null!;

    public KernelInstance Kernel
    {
        get => _kernel ?? throw new InvalidOperationException("kernel not instantiated yet");
        set => _kernel = value;
    }

    public PluginInstance Instance
    {
        get => _instance ?? throw new InvalidOperationException("instance not created yet");
        set => _instance = value;
    }

    public CallScope Call { get; set; }

    /// <summary>The main module's exported memory, which the bulk-data host functions copy to and from.</summary>
    public OwnMemory OwnMemory { get; set; } = OwnMemory.None;
}

/// <summary>The limits and context of the call in progress.</summary>
internal readonly record struct CallScope(
    long DeadlineTimestamp,
    object? HostContext,
    CancellationToken CancellationToken)
{
    public static CallScope None => new(Runtime.Deadline.None, null, CancellationToken.None);

    public bool IsPastDeadline => Stopwatch.GetTimestamp() >= DeadlineTimestamp;

    public DateTimeOffset? Deadline => Runtime.Deadline.ToWallClock(DeadlineTimestamp);
}
