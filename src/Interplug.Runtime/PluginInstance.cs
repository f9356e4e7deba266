using Interplug.Runtime.Env;
using Interplug.Runtime.Kernel;
using Wasmtime;

namespace Interplug.Runtime;

/// <summary>
/// One running copy of a plugin: its memory, kernel, globals and vars, which persist between
/// calls. Single-threaded: it runs one call at a time, and a second call while one is running
/// (re-entry from a host function, or another thread) fails at once with
/// <see cref="PluginErrorKind.Busy"/>. Create many instances to run in parallel.
/// </summary>
public sealed class PluginInstance : IDisposable
{
    private readonly Store _store;
    private readonly InstanceState _state;
    private readonly Instance _main;
    private readonly Dictionary<string, Func<int>> _exports = new(StringComparer.Ordinal);
    // Lock-free so that a call takes no lock: _busy and _disposeRequested are only set with
    // Interlocked, each side sets its own flag before it reads the other's, so of a call starting
    // and Dispose at least one sees the other, and the store is disposed exactly once.
    private int _busy;
    private int _disposeRequested;
    private int _storeDisposed;
    private bool _fuelLimited = true;

    internal PluginInstance(CompiledPlugin plugin, in InstanceOptions options)
    {
        Plugin = plugin;
        Context = options.Context;
        _state = new InstanceState(plugin) { Instance = this };
        _store = new Store(plugin.Runtime.Engine, _state);
        _state.Store = _store;
        try
        {
            var manifestPages = plugin.Manifest.Memory.MaxPages;
            var maxPages = (manifestPages, options.MemoryMaxPages) switch
            {
                ({ } a, { } b) => Math.Min(a, b),
                (var a, var b) => a ?? b,
            };
            _state.Budget = new MemoryBudget(_store, maxPages, options.SharedQuota);
            if (plugin.Options.Wasi)
                _store.SetWasiConfiguration(WasiSetup.Create(plugin));
            // Armed once: every tick re-arms it, and the callback checks the current call's deadline.
            _store.SetEpochDeadlineCallback(OnEpochTick);
            _store.SetEpochDeadline(1);
            // Start-up is not a call: no fuel limit, but the manifest's timeout and the caller's deadline and cancellation.
            StartBudget(new CallOptions { Fuel = long.MaxValue, DeadlineTimestamp = options.DeadlineTimestamp, CancellationToken = options.CancellationToken });
            _main = Link();
            plugin.Startup.Run(_main);
            _state.Budget.Settle();
        }
        catch (Exception e)
        {
            // Classify first: Failure reads the memories, which disposing the store invalidates.
            var failure = e as PluginException ?? Failure(e, "start-up");
            DisposeStore();
            throw failure;
        }
        finally
        {
            _state.Call = CallScope.None;
        }
    }

    /// <summary>The compiled plugin this instance was created from.</summary>
    public CompiledPlugin Plugin { get; }

    /// <summary>Any object the application attaches to this instance; Interplug never reads it. Host functions reach it through <see cref="CurrentPlugin.Instance"/>.</summary>
    public object? Context { get; set; }

    /// <summary>Whether a call is running on this instance now.</summary>
    public bool IsBusy => Volatile.Read(ref _busy) != 0;

    /// <summary>Total 64 KiB pages held by the instance's memories, the kernel's included.</summary>
    public long MemoryPages => _state.Budget.TotalPages;

    /// <summary>
    /// Whether the last call was cut off instead of returning: a trap, timeout, cancellation, fuel
    /// or memory exhaustion, or a failing host function. The instance's memory may then be
    /// mid-update; the plugin's own code decides whether it can carry on, so callers that cannot
    /// know should discard the instance.
    /// </summary>
    public bool LastCallInterrupted { get; private set; }

    /// <summary>Whether the plugin has a callable export of that name.</summary>
    public bool FunctionExists(string name) => Plugin.Exports.Contains(name);

    /// <summary>Calls an export with <paramref name="input"/> and returns its output.</summary>
    /// <param name="export">The export's name.</param>
    /// <param name="input">Input bytes, readable by the plugin through <c>input_*</c>.</param>
    /// <param name="cancellationToken">Cancels the running call.</param>
    /// <exception cref="PluginException">The call failed; <see cref="PluginException.Kind"/> says why.</exception>
    public byte[] Call(string export, ReadOnlySpan<byte> input, CancellationToken cancellationToken) =>
        Call(export, input, new CallOptions { CancellationToken = cancellationToken });

    /// <summary>Calls an export with <paramref name="input"/> and returns its output.</summary>
    /// <param name="export">The export's name.</param>
    /// <param name="input">Input bytes, readable by the plugin through <c>input_*</c>.</param>
    /// <param name="options">Cancellation, deadline, fuel and host context of this call.</param>
    /// <exception cref="PluginException">The call failed; <see cref="PluginException.Kind"/> says why.</exception>
    /// <exception cref="ArgumentException"><see cref="CallOptions.Fuel"/> is set on a runtime that does not meter fuel, or is negative.</exception>
    public byte[] Call(string export, ReadOnlySpan<byte> input, in CallOptions options = default) =>
        Call(export, input, options, 0, static (_, output) => BlockCopy.ToArray(output));

    /// <summary>
    /// Calls an export and hands its output to <paramref name="reader"/> while the bytes still sit in
    /// the plugin's memory, so the caller decides whether and where to copy them.
    /// </summary>
    /// <param name="export">The export's name.</param>
    /// <param name="input">Input bytes.</param>
    /// <param name="options">Cancellation, deadline, fuel and host context of this call.</param>
    /// <param name="state">Passed to <paramref name="reader"/>, so it need not capture anything.</param>
    /// <param name="reader">Receives the output; the span is valid only during this invocation.</param>
    /// <exception cref="PluginException">The call failed; <see cref="PluginException.Kind"/> says why.</exception>
    /// <exception cref="ArgumentException"><see cref="CallOptions.Fuel"/> is set on a runtime that does not meter fuel, or is negative.</exception>
    public unsafe TResult Call<TState, TResult>(string export, ReadOnlySpan<byte> input, in CallOptions options, TState state, OutputReader<TState, TResult> reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (!NativeStack.HasRoom())
            return CallOnFreshStack(export, input, options, state, reader);
        Enter(export);
        try
        {
            // Pinned for the whole call: a plugin that reads its input only with input_read reads it
            // where it is, without a copy into its kernel (see KernelInstance.BeginCall).
            fixed (byte* pinned = input)
                return reader(state, Run(export, input, options));
        }
        finally
        {
            Exit();
        }
    }

    private unsafe TResult CallOnFreshStack<TState, TResult>(string export, ReadOnlySpan<byte> input, CallOptions options, TState state, OutputReader<TState, TResult> reader)
    {
        // The caller waits for the fresh stack's thread, so its input stays pinned for the whole call.
        fixed (byte* bytes = input)
        {
            var (address, length) = ((nint)bytes, input.Length);
            return NativeStack.OnFreshStack(
                () => Call(export, new ReadOnlySpan<byte>((void*)address, length), options, state, reader), $"{Plugin.Name}.{export}");
        }
    }

    /// <summary>Frees the instance's memory. A call running on another thread finishes first.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposeRequested, 1) != 0)
            return;
        // A running call disposes on its way out.
        if (Volatile.Read(ref _busy) == 0)
            DisposeStoreOnce();
    }

    private ReadOnlySpan<byte> Run(string export, ReadOnlySpan<byte> input, in CallOptions options)
    {
        var function = ExportFunction(export);
        int code;
        LastCallInterrupted = false;
        try
        {
            StartBudget(options);
            _state.Kernel.BeginCall(input, Plugin.ReadsInputBlock);
            LastCallInterrupted = true;
            code = function();
            LastCallInterrupted = false;
        }
        catch (WasmtimeException e) when (e.ExitCode is { } exit)
        {
            LastCallInterrupted = false;
            code = exit; // WASI proc_exit
        }
        catch (Exception e) when (e is WasmtimeException or PluginException)
        {
            var error = _state.Kernel.Error();
            if (!error.IsEmpty)
                throw new PluginException(PluginErrorKind.PluginError, Utf8.Lossy(error), e) { ExportName = export };
            throw e is PluginException p ? WithExport(p, export) : Failure(e, export);
        }
        finally
        {
            _state.Call = CallScope.None;
            _state.Budget.Settle();
        }

        var message = _state.Kernel.Error();
        if (!message.IsEmpty)
            throw new PluginException(PluginErrorKind.PluginError, Utf8.Lossy(message)) { ExportName = export };
        if (code != 0)
            throw new PluginException(PluginErrorKind.NonZeroExitCode, $"{Plugin.Name}.{export} returned non-zero exit code {code}")
            { ExitCode = code, ExportName = export };
        try
        {
            return _state.Kernel.Output();
        }
        catch (PluginException e)
        {
            throw WithExport(e, export); // an output range outside memory
        }
    }

    private void StartBudget(in CallOptions options)
    {
        // The clock is read only when a limit here needs it: reading it is not free in a VM, and a
        // nested call usually arrives with its deadline already computed.
        var deadline = Math.Min(options.DeadlineTimestamp ?? Deadline.None, Deadline.AfterMilliseconds(Plugin.Manifest.TimeoutMs));
        deadline = Math.Min(deadline, Deadline.At(options.Deadline));
        _state.Call = new CallScope(deadline, options.HostContext, options.CancellationToken);
        _state.Budget.BeginCall();
        // An unlimited store keeps (nearly) u64::MAX fuel across calls, so it is set only when it changes.
        ArgumentOutOfRangeException.ThrowIfNegative(options.Fuel ?? 0, nameof(options.Fuel));
        var fuel = options.Fuel ?? Plugin.Options.FuelPerCall;
        if (!Plugin.Runtime.MetersFuel)
        {
            // Start-up asks for long.MaxValue, which means no limit.
            if (fuel is not (null or long.MaxValue))
                throw new ArgumentException($"CallOptions.Fuel is {fuel}, but a fuel limit needs a runtime that meters fuel (PluginRuntimeOptions.MeterFuel)", nameof(options));
            return;
        }
        if (fuel is { } f)
            _store.Fuel = (ulong)f;
        else if (_fuelLimited)
            _store.Fuel = ulong.MaxValue;
        _fuelLimited = fuel is not null;
    }

    private ulong OnEpochTick(Store store)
    {
        var call = _state.Call;
        if (Plugin.Runtime.IsDisposed)
            throw new PluginException(PluginErrorKind.Disposed, $"call to {Plugin.Name} was interrupted: its runtime was disposed") { Origin = PluginErrorOrigin.Host };
        if (call.CancellationToken.IsCancellationRequested)
            throw new PluginException(PluginErrorKind.Cancelled, $"call to {Plugin.Name} was cancelled");
        if (call.IsPastDeadline)
            throw new PluginException(PluginErrorKind.Timeout, $"call to {Plugin.Name} timed out");
        return 1;
    }

    private Instance Link()
    {
        var kernel = Plugin.Linker.Instantiate(_store, Plugin.Runtime.KernelModule);
        _state.Kernel = new KernelInstance(kernel);
        _state.Budget.AttachKernel(_state.Kernel);

        var linker = Plugin.Linkers.Rent();
        try
        {
            linker.DefineInstance(_store, EnvFunctions.Module, kernel);
            Instance? instance = null;
            foreach (var plan in Plugin.Modules)
            {
                try
                {
                    instance = linker.Instantiate(_store, plan.Module);
                }
                catch (WasmtimeException e) when (e.Message.StartsWith("incompatible import type", StringComparison.Ordinal))
                {
                    throw new PluginException(PluginErrorKind.BadModule, $"{Plugin.Name}: {TypeMismatch(e.Message)}", e);
                }
                foreach (var memory in plan.ExportedMemories)
                    _state.Budget.AttachPluginMemory(instance.GetMemory(memory)!);
                if (plan.Name is not null)
                    linker.DefineInstance(_store, plan.Name, instance);
            }
            _state.OwnMemory = OwnMemory.Of(Plugin.Name, instance!);
            return instance!;
        }
        finally
        {
            Plugin.Linkers.Return(linker);
        }
    }

    // Wasmtime says "incompatible import type for `m::f`", then the expected and found types on a later line.
    private static string TypeMismatch(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var detail = lines.FirstOrDefault(l => l.StartsWith("types incompatible", StringComparison.Ordinal));
        return detail is null ? lines[0] : $"{lines[0]}: {detail}";
    }

    private Func<int> ExportFunction(string name)
    {
        if (_exports.TryGetValue(name, out var cached))
            return cached;
        if (!Plugin.Exports.Contains(name))
            throw ExportNotFound(name);
        var function = _main.GetFunction(name)!;
        Func<int> call = function.Results.Count == 0
            ? WrapAction(_main.GetAction(name)!)
            : _main.GetFunction<int>(name)!;
        _exports[name] = call;
        return call;
    }

    // Kept out of ExportFunction: a lambda capturing `name` there would allocate on every call.
    private PluginException ExportNotFound(string name)
    {
        var exists = Plugin.Main.Exports.Any(e => e.Name == name);
        return new PluginException(PluginErrorKind.ExportNotFound, exists
            ? $"{Plugin.Name} exports {name}, but not as a callable function of type () -> i32"
            : $"{Plugin.Name} has no export named {name}") { ExportName = name, Origin = PluginErrorOrigin.Caller };
    }

    private static Func<int> WrapAction(Action action) => () =>
    {
        action();
        return 0;
    };

    private void Enter(string export)
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
            throw new PluginException(PluginErrorKind.Busy,
                $"{Plugin.Name} is already running a call; an instance runs one call at a time (re-entry or use from another thread)")
            { ExportName = export, Origin = PluginErrorOrigin.Caller };
        if (Volatile.Read(ref _disposeRequested) != 0)
        {
            // Dispose may have seen this call as running and left the store to it.
            Exit();
            throw new PluginException(PluginErrorKind.Disposed, $"{Plugin.Name} instance was disposed") { ExportName = export, Origin = PluginErrorOrigin.Caller };
        }
    }

    private void Exit()
    {
        Interlocked.Exchange(ref _busy, 0);
        if (Volatile.Read(ref _disposeRequested) != 0)
            DisposeStoreOnce();
    }

    private void DisposeStoreOnce()
    {
        if (Interlocked.Exchange(ref _storeDisposed, 1) == 0)
            DisposeStore();
    }

    private void DisposeStore()
    {
        _state.Budget?.Release();
        _store.Dispose();
    }

    private static PluginException WithExport(PluginException e, string export) =>
        e.ExportName is not null ? e : new PluginException(e.Kind, e.Message, e.InnerException)
        {
            ExitCode = e.ExitCode, ImportName = e.ImportName, ExportName = export, CallChain = e.CallChain, Origin = e.Origin,
        };

    /// <summary>Turns an engine failure into the kind a caller can act on.</summary>
    private PluginException Failure(Exception e, string export)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
            if (inner is PluginException p)
                return WithExport(p, export);

        var detail = TrapText.Of(e);
        if (e is TrapException trap)
        {
            return trap.Type switch
            {
                TrapCode.OutOfFuel => new PluginException(PluginErrorKind.OutOfFuel, $"{Plugin.Name}.{export} ran out of fuel", e) { ExportName = export },
                TrapCode.Interrupt => new PluginException(PluginErrorKind.Timeout, $"{Plugin.Name}.{export} was interrupted", e) { ExportName = export },
                TrapCode.Unreachable or TrapCode.MemoryOutOfBounds or TrapCode.AllocationTooLarge when _state.Budget.LooksExhausted() => new PluginException(PluginErrorKind.OutOfMemory,
                    $"{Plugin.Name}.{export} ran out of memory: {_state.Budget.Describe()}, {_state.Budget.TotalPages} pages in this instance ({detail})", e) { ExportName = export },
                _ => new PluginException(PluginErrorKind.Trap, $"{Plugin.Name}.{export} trapped: {detail}", e) { ExportName = export },
            };
        }
        if (e is WasmtimeException && detail.Contains("concurrent", StringComparison.Ordinal) && detail.Contains("limit", StringComparison.Ordinal))
            return new PluginException(PluginErrorKind.QuotaExceeded, $"{Plugin.Name}: the runtime's instance pool is full ({detail})", e) { ExportName = export, Origin = PluginErrorOrigin.Host };
        if (e is WasmtimeException && _state.Budget.IsLimited && detail.Contains("memory", StringComparison.OrdinalIgnoreCase))
            return new PluginException(PluginErrorKind.OutOfMemory, $"{Plugin.Name} does not fit {_state.Budget.Describe()}: {detail}", e) { ExportName = export };
        if (e is WasmtimeException && e.InnerException is { } hostFailure)
            return new PluginException(PluginErrorKind.Trap, $"{Plugin.Name}.{export}: a host function failed: {hostFailure.Message}", e) { ExportName = export };
        return new PluginException(e is WasmtimeException ? PluginErrorKind.BadModule : PluginErrorKind.Trap, $"{Plugin.Name}.{export}: {detail}", e) { ExportName = export };
    }
}
