using System.Collections.Concurrent;
using Interplug.Host.Calls;
using Interplug.Host.Diagnostics;
using Interplug.Host.Inspection;
using Interplug.Host.Policy;
using Interplug.Host.Remote;
using Interplug.Host.Scheduling;
using Interplug.Runtime;
using Interplug.Runtime.Kernel;
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
    private readonly IReadOnlyList<HostFunction> _hostFunctions;
    private readonly ImportGraph _imports;
    private readonly CallScheduler _scheduler;
    // Calls from plugins on other machines: their callers hold threads there, waiting, so these
    // never queue behind this host's own calls (which may be waiting for them in turn).
    private readonly CallScheduler _crossing = new(MaxCrossingCalls, 0);
    private volatile IRemoteChildren? _remoteChildren;
    private int _live;

    // Each is a call from a thread blocked on another machine, so there are never more than the
    // cluster's call threads times its chains' depth; this bound only guards against a runaway.
    private const int MaxCrossingCalls = 4096;

    // How long Dispose waits for cancelled calls to leave; only a host function that ignores cancellation takes longer.
    private static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(5);

    /// <summary>Creates a host.</summary>
    /// <param name="options">Catalog, policy, limits and what plugins get from the host.</param>
    /// <param name="runtime">The runtime to compile on. When null the host creates and owns one with an instance pool sized by <see cref="PluginHostOptions.MaxLiveInstances"/> and <see cref="PluginHostOptions.MaxMemoryPages"/>, metering fuel as <see cref="PluginHostOptions.MeterFuel"/> says, with <see cref="PluginHostOptions.HttpClient"/>.</param>
    /// <exception cref="ArgumentException">
    /// The policy or <see cref="PluginHostOptions.MeterFuel"/> asks for fuel limits but <paramref name="runtime"/> does not meter fuel;
    /// a host function shares its module and name with an inter-plugin function or another host function;
    /// <see cref="PluginHostOptions.InheritStdio"/> is set without <see cref="PluginHostOptions.Wasi"/>;
    /// or <see cref="PluginHostOptions.HttpClient"/> is not the client of <paramref name="runtime"/>.
    /// </exception>
    public PluginHost(PluginHostOptions options, PluginRuntime? runtime = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (runtime is { MetersFuel: false } && (options.Policy.SetsFuel || options.MeterFuel is true))
            throw new ArgumentException("the policy sets fuel limits, but the runtime does not meter fuel (PluginRuntimeOptions.MeterFuel)", nameof(runtime));
        if (options.InheritStdio && !options.Wasi)
            throw new ArgumentException("PluginHostOptions.InheritStdio needs Wasi: without WASI plugins have no stdio", nameof(options));
        if (runtime is not null && options.HttpClient is not null && !ReferenceEquals(runtime.Http, options.HttpClient))
            throw new ArgumentException("PluginHostOptions.HttpClient is used only by a runtime the host creates; give it to the runtime instead (PluginRuntimeOptions.HttpClient)", nameof(options));
        _hostFunctions = InterPluginFunctions.With(options.HostFunctions, nameof(options));
        Options = options;
        var loggers = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _ownsRuntime = runtime is null;
        _runtime = runtime ?? new PluginRuntime(new PluginRuntimeOptions
        {
            LoggerFactory = loggers,
            HttpClient = options.HttpClient,
            InstancePool = new InstancePoolOptions { MaxInstances = options.MaxLiveInstances, MaxMemoryPages = options.MaxMemoryPages },
            MeterFuel = options.MeterFuel ?? options.Policy.SetsFuel,
        });
        _telemetry = new CallTelemetry(loggers.CreateLogger("Interplug.Host"));
        var mapBudget = MemoryMapBudget.MaxInstances();
        MaxLiveInstances = mapBudget is { } fit ? Math.Min(options.MaxLiveInstances, fit) : options.MaxLiveInstances;
        _limitedByMaps = MaxLiveInstances < options.MaxLiveInstances;
        _users = new HostUsers(ReleaseShared);
        _compiled = new CompileCache(options.Catalog, Compile, _users, options.MaxModuleBytes);
        HostMetrics.Track(this);
        _imports = new ImportGraph(_compiled, options.Policy);
        _scheduler = new CallScheduler(options.CallThreads, options.CallQueueLimit);
        AsyncCalls = new AsyncCalls(_scheduler);
    }

    /// <summary>Places children whose rule says <c>placement: "spread"</c> on other machines; set once, before any call, by a cluster's silo. Null: every child runs here.</summary>
    internal IRemoteChildren? RemoteChildren
    {
        get => _remoteChildren;
        set => _remoteChildren = value;
    }

    /// <summary>This host's machine as traces name it: its silo's endpoint on a cluster, else <c>local</c>.</summary>
    private string Site => RemoteChildren?.Site ?? "local";

    /// <summary>The host as process keys name it (<see cref="PluginProcess.Key"/>): unique across a cluster.</summary>
    internal string Key { get; } = Guid.NewGuid().ToString("N");

    /// <summary>The calls plugins start with <c>call_plugin_async</c>.</summary>
    internal AsyncCalls AsyncCalls { get; }

    /// <summary>The processes standing in for children on other machines, where those children's trees reserve their places.</summary>
    internal StandIns StandIns { get; } = new();

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

    /// <summary>Whether <see cref="Dispose"/> was called.</summary>
    internal bool IsDisposed => _users.IsClosed;

    /// <summary>
    /// Starts a top-level process. Its rights are its policy rule's, narrowed by
    /// <paramref name="limits"/> when given. A first start of a plugin waits for its compile
    /// however long it takes (only <see cref="Dispose"/> cancels it); its timeout bounds its start-up code.
    /// </summary>
    /// <param name="name">The plugin's catalog name.</param>
    /// <param name="limits">Tighter limits for this process and everything below it (its spawn and call lists are ignored).</param>
    /// <exception cref="PluginException">
    /// The name is invalid or unknown (<see cref="PluginErrorOrigin.Caller"/>), the plugin does not compile or
    /// instantiate (<see cref="PluginErrorOrigin.Plugin"/>), or the host is full (<see cref="PluginErrorOrigin.Host"/>).
    /// </exception>
    /// <exception cref="ArgumentException"><paramref name="limits"/> sets a fuel limit, but the host does not meter fuel (<see cref="PluginHostOptions.MeterFuel"/>).</exception>
    /// <exception cref="ObjectDisposedException">The host was disposed, also while this start ran.</exception>
    public PluginProcess Start(string name, PolicyRule? limits = null) =>
        StartTraced(InterplugDiagnostics.HostCaller, name, () =>
        {
            if (limits?.Fuel is { } fuel && !_runtime.MetersFuel)
                throw new ArgumentException(
                    $"limits.Fuel is {fuel}, but this host does not meter fuel: its policy sets no fuel limit; set PluginHostOptions.MeterFuel to pass one to Start", nameof(limits));
            // The caller chose this plugin, so its compile may take as long as it takes (a
            // spawn waits only until its caller's deadline); the timeout bounds its start-up code.
            return StartTree(name, Rights.ForRoot(Options.Policy, name, limits), Deadline.None, CancellationToken.None);
        });

    /// <summary>
    /// Starts a child that a plugin on another machine spawned, as the top-level process of a tree
    /// of its own here: its rights computed from its lineage as its parent's host computed them,
    /// its compile and start-up code within the spawning chain's deadline. It keeps its children
    /// between calls (they live as long as it does, as a local child's do); its parent frees it.
    /// Every process its tree spawns, from its start-up code on, counts at <paramref name="upstream"/> too, when given.
    /// </summary>
    /// <exception cref="PluginException">As a spawn fails: unknown plugin, a denied import, start-up code failed or timed out, or the host is full.</exception>
    /// <exception cref="ObjectDisposedException">The host was disposed, also while this start ran.</exception>
    internal PluginProcess StartSpawned(RemoteSpawn spawned, IUpstream? upstream, CancellationToken cancellationToken) =>
        StartTraced(spawned.Chain.Levels[^1].Name, spawned.Name, () =>
        {
            Catalog.PluginName.Validate(spawned.Name);
            return StartTree(spawned.Name, Rights.ForLineage(Options.Policy, spawned.Lineage),
                Deadline.AfterMilliseconds(spawned.Chain.RemainingMilliseconds), cancellationToken, upstream);
        });

    /// <summary>
    /// A call from a plugin on another machine into a process <see cref="StartSpawned"/> started, on a
    /// thread of its own: the chain continues from the caller's, under its depth limit, deadline and fuel.
    /// </summary>
    /// <returns>The output; the task fails with the <see cref="PluginException"/> of the call, a cycle or depth refusal included.</returns>
    internal Task<byte[]> CallSpawnedAsync(PluginProcess process, string export, ReadOnlyMemory<byte> input, RemoteCall call, CancellationToken cancellationToken) =>
        Schedule(_crossing, new TopLevelCall($"{process.Name}.{export}", Deadline.AfterMilliseconds(call.Chain.RemainingMilliseconds),
            (until, token) => CallTopLevel(process, export, input.Span, token, until, call, call.Hops), cancellationToken));

    /// <summary>
    /// Compiles every plugin the catalog lists (see <see cref="Catalog.IPluginSource.Names"/>) now,
    /// two at a time like every compile of the host, so that starts and spawns
    /// find them compiled. A plugin that fails is reported, not thrown, and is compiled again
    /// when first started (its file may be fixed meanwhile).
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; compiles already running finish in the background and are kept.</param>
    /// <returns>The plugins compiled and those that failed, in catalog order.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The host was disposed, also while this warm-up ran.</exception>
    public WarmUpReport WarmUp(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(!_users.TryEnter(), this);
        try
        {
            var names = Options.Catalog.Names();
            var failures = new ConcurrentDictionary<string, PluginException>(StringComparer.Ordinal);
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = CompileCache.MaxConcurrentCompiles, CancellationToken = cancellationToken };
            Parallel.ForEach(names, parallel, name =>
            {
                try
                {
                    _compiled.Get(name, long.MaxValue, stopping.Token);
                }
                catch (PluginException e)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    failures[name] = e;
                }
            });
            ObjectDisposedException.ThrowIf(_users.IsClosed, this);
            return new WarmUpReport(
                names.Where(n => !failures.ContainsKey(n)).ToArray(),
                names.Where(failures.ContainsKey).Select(n => new WarmUpFailure(n, failures[n])).ToArray());
        }
        finally
        {
            _users.Exit();
        }
    }

    /// <summary>
    /// Reports what a plugin can reach before anything runs: its exports, its imports from the
    /// host, WASI and other plugins, and, under the policy, which plugin imports starting it as a
    /// top-level process would allow. Compiles it and the plugins it imports; instantiates nothing.
    /// </summary>
    /// <param name="name">The plugin's catalog name.</param>
    /// <exception cref="PluginException">The name is invalid or unknown, or the plugin does not compile.</exception>
    /// <exception cref="ObjectDisposedException">The host was disposed.</exception>
    public PluginReport Inspect(string name)
    {
        ObjectDisposedException.ThrowIf(!_users.TryEnter(), this);
        try
        {
            var compiled = _compiled.Get(name, long.MaxValue, _stopping.Token);
            return PluginReport.Create(compiled, name, Rights.ForRoot(Options.Policy, name), _imports, _stopping.Token);
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
    public byte[] Run(string name, string export, ReadOnlySpan<byte> input, CancellationToken cancellationToken = default) =>
        Run(name, export, input, Deadline.None, cancellationToken);

    /// <summary>
    /// <see cref="Run(string, string, ReadOnlySpan{byte}, CancellationToken)"/> without blocking the caller's thread: the call waits in the host's queue
    /// for one of its <see cref="PluginHostOptions.CallThreads"/> call threads and runs there. Its
    /// timeout counts from now, so time spent in the queue counts against it, and
    /// <paramref name="cancellationToken"/> ends it while it waits and while it runs. The task
    /// fails with the <see cref="PluginException"/> the synchronous call would throw, also for a
    /// cancelled call (<see cref="PluginErrorKind.Cancelled"/>), and with
    /// <see cref="PluginErrorKind.QuotaExceeded"/> when <see cref="PluginHostOptions.CallQueueLimit"/>
    /// calls already wait.
    /// </summary>
    /// <param name="name">The plugin's catalog name.</param>
    /// <param name="export">The export to call.</param>
    /// <param name="input">Input bytes; read when the call starts, so they must not change until the task ends.</param>
    /// <param name="cancellationToken">Cancels the call, queued or running, and its whole chain.</param>
    /// <returns>The output bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="export"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The host was disposed.</exception>
    /// <example>
    /// <code>
    /// byte[] output = await host.RunAsync("count_vowels", "count_vowels", "Hello"u8.ToArray(), httpContext.RequestAborted);
    /// </code>
    /// </example>
    public Task<byte[]> RunAsync(string name, string export, ReadOnlyMemory<byte> input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(export);
        ObjectDisposedException.ThrowIf(_users.IsClosed, this);
        var deadline = Deadline.AfterMilliseconds(Rights.ForRoot(Options.Policy, name).TimeoutMs);
        return Schedule(new TopLevelCall($"{name}.{export}", deadline,
            (until, token) => Run(name, export, input.Span, until, token), cancellationToken));
    }

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
        // Closed before listing the roots: a start that joins them later sees it and frees its own.
        if (!_users.TryClose())
            return;
        foreach (var root in _roots.Values)
            Free(root);
        // Also stops a start still instantiating its root.
        _stopping.Cancel();
        _scheduler.Dispose();
        _crossing.Dispose();
        _users.Drain(DisposeWait);
    }

    /// <summary>Queues an asynchronous top-level call; a refusal (full queue, disposed host) becomes its failed task.</summary>
    internal Task<byte[]> Schedule(TopLevelCall call) => Schedule(_scheduler, call);

    private static Task<byte[]> Schedule(CallScheduler scheduler, TopLevelCall call)
    {
        try
        {
            scheduler.Enqueue(call);
        }
        catch (PluginException e)
        {
            return Task.FromException<byte[]>(e);
        }
        return call.Task;
    }

    private byte[] Run(string name, string export, ReadOnlySpan<byte> input, long deadlineTimestamp, CancellationToken cancellationToken)
    {
        using var process = Start(name);
        return CallTopLevel(process, export, input, cancellationToken, deadlineTimestamp);
    }

    /// <summary>A start of a top-level process by <paramref name="caller"/>, traced as a spawn, while the host is in use.</summary>
    private PluginProcess StartTraced(string caller, string name, Func<PluginProcess> start)
    {
        ObjectDisposedException.ThrowIf(!_users.TryEnter(), this);
        var spawn = SpawnTelemetry.Start(caller, name);
        try
        {
            var process = start();
            spawn.Succeeded(process);
            return process;
        }
        catch (Exception e)
        {
            spawn.Failed(e);
            throw;
        }
        finally
        {
            _users.Exit();
        }
    }

    /// <summary>Starts a top-level process and its tree; <paramref name="deadline"/> bounds the compile, and with its timeout the start-up code.</summary>
    private PluginProcess StartTree(string name, Rights rights, long deadline, CancellationToken cancellationToken, IUpstream? upstream = null)
    {
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        PluginProcess process;
        try
        {
            using var starting = CancellationTokenSource.CreateLinkedTokenSource(cancellation.Token, cancellationToken);
            var compiled = _compiled.Get(name, deadline, starting.Token);
            _imports.Check(compiled, name, rights, deadline, starting.Token);
            var tree = new ProcessTree(this, cancellation) { Memory = rights.MemoryMaxPages is { } pages ? new MemoryQuota(pages) : null, Upstream = upstream };
            process = CreateProcess(compiled, name, tree, null, rights, Math.Min(deadline, Deadline.AfterMilliseconds(rights.TimeoutMs)), starting.Token);
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

    private void ReleaseShared()
    {
        _compiled.Dispose();
        if (_ownsRuntime)
            _runtime.Dispose();
        _stopping.Dispose();
    }

    /// <param name="process">The top-level process.</param>
    /// <param name="export">The export to call.</param>
    /// <param name="input">Input bytes.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <param name="deadlineTimestamp">A deadline set before the call started (an asynchronous call's, counted from when it was queued); the policy's timeout applies too.</param>
    /// <param name="crossing">For a call from a plugin on another machine: its chain and fuel.</param>
    /// <param name="hops">Where to record the chain's calls, for a traced call.</param>
    internal byte[] CallTopLevel(PluginProcess process, string export, ReadOnlySpan<byte> input, CancellationToken cancellationToken, long deadlineTimestamp = Deadline.None,
        RemoteCall? crossing = null, HopLog? hops = null)
    {
        var tree = process.Tree;
        if (!_users.TryEnter())
            throw new PluginException(PluginErrorKind.Disposed, $"{process} was freed: the host was disposed") { ExportName = export, Origin = PluginErrorOrigin.Host };
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
            var chain = crossing is null ? new CallChain(token) { Hops = hops } : CallChain.Continuing(crossing.Chain, hops, token);
            chain.Enter(process, Math.Min(deadlineTimestamp, Deadline.AfterMilliseconds(process.Rights.TimeoutMs)));
            // A call from another machine was recorded there, with this machine.
            if (crossing is null)
                hops?.Add(new Hop(chain.Depth, InterplugDiagnostics.HostCaller, process.Name, export, Site));
            var scope = _telemetry.Start(crossing is null ? InterplugDiagnostics.HostCaller : crossing.Chain.Levels[^1].Name, process, export, input.Length);
            try
            {
                byte[] output;
                try
                {
                    output = process.Instance.Call(export, input, new CallOptions
                    {
                        DeadlineTimestamp = chain.DeadlineTimestamp,
                        CancellationToken = token,
                        Fuel = crossing is null ? process.Rights.Fuel : Smaller(process.Rights.Fuel, crossing.Fuel),
                        HostContext = chain,
                    });
                }
                finally
                {
                    // Nothing the call started outlives it.
                    AsyncCalls.Reap(process);
                }
                scope.Succeeded(output.Length);
                return output;
            }
            catch (PluginException e)
            {
                scope.Failed(e);
                if (e.Kind == PluginErrorKind.Cancelled && !cancellationToken.IsCancellationRequested && (tree.FreeRequested || _users.IsClosed))
                    throw new PluginException(PluginErrorKind.Disposed, $"{process} was freed during the call: {e.Message}", e)
                    { ExportName = export, CallChain = e.CallChain, Origin = _users.IsClosed ? PluginErrorOrigin.Host : PluginErrorOrigin.Caller };
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
            // A process spawned from another machine is its parent's child there: its children live as long as it does.
            if (tree.EndCall(Options.KeepChildrenBetweenCalls || crossing is not null))
                _roots.TryRemove(process.Id, out _);
            _users.Exit();
        }
    }

    internal long Spawn(PluginProcess parent, CallChain chain, string name) =>
        SpawnTraced(parent, chain, name, static (parent, child) => parent.Tree.Adopt(parent, child));

    /// <summary>Spawns the child <paramref name="parent"/> calls its imports from <paramref name="name"/> through; a failure fails the caller's call with the chain.</summary>
    internal PluginProcess SpawnImport(PluginProcess parent, CallChain chain, string name)
    {
        try
        {
            return SpawnTraced(parent, chain, name, static (parent, child) => parent.Tree.AdoptImport(parent, child));
        }
        catch (PluginException e) when (e.CallChain is null)
        {
            throw ChainFailure.Of(e, chain.Describe());
        }
    }

    // The span covers linking the child into its tree too: a spawn refused there failed.
    private T SpawnTraced<T>(PluginProcess parent, CallChain chain, string name, Func<PluginProcess, PluginProcess, T> adopt)
    {
        var spawn = SpawnTelemetry.Start(parent.Name, name);
        try
        {
            var child = SpawnChild(parent, chain, name);
            var adopted = adopt(parent, child);
            spawn.Succeeded(child);
            return adopted;
        }
        catch (Exception e)
        {
            spawn.Failed(e);
            throw;
        }
    }

    private PluginProcess SpawnChild(PluginProcess parent, CallChain chain, string name)
    {
        Catalog.PluginName.Validate(name);
        if (parent.Rights.WhyNotSpawn(name) is { } why)
            throw new PluginException(PluginErrorKind.PermissionDenied, $"{parent.Name} may not spawn {name}: {why}");
        // Checked before instantiating, to spend nothing on a spawn that must fail, and again when linking.
        parent.Tree.CheckRoom(parent, name);
        // Outside the tree's lock, on the spawning plugin's thread: the upstream is on another machine.
        parent.Tree.Upstream?.ReserveAsync(parent.Name, name, chain.CancellationToken).GetAwaiter().GetResult();
        try
        {
            return InstantiateChild(parent, chain, name);
        }
        catch
        {
            parent.Tree.Upstream?.Release(1);
            throw;
        }
    }

    private PluginProcess InstantiateChild(PluginProcess parent, CallChain chain, string name)
    {
        var rights = parent.Rights.ForChild(Options.Policy, name);
        if (rights.Placement == PluginPlacement.Spread && RemoteChildren is { } remote)
            return SpawnRemote(parent, chain, name, rights, remote);

        // Compiling is the host's work for the caller, so the caller's deadline bounds the wait for
        // it; the child's own timeout starts with its start-up code, which runs inside the caller's
        // call, so both deadlines bound that.
        var compiled = _compiled.Get(name, chain.DeadlineTimestamp, chain.CancellationToken);
        _imports.Check(compiled, name, rights, chain.DeadlineTimestamp, chain.CancellationToken);
        var deadline = Math.Min(chain.DeadlineTimestamp, Deadline.AfterMilliseconds(rights.TimeoutMs));
        return CreateProcess(compiled, name, parent.Tree, parent, rights, deadline, chain.CancellationToken);
    }

    // The stand-in exists before the child starts, so that what the child's start-up code spawns counts against its ancestors here.
    private PluginProcess SpawnRemote(PluginProcess parent, CallChain chain, string name, Rights rights, IRemoteChildren remote)
    {
        var standIn = new PluginProcess(this, parent.Tree, Interlocked.Increment(ref _nextId), name, parent, rights);
        StandIns.Add(standIn);
        try
        {
            standIn.Remote = remote.Spawn(new RemoteSpawn(name, rights.Lineage(), chain.Crossing(remote.Site, withInnermost: true), standIn.Id), chain.CancellationToken);
            return standIn;
        }
        catch
        {
            // Dead first, so that the child's late reservations are refused; the caller gives back the stand-in's own place.
            parent.Tree.DropStandIn(standIn);
            StandIns.Remove(standIn);
            throw;
        }
    }

    internal long CallChild(CurrentPlugin caller, PluginProcess process, CallChain chain, PluginProcess child, string export, long inputHandle)
    {
        CheckCallable(process, chain, child, export);
        return CallChild(caller, process, chain, child, export, caller.ReadBytes(inputHandle), caller,
            static (plugin, output) => (plugin.WriteBytes(output), output.Length));
    }

    /// <summary>A synchronous call from a plugin into its child, checked callable, whose output <paramref name="reader"/> takes from the child's memory.</summary>
    internal T CallChild<TState, T>(CurrentPlugin caller, PluginProcess process, CallChain chain, PluginProcess child, string export, ReadOnlySpan<byte> input,
        TState state, OutputReader<TState, (T Value, int Length)> reader)
    {
        EnterChild(process, chain, child);
        try
        {
            return CallInto(process, child, chain, export, input, ChildFuel(caller, process, child), state, reader);
        }
        finally
        {
            chain.Exit();
        }
    }

    /// <summary>Runs a call started with <c>call_plugin_async</c>, on its own chain; the output is copied out of the child, for the caller's thread to copy in.</summary>
    internal byte[] RunChildCall(ChildCall call) =>
        CallInto(call.Caller, call.Child, call.Chain, call.Export, call.Input, call.Fuel, 0,
            static (_, output) => (BlockCopy.ToArray(output), output.Length));

    /// <summary>Throws unless <paramref name="process"/> may call <paramref name="export"/> on its child now.</summary>
    internal static void CheckCallable(PluginProcess process, CallChain chain, PluginProcess child, string export)
    {
        if (!child.IsAlive)
            throw new PluginException(PluginErrorKind.InvalidHandle,
                $"{child.Name} was stopped after a call left it in an unknown state; free its handle") { CallChain = chain.Describe(child) };
        if (process.Rights.WhyNotCall(child.Name, export) is { } why)
            throw CallTelemetry.Refused(process.Name, new PluginException(PluginErrorKind.PermissionDenied, $"{process.Name} may not call {child.Name}.{export}: {why}"));
    }

    /// <summary>Puts <paramref name="child"/> on the chain of <paramref name="process"/>'s call, sync or async; a cycle or depth refusal is counted.</summary>
    internal static void EnterChild(PluginProcess process, CallChain chain, PluginProcess child)
    {
        try
        {
            chain.Enter(child, Deadline.AfterMilliseconds(child.Rights.TimeoutMs));
        }
        catch (PluginException e)
        {
            CallTelemetry.Refused(process.Name, e);
            throw;
        }
    }

    /// <summary>The fuel of a call into <paramref name="child"/>: its own, never more than its caller has left.</summary>
    internal static long? ChildFuel(CurrentPlugin caller, PluginProcess process, PluginProcess child) =>
        // Without a fuel limit anywhere above, the caller's fuel is unlimited: no need to read it.
        process.Rights.Fuel is null ? child.Rights.Fuel : Smaller(child.Rights.Fuel, caller.RemainingFuel);

    /// <summary>
    /// One call from a plugin into its child, already entered on <paramref name="chain"/>: traced,
    /// the calls the child started reaped before it counts as ended, and the child stopped if the
    /// call was cut off.
    /// </summary>
    private T CallInto<TState, T>(PluginProcess caller, PluginProcess child, CallChain chain, string export, ReadOnlySpan<byte> input, long? fuel,
        TState state, OutputReader<TState, (T Value, int Length)> reader)
    {
        var scope = _telemetry.Start(caller.Name, child, export, input.Length);
        chain.Hops?.Add(new Hop(chain.Depth, caller.Name, child.Name, export, child.Remote?.Site ?? Site));
        try
        {
            (T Value, int Length) result;
            try
            {
                result = child.Remote is { } remote
                    ? reader(state, remote.Call(export, input, new RemoteCall(chain.Crossing(Site, withInnermost: false), fuel, chain.Hops), chain.CancellationToken))
                    : child.Instance.Call(export, input, new CallOptions
                    {
                        DeadlineTimestamp = chain.DeadlineTimestamp,
                        CancellationToken = chain.CancellationToken,
                        Fuel = fuel,
                        HostContext = chain,
                    }, state, reader);
            }
            finally
            {
                AsyncCalls.Reap(child);
            }
            scope.Succeeded(result.Length);
            return result.Value;
        }
        catch (PluginException e)
        {
            scope.Failed(e);
            if (child.Remote is null ? child.Instance.LastCallInterrupted : e.Kind is PluginErrorKind.Timeout or PluginErrorKind.Cancelled or PluginErrorKind.Unavailable)
                caller.Tree.Stop(child);
            throw e.CallChain is null ? ChainFailure.Of(e, chain.Describe()) : e;
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
            throw new PluginException(PluginErrorKind.QuotaExceeded, $"the host already runs {MaxLiveInstances} plugin instances, its limit{why}") { Origin = PluginErrorOrigin.Host };
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

    private CompiledPlugin Compile(string name, Manifest manifest) => _runtime.Compile(manifest, new PluginOptions
    {
        Name = name,
        HostFunctions = _hostFunctions,
        ImportResolver = PluginImports.Resolve,
        Wasi = Options.Wasi,
        InheritStdio = Options.InheritStdio,
        MaxLogMessageBytes = Options.MaxLogMessageBytes,
    });

    private static long? Smaller(long? a, long? b) => (a, b) switch
    {
        ({ } x, { } y) => Math.Min(x, y),
        (var x, var y) => x ?? y,
    };
}
