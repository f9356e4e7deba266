using Interplug.Runtime.Manifests;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Wasmtime;

namespace Interplug.Runtime;

/// <summary>
/// The engine every plugin runs on: compiles plugins, keeps time for their deadlines and owns
/// what they share. Create one per process and keep it for the process's lifetime. Thread-safe.
/// </summary>
/// <example>
/// <code>
/// using var runtime = new PluginRuntime();
/// using var plugin = runtime.Compile(Manifest.FromWasmFile("count_vowels.wasm"));
/// using var instance = plugin.Instantiate();
/// byte[] output = instance.Call("count_vowels", "Hello, World!"u8);
/// </code>
/// </example>
public sealed class PluginRuntime : IDisposable
{
    // Deadlines and cancellation are checked on every epoch tick; 1 ms bounds how late a timeout fires.
    private static readonly TimeSpan EpochInterval = TimeSpan.FromMilliseconds(1);

    private readonly Thread _ticker;
    private readonly bool _ownsHttp;
    private volatile bool _disposed;

    /// <summary>Creates a runtime.</summary>
    /// <param name="options">Shared settings; defaults when null.</param>
    public PluginRuntime(PluginRuntimeOptions? options = null)
    {
        options ??= new PluginRuntimeOptions();
        LoggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _ownsHttp = options.HttpClient is null;
        Http = options.HttpClient ?? new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        MetersFuel = options.MeterFuel;
        Engine = new Engine(CreateConfig(options.InstancePool, options.MeterFuel));
        KernelModule = Module.FromText(Engine, "interplug-kernel", Kernel.KernelSource.Text);
        _ticker = new Thread(Tick) { IsBackground = true, Name = "interplug-epoch" };
        _ticker.Start();
    }

    /// <summary>Whether the runtime was disposed: calls on its instances are interrupted.</summary>
    internal bool IsDisposed => _disposed;

    /// <summary>Whether plugins compiled here can be given fuel limits (<see cref="PluginRuntimeOptions.MeterFuel"/>).</summary>
    public bool MetersFuel { get; }

    internal Engine Engine { get; }

    internal Module KernelModule { get; }

    internal ILoggerFactory LoggerFactory { get; }

    internal HttpClient Http { get; }

    /// <summary>Loads, verifies and compiles a plugin. The result can be instantiated any number of times, from any thread.</summary>
    /// <param name="manifest">Where the plugin's modules come from and what it may use.</param>
    /// <param name="options">Host functions, WASI and fuel; defaults when null.</param>
    /// <exception cref="PluginException">
    /// <see cref="PluginErrorKind.InvalidManifest"/> when a source cannot be read or its hash differs,
    /// <see cref="PluginErrorKind.BadModule"/> when a module is not valid WebAssembly,
    /// <see cref="PluginErrorKind.MissingImport"/> when it imports something the host does not provide.
    /// </exception>
    public CompiledPlugin Compile(Manifest manifest, PluginOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(manifest);
        return new CompiledPlugin(this, manifest, options ?? new PluginOptions());
    }

    /// <summary>
    /// Stops the runtime. Plugins and instances created from it should be disposed first; a call
    /// still running on one of its instances, or started later, is interrupted and fails with
    /// <see cref="PluginErrorKind.Disposed"/> (the last epoch tick makes every store check).
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _ticker.Join();
        KernelModule.Dispose();
        Engine.Dispose();
        if (_ownsHttp)
            Http.Dispose();
    }

    private static Config CreateConfig(InstancePoolOptions? pool, bool meterFuel)
    {
        var config = new Config()
            .WithEpochInterruption(true)
            .WithMaximumStackSize(NativeStack.WasmStackBytes)
            .WithFuelConsumption(meterFuel)
            .WithMultiMemory(true)
            .WithBulkMemory(true);
        if (pool is null)
            return config;
        var maxMemoryBytes = checked((ulong)pool.MaxMemoryPages * 65536);
        return config
            .WithPoolingAllocationStrategy(new PoolingAllocationConfig()
                .WithMaxCoreInstances(pool.CoreInstances)
                .WithMaxMemories(pool.Memories)
                .WithMaxTables(pool.Tables)
                .WithMaxMemoriesPerModule((uint)pool.MaxMemoriesPerModule)
                .WithMaxMemorySize((nuint)maxMemoryBytes)
                .WithLinearMemoryKeepResidentBytes((nuint)pool.KeepResidentBytes)
                .WithTableKeepResidentBytes((nuint)pool.KeepResidentBytes))
            // Reserve only what a memory may reach, so that many slots fit in the address space.
            .WithStaticMemoryMaximumSize(maxMemoryBytes);
    }

    private void Tick()
    {
        while (!_disposed)
        {
            Thread.Sleep(EpochInterval);
            Engine.IncrementEpoch();
        }
        // One tick after the flag is set: every store still running, or run later, checks it and stops.
        Engine.IncrementEpoch();
    }
}
