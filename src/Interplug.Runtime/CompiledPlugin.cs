using Interplug.Runtime.Env;
using Interplug.Runtime.Kernel;
using Interplug.Runtime.Manifests;
using Microsoft.Extensions.Logging;
using Wasmtime;

namespace Interplug.Runtime;

/// <summary>
/// A plugin loaded, verified and compiled once: instantiate it as often as needed. Thread-safe;
/// the instances it creates are not (each runs one call at a time).
/// </summary>
public sealed class CompiledPlugin : IDisposable
{
    private readonly List<ImportPlan> _modules = [];
    private bool _disposed;

    internal CompiledPlugin(PluginRuntime runtime, Manifest manifest, PluginOptions options)
    {
        Runtime = runtime;
        Manifest = manifest;
        Options = options;
        ManifestRules.Check(manifest);
        if (manifest.AllowedPaths.Count > 0 && !options.Wasi)
            throw new PluginException(PluginErrorKind.InvalidManifest, "allowed_paths needs WASI; enable it for this plugin");
        if (options.FuelPerCall is not null && !runtime.MetersFuel)
            throw new ArgumentException("FuelPerCall needs a runtime that meters fuel (PluginRuntimeOptions.MeterFuel)", nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.FuelPerCall ?? 0, nameof(options.FuelPerCall));

        var mainIndex = ManifestRules.MainIndex(manifest.Wasm);
        Name = options.Name ?? manifest.Wasm[mainIndex].Name ?? NameFromPath(manifest.Wasm[mainIndex]) ?? "plugin";
        Logger = runtime.LoggerFactory.CreateLogger("Interplug.Plugin");
        Config = new ConfigValues(manifest.Config);
        Linker = CreateLinker(runtime.Engine, options);
        Linkers = new InstanceLinkers(Linker);
        try
        {
            var host = new HostImports(options);
            // Linked modules first, in manifest order, so each may import from those before it; the plugin last.
            foreach (var i in Enumerable.Range(0, manifest.Wasm.Count).Where(i => i != mainIndex).Append(mainIndex))
            {
                var source = manifest.Wasm[i];
                if (i != mainIndex && source.Name is null)
                    throw new PluginException(PluginErrorKind.InvalidManifest, $"wasm entry {i} ({source}) needs a \"name\" to be linked into the main module");
                var module = CompileModule(runtime.Engine, source, WasmSourceLoader.Load(source, manifest.BaseDirectory, runtime.Http));
                _modules.Add(ImportPlan.Create(module, i != mainIndex ? source.Name : null, _modules, host));
            }
            // Into the template, before any instance rents a copy of it.
            foreach (var function in host.Resolved)
                Define(Linker, function);
            Imports = host.Imports;
            ReadsInputBlock = Imports.Any(i => i.Module == EnvFunctions.Module && i.Name is "input_offset" or "input_load_u8" or "input_load_u64");
        }
        catch
        {
            Dispose();
            throw;
        }
        Startup = new Startup(Main);
        Exports = Main.Exports.OfType<FunctionExport>()
            .Where(e => e.Parameters.Count == 0 && IsCallableResult(e.Results))
            .Select(e => e.Name).ToArray();
    }

    /// <summary>The plugin's name in logs and messages.</summary>
    public string Name { get; }

    /// <summary>The manifest it was compiled from.</summary>
    public Manifest Manifest { get; }

    /// <summary>The options it was compiled with.</summary>
    public PluginOptions Options { get; }

    /// <summary>
    /// Everything the plugin's modules import from the host (not from each other), each once, in
    /// declaration order: kernel and environment functions, WASI, host functions, and what
    /// <see cref="PluginOptions.ImportResolver"/> resolved.
    /// </summary>
    public IReadOnlyList<PluginImport> Imports { get; } = [];

    /// <summary>The exports that can be called: functions of type <c>() -> i32</c> or <c>() -> ()</c>.</summary>
    public IReadOnlyList<string> Exports { get; }

    internal PluginRuntime Runtime { get; }

    internal ILogger Logger { get; }

    /// <summary>The manifest's config, UTF-8 encoded once for <c>config_get</c>.</summary>
    internal ConfigValues Config { get; }

    internal Linker Linker { get; }

    internal InstanceLinkers Linkers { get; }

    internal IReadOnlyList<ImportPlan> Modules => _modules;

    /// <summary>
    /// Whether the plugin can see its input block: it imports <c>input_offset</c> or
    /// <c>input_load_*</c>. One that reads its input only with <c>input_read</c> (or only asks its
    /// <c>input_length</c>) never sees the block, so its input is not copied into its kernel.
    /// </summary>
    internal bool ReadsInputBlock { get; }

    internal Module Main => _modules[^1].Module;

    internal Startup Startup { get; }

    /// <summary>Creates a fresh instance: its own memory, kernel and vars, with start-up code run.</summary>
    /// <exception cref="PluginException">
    /// <see cref="PluginErrorKind.OutOfMemory"/> when the memory budget cannot hold the plugin's initial memory,
    /// <see cref="PluginErrorKind.Trap"/> or <see cref="PluginErrorKind.Timeout"/> when start-up code fails,
    /// <see cref="PluginErrorKind.BadModule"/> when instantiation fails otherwise.
    /// </exception>
    public PluginInstance Instantiate() => Instantiate(new InstanceOptions());

    /// <summary>Creates a fresh instance with per-instance settings that can only narrow the manifest's.</summary>
    /// <param name="options">The instance's tighter memory budget and application context.</param>
    /// <exception cref="PluginException">As for <see cref="Instantiate()"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="InstanceOptions.MemoryMaxPages"/> is negative.</exception>
    public PluginInstance Instantiate(in InstanceOptions options)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MemoryMaxPages ?? 0, nameof(options.MemoryMaxPages));
        // Start-up code runs wasm too.
        return NativeStack.HasRoom() ? new PluginInstance(this, options) : InstantiateOnFreshStack(options);
    }

    // Its own method: a lambda in Instantiate would allocate its closure on every call, room or not.
    private PluginInstance InstantiateOnFreshStack(InstanceOptions options) =>
        NativeStack.OnFreshStack(() => new PluginInstance(this, options), $"starting {Name}");

    /// <summary>Releases the compiled modules. Instances must be disposed first.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        foreach (var plan in _modules)
            plan.Module.Dispose();
        Linkers.Dispose();
        Linker.Dispose();
    }

    internal static bool IsCallableResult(IReadOnlyList<ValueKind> results) =>
        results.Count == 0 || (results.Count == 1 && results[0] == ValueKind.Int32);

    private static Linker CreateLinker(Engine engine, PluginOptions options)
    {
        var linker = new Linker(engine);
        linker.DefineFunction(KernelSource.HostModule, "grow",
            (Caller caller, long requiredBytes) => ((InstanceState)caller.GetData()!).Budget.GrowKernel(requiredBytes));
        EnvFunctions.Define(linker);
        if (options.Wasi)
            linker.DefineWasi();
        try
        {
            foreach (var function in options.HostFunctions)
                Define(linker, function);
        }
        catch
        {
            linker.Dispose();
            throw;
        }
        return linker;
    }

    private static void Define(Linker linker, HostFunction function)
    {
        try
        {
            function.DefineIn(linker);
        }
        catch (WasmtimeException e)
        {
            throw new ArgumentException($"PluginOptions: host function {function} cannot be defined: {e.Message}", e);
        }
    }

    private static Module CompileModule(Engine engine, WasmSource source, byte[] bytes)
    {
        var name = source.Name ?? "main";
        try
        {
            return bytes.AsSpan().StartsWith("\0asm"u8)
                ? Module.FromBytes(engine, name, bytes)
                : Module.FromText(engine, name, System.Text.Encoding.UTF8.GetString(bytes));
        }
        catch (WasmtimeException e) when (e.Message.Contains("pooling allocator", StringComparison.Ordinal))
        {
            throw new PluginException(PluginErrorKind.QuotaExceeded,
                $"{source} does not fit the runtime's instance pool (InstancePoolOptions): {LastLine(e.Message)}", e);
        }
        catch (WasmtimeException e)
        {
            throw new PluginException(PluginErrorKind.BadModule, $"{source} is not a valid WebAssembly module: {FirstLine(e.Message)}", e);
        }
    }

    private static string? NameFromPath(WasmSource source) =>
        source.Path is { } p ? System.IO.Path.GetFileNameWithoutExtension(p) : null;

    // Wasmtime ends a chain of causes with the most specific, numbered "1: ..." when there are several.
    private static string LastLine(string message)
    {
        var line = message.AsSpan().TrimEnd();
        line = line[(line.LastIndexOf('\n') + 1)..].Trim();
        var colon = line.IndexOf(": ");
        return (colon > 0 && int.TryParse(line[..colon], out _) ? line[(colon + 2)..] : line).ToString();
    }

    private static string FirstLine(string message)
    {
        var line = message.AsSpan().Trim();
        var end = line.IndexOf('\n');
        return (end < 0 ? line : line[..end]).Trim().ToString();
    }
}
