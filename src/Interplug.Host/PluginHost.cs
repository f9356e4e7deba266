using System.Collections.Concurrent;
using Interplug.Host.Calls;
using Interplug.Host.Policy;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Interplug.Host;

/// <summary>
/// The operating system of plugins: starts processes from its catalog, lets them spawn, call and
/// free each other through capability handles, and applies its policy to every step. Thread-safe:
/// independent top-level calls run in parallel; each process tree runs one call at a time.
/// </summary>
/// <example>
/// <code>
/// using var host = new PluginHost(new PluginHostOptions
/// {
///     Catalog = new PluginCatalog().AddDirectory("plugins/dist"),
///     Policy = PluginPolicy.FromFile("policy.json"),
/// });
/// byte[] output = host.Run("run", "run", ReadOnlySpan&lt;byte&gt;.Empty);
/// </code>
/// </example>
public sealed class PluginHost : IPluginHost, IDisposable
{
    private readonly PluginRuntime _runtime;
    private readonly bool _ownsRuntime;
    private readonly CallTelemetry _telemetry;
    private readonly ConcurrentDictionary<long, PluginProcess> _roots = new();
    private long _nextId;
    private readonly bool _limitedByMaps;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HostUsers _users;
    private readonly CompileCache _compiled;
    private int _live;
    private int _disposeStarted;

    // How long Dispose waits for cancelled calls to leave; only a host function that ignores cancellation takes longer.
    private static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(5);

    /// <summary>Creates a host.</summary>
    /// <param name="options">Catalog, policy and limits.</param>
    /// <param name="runtime">The runtime to compile on. When null the host creates and owns one with an instance pool sized by <see cref="PluginHostOptions.MaxLiveInstances"/> and <see cref="PluginHostOptions.MaxMemoryPages"/>, metering fuel as <see cref="PluginHostOptions.MeterFuel"/> says.</param>
    /// <exception cref="ArgumentException">The policy sets fuel limits but <paramref name="runtime"/> does not meter fuel.</exception>
    public PluginHost(PluginHostOptions options, PluginRuntime? runtime = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (runtime is { MetersFuel: false } && (options.Policy.SetsFuel || options.MeterFuel is true))
            throw new ArgumentException("the policy sets fuel limits, but the runtime does not meter fuel (PluginRuntimeOptions.MeterFuel)", nameof(runtime));
        Options = options;
        var loggers = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _ownsRuntime = runtime is null;
        _runtime = runtime ?? new PluginRuntime(new PluginRuntimeOptions
        {
            LoggerFactory = loggers,
            InstancePool = new InstancePoolOptions { MaxInstances = options.MaxLiveInstances, MaxMemoryPages = options.MaxMemoryPages },
            MeterFuel = options.MeterFuel ?? options.Policy.SetsFuel,
        });
        _telemetry = new CallTelemetry(loggers.CreateLogger("Interplug.Host"));
        var mapBudget = MemoryMapBudget.MaxInstances();
        MaxLiveInstances = mapBudget is { } fit ? Math.Min(options.MaxLiveInstances, fit) : options.MaxLiveInstances;
        _limitedByMaps = MaxLiveInstances < options.MaxLiveInstances;
        _users = new HostUsers(ReleaseShared);
        _compiled = new CompileCache(options.Catalog, Compile, _users, options.MaxModuleBytes);
    }

    /// <summary>The options the host was created with.</summary>
    public PluginHostOptions Options { get; }

    /// <summary>
    /// The most instances alive at once: <see cref="PluginHostOptions.MaxLiveInstances"/>, lowered
    /// on Linux so that their memory mappings stay well below <c>vm.max_map_count</c> (past it the
    /// .NET runtime would abort the process). Raise that sysctl to hold more.
    /// </summary>
    public int MaxLiveInstances { get; }

    /// <summary>Plugin instances alive now, across all process trees.</summary>
    public int LiveInstances => Volatile.Read(ref _live);

    /// <summary>
    /// Starts a top-level process. Its rights are its policy rule's, narrowed by
    /// <paramref name="limits"/> when given. A first start of a plugin waits for its compile
    /// however long it takes (only <see cref="Dispose"/> cancels it); its timeout bounds its start-up code.
    /// </summary>
    /// <param name="name">The plugin's catalog name.</param>
    /// <param name="limits">Tighter limits for this process and everything below it (its spawn and call lists are ignored).</param>
    /// <exception cref="PluginException">The name is invalid or unknown, the plugin does not compile or instantiate, or the host is full; <see cref="PluginErrorKind.InvalidArgument"/> for a fuel limit on a host that does not meter fuel.</exception>
    /// <exception cref="ObjectDisposedException">The host was disposed, also while this start ran.</exception>
    public PluginProcess Start(string name, PolicyRule? limits = null)
    {
        ObjectDisposedException.ThrowIf(!_users.TryEnter(), this);
        try
        {
            if (limits?.Fuel is not null && !_runtime.MetersFuel)
                throw new PluginException(PluginErrorKind.InvalidArgument,
                    "this host does not meter fuel: its policy sets no fuel limit; set PluginHostOptions.MeterFuel to pass one to Start");
            var rights = Rights.ForRoot(Options.Policy, name, limits);
            var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            PluginProcess process;
            try
            {
                // The caller chose this plugin, so its compile may take as long as it takes (a
                // spawn waits only until its caller's deadline); the timeout bounds its start-up code.
                var compiled = _compiled.Get(name, long.MaxValue, cancellation.Token);
                process = CreateProcess(compiled, name, new ProcessTree(this, cancellation) { Memory = rights.MemoryMaxPages is { } pages ? new MemoryQuota(pages) : null }, null, rights, Deadline.AfterMilliseconds(rights.TimeoutMs), cancellation.Token);
            }
            catch
            {
                cancellation.Dispose();
                throw;
            }
            process.Tree.Root = process;
            _roots[process.Id] = process;
            // Dispose may have listed the roots before this one joined them; it closed the host first.
            if (_users.IsClosed)
            {
                Free(process);
                throw new ObjectDisposedException(GetType().FullName);
            }
            return process;
        }
        finally
        {
            _users.Exit();
        }
    }

    /// <summary>Starts a process, makes one top-level call and frees the process and everything it spawned.</summary>
    /// <param name="name">The plugin's catalog name.</param>
    /// <param name="export">The export to call.</param>
    /// <param name="input">Input bytes.</param>
    /// <param name="cancellationToken">Cancels the whole call chain.</param>
    /// <exception cref="PluginException">Starting or calling failed; <see cref="PluginException.Kind"/> says why.</exception>
    public byte[] Run(string name, string export, ReadOnlySpan<byte> input, CancellationToken cancellationToken = default)
    {
        using var process = Start(name);
        return process.Call(export, input, cancellationToken);
    }

    /// <inheritdoc/>
    // TEMPORARY (issue 13 branch): a plain thread-pool bridge so that IPluginHost builds here; the
    // RunAsync that runs wasm on the host's bounded scheduler replaces it at merge.
    public Task<byte[]> RunAsync(string name, string export, ReadOnlyMemory<byte> input, CancellationToken cancellationToken = default) =>
        Task.Run(() => Run(name, export, input.Span, cancellationToken), CancellationToken.None);

    /// <inheritdoc/>
    /// <remarks>Starting runs the plugin's start-up code, so it does not run on the caller's thread.</remarks>
    async Task<IPluginProcess> IPluginHost.StartAsync(string name, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var process = await Task.Run(() => Start(name), CancellationToken.None).ConfigureAwait(false);
        if (cancellationToken.IsCancellationRequested)
        {
            process.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
        }
        return process;
    }

    /// <summary>
    /// Stops the host: cancels every running call (each fails with
    /// <see cref="PluginErrorKind.Disposed"/>), frees every process, and once no call, start or
    /// compile is left, the compiled plugins and, if the host created it, the runtime. Thread-safe.
    /// It waits up to 5 seconds for cancelled calls to leave; a call still inside a host function
    /// that ignores cancellation after that frees the rest itself when it leaves. The catalog is
    /// not disposed: it holds nothing to free and may serve other hosts.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) != 0)
            return;
        // Closed before listing the roots: a start that joins them later sees it and frees its own.
        _users.Close();
        foreach (var root in _roots.Values)
            Free(root);
        // Also stops a start still instantiating its root.
        _stopping.Cancel();
        _users.Drain(DisposeWait);
    }

    private void ReleaseShared()
    {
        _compiled.Dispose();
        if (_ownsRuntime)
            _runtime.Dispose();
        _stopping.Dispose();
    }

    internal byte[] CallTopLevel(PluginProcess process, string export, ReadOnlySpan<byte> input, CancellationToken cancellationToken)
    {
        var tree = process.Tree;
        if (!_users.TryEnter())
            throw new PluginException(PluginErrorKind.Disposed, $"{process} was freed: the host was disposed") { ExportName = export };
        try
        {
            // A second call would fail in the instance anyway, but its clean-up below would free the children of the running call.
            tree.BeginCall(export);
        }
        catch
        {
            _users.Exit();
            throw;
        }
        // The tree's token stops the call when the process is freed from another thread.
        var linked = cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, tree.CancellationToken) : null;
        var token = linked?.Token ?? tree.CancellationToken;
        try
        {
            var chain = new CallChain(token);
            chain.Enter(process, Deadline.AfterMilliseconds(process.Rights.TimeoutMs));
            var scope = _telemetry.Start(CallTelemetry.HostCaller, process, export, input.Length);
            try
            {
                var output = process.Instance.Call(export, input, new CallOptions
                {
                    DeadlineTimestamp = chain.DeadlineTimestamp,
                    CancellationToken = token,
                    Fuel = process.Rights.Fuel,
                    HostContext = chain,
                });
                scope.Succeeded(output.Length);
                return output;
            }
            catch (PluginException e)
            {
                scope.Failed(e);
                if (e.Kind == PluginErrorKind.Cancelled && !cancellationToken.IsCancellationRequested && (tree.FreeRequested || _users.IsClosed))
                    throw new PluginException(PluginErrorKind.Disposed, $"{process} was freed during the call: {e.Message}", e)
                    { ExportName = export, CallChain = e.CallChain };
                throw;
            }
            finally
            {
                chain.Exit();
            }
        }
        finally
        {
            linked?.Dispose();
            if (tree.EndCall(Options.KeepChildrenBetweenCalls))
                _roots.TryRemove(process.Id, out _);
            _users.Exit();
        }
    }

    internal long Spawn(PluginProcess parent, CallChain chain, string name)
    {
        Catalog.PluginName.Validate(name);
        if (parent.Rights.WhyNotSpawn(name) is { } why)
            throw new PluginException(PluginErrorKind.PermissionDenied, $"{parent.Name} may not spawn {name}: {why}");
        // Checked before instantiating, to spend nothing on a spawn that must fail, and again when linking.
        parent.Tree.CheckRoom(parent, name);

        // Compiling is the host's work for the caller, so the caller's deadline bounds the wait for
        // it; the child's own timeout starts with its start-up code, which runs inside the caller's
        // call, so both deadlines bound that.
        var compiled = _compiled.Get(name, chain.DeadlineTimestamp, chain.CancellationToken);
        var rights = parent.Rights.ForChild(Options.Policy, name);
        var deadline = Math.Min(chain.DeadlineTimestamp, Deadline.AfterMilliseconds(rights.TimeoutMs));
        var child = CreateProcess(compiled, name, parent.Tree, parent, rights, deadline, chain.CancellationToken);
        return parent.Tree.Adopt(parent, child);
    }

    internal long CallChild(CurrentPlugin caller, PluginProcess process, CallChain chain, PluginProcess child, string export, long inputHandle)
    {
        if (!child.IsAlive)
            throw new PluginException(PluginErrorKind.InvalidHandle,
                $"{child.Name} was stopped after a call left it in an unknown state; free its handle") { CallChain = chain.Describe(child) };
        if (process.Rights.WhyNotCall(child.Name, export) is { } why)
            throw new PluginException(PluginErrorKind.PermissionDenied, $"{process.Name} may not call {child.Name}.{export}: {why}");
        var input = caller.ReadBytes(inputHandle);
        chain.Enter(child, Deadline.AfterMilliseconds(child.Rights.TimeoutMs));
        var scope = _telemetry.Start(process.Name, child, export, input.Length);
        try
        {
            var options = new CallOptions
            {
                DeadlineTimestamp = chain.DeadlineTimestamp,
                CancellationToken = chain.CancellationToken,
                // Without a fuel limit anywhere above, the caller's fuel is unlimited: no need to read it.
                Fuel = process.Rights.Fuel is null ? child.Rights.Fuel : Smaller(child.Rights.Fuel, caller.RemainingFuel),
                HostContext = chain,
            };
            var (handle, length) = child.Instance.Call(export, input, options, caller,
                static (plugin, output) => (plugin.WriteBytes(output), output.Length));
            scope.Succeeded(length);
            return handle;
        }
        catch (PluginException e)
        {
            scope.Failed(e);
            if (child.Instance.LastCallInterrupted)
                process.Tree.Stop(child);
            throw e.CallChain is null ? Chained(e, chain.Describe()) : e;
        }
        finally
        {
            chain.Exit();
        }
    }

    /// <summary>Frees a top-level process and its tree, or has its running call do it.</summary>
    internal void Free(PluginProcess process)
    {
        if (process.Parent is null && process.Tree.FreeRoot())
            _roots.TryRemove(process.Id, out _);
    }

    /// <summary>Takes back the slot of an instance that died; its tree calls this exactly once per instance.</summary>
    internal void ReleaseInstance() => Interlocked.Decrement(ref _live);

    private PluginProcess CreateProcess(CompiledPlugin compiled, string name, ProcessTree tree, PluginProcess? parent, Rights rights, long startupDeadline, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _live) > MaxLiveInstances)
        {
            Interlocked.Decrement(ref _live);
            var why = _limitedByMaps ? $" ({MemoryMapBudget.Describe()}; raise it to hold more)" : "";
            throw new PluginException(PluginErrorKind.QuotaExceeded, $"the host already runs {MaxLiveInstances} plugin instances, its limit{why}");
        }
        var process = new PluginProcess(this, tree, Interlocked.Increment(ref _nextId), name, parent, rights);
        try
        {
            process.Instance = compiled.Instantiate(new InstanceOptions
            {
                MemoryMaxPages = rights.MemoryMaxPages,
                SharedQuota = tree.Memory,
                Context = process,
                DeadlineTimestamp = startupDeadline,
                CancellationToken = cancellationToken,
            });
        }
        catch
        {
            Interlocked.Decrement(ref _live);
            throw;
        }
        return process;
    }

    private CompiledPlugin Compile(string name, Manifest manifest) =>
        _runtime.Compile(manifest, new PluginOptions { Name = name, HostFunctions = InterPluginFunctions.All, Wasi = Options.Wasi });

    private static PluginException Chained(PluginException e, string chain) =>
        new(e.Kind, $"{chain}: {e.Message}", e) { ExitCode = e.ExitCode, ImportName = e.ImportName, ExportName = e.ExportName, CallChain = chain };

    private static long? Smaller(long? a, long? b) => (a, b) switch
    {
        ({ } x, { } y) => Math.Min(x, y),
        (var x, var y) => x ?? y,
    };
}
