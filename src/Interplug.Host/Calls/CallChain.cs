using System.Diagnostics;
using Interplug.Host.Remote;
using Interplug.Runtime;

namespace Interplug.Host.Calls;

/// <summary>
/// The plugins on the stack of one top-level call, innermost last. It carries a deadline per
/// level and the cancellation down the chain: a callee's deadline is its own timeout, never later
/// than its caller's, so every plugin's timeout bounds its whole subtree. It refuses cycles and
/// enforces the depth limit.
/// </summary>
/// <param name="cancellationToken">Cancels every call on the chain.</param>
internal sealed class CallChain(CancellationToken cancellationToken)
{
    // One list of levels rather than one list per field: a chain is built for every top-level call.
    private readonly List<Level> _levels = [];

    private CallChain(int capacity, CancellationToken cancellationToken)
        : this(cancellationToken)
    {
        _levels.Capacity = capacity;
    }

    /// <summary>The deadline of the innermost call, which also bounds whatever it spawns or calls.</summary>
    public long DeadlineTimestamp => _levels.Count == 0 ? long.MaxValue : _levels[^1].Deadline;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Where the calls of a traced chain are recorded, with their machines; null when not traced.</summary>
    public HopLog? Hops { get; init; }

    /// <summary>How many calls are on the chain.</summary>
    public int Depth => _levels.Count;

    /// <summary>
    /// A copy of this chain for a call that runs beside it (<c>call_plugin_async</c>): the same
    /// levels, so cycles, depth and deadlines are checked as on this chain, and its own token.
    /// </summary>
    public CallChain Branch(CancellationToken cancellationToken)
    {
        // Room for the child the branch is made for, so that entering it does not grow the list.
        var branch = new CallChain(_levels.Count + 1, cancellationToken) { Hops = Hops };
        branch._levels.AddRange(_levels);
        return branch;
    }

    /// <summary>
    /// The chain of a call that came from another machine: its levels, all under its depth limit
    /// and its deadline, counted from now; the callee is entered on it next.
    /// </summary>
    public static CallChain Continuing(RemoteChain remote, HopLog? hops, CancellationToken cancellationToken)
    {
        var chain = new CallChain(cancellationToken) { Hops = hops };
        var deadline = Deadline.AfterMilliseconds(remote.RemainingMilliseconds);
        foreach (var level in remote.Levels)
            chain._levels.Add(new Level(null, level, remote.DepthLimit, deadline));
        return chain;
    }

    /// <summary>
    /// The chain as it crosses to another machine, local calls named at <paramref name="site"/>:
    /// for a spawn there, <paramref name="withInnermost"/>, the spawning parent included; for a call,
    /// without the innermost call, the stand-in for the child there, which that machine enters itself.
    /// </summary>
    public RemoteChain Crossing(string site, bool withInnermost)
    {
        var levels = new ChainLevel[withInnermost ? _levels.Count : _levels.Count - 1];
        for (var i = 0; i < levels.Length; i++)
            levels[i] = _levels[i].Process is { } process ? new ChainLevel(process.Name, process.Key, site) : _levels[i].Remote;
        var deadline = DeadlineTimestamp;
        long? remaining = deadline == Deadline.None ? null : (long)Stopwatch.GetElapsedTime(Math.Min(Stopwatch.GetTimestamp(), deadline), deadline).TotalMilliseconds;
        return new RemoteChain(levels, _levels[^1].DepthLimit, remaining);
    }

    /// <summary>Puts <paramref name="callee"/> on the chain with its own deadline, capped by its caller's.</summary>
    public void Enter(PluginProcess callee, long deadlineTimestamp)
    {
        foreach (var level in _levels)
            if (level.Process == callee || (level.Process is null && level.Remote.Process == callee.Key))
                throw new PluginException(PluginErrorKind.CallCycle,
                    $"call cycle: {Describe(callee)} re-enters {callee.Name}, which is already running") { CallChain = Describe(callee) };
        var limit = _levels.Count == 0 ? callee.Rights.MaxDepth : Math.Min(callee.Rights.MaxDepth, _levels[^1].DepthLimit);
        if (_levels.Count + 1 > limit)
            throw new PluginException(PluginErrorKind.DepthExceeded,
                $"call depth {_levels.Count + 1} exceeds the limit of {limit}: {Describe(callee)}") { CallChain = Describe(callee) };
        _levels.Add(new Level(callee, default, limit, Math.Min(deadlineTimestamp, DeadlineTimestamp)));
    }

    public void Exit() => _levels.RemoveAt(_levels.Count - 1);

    /// <summary>The chain as <c>a → b → c</c>, with <paramref name="next"/> appended when given.</summary>
    public string Describe(PluginProcess? next = null) =>
        string.Join(" → ", _levels.Select(l => l.Process?.Name ?? l.Remote.Name).Concat(next is null ? [] : [next.Name]));

    /// <summary>One call on the chain.</summary>
    /// <param name="Process">The callee; null for a call on another machine, up the chain of a call that came from there.</param>
    /// <param name="Remote">That call on another machine.</param>
    /// <param name="DepthLimit">The tightest <c>max_depth</c> of the processes down to this one.</param>
    /// <param name="Deadline">Its deadline as a Stopwatch timestamp, never later than its caller's; <see cref="long.MaxValue"/> for none.</param>
    private readonly record struct Level(PluginProcess? Process, ChainLevel Remote, int DepthLimit, long Deadline);
}
