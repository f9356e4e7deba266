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
    private readonly List<PluginProcess> _stack = [];

    // The tightest max_depth of the processes on the stack, at each depth.
    private readonly List<int> _depthLimits = [];

    // The deadline of each level, as Stopwatch timestamps; long.MaxValue for none.
    private readonly List<long> _deadlines = [];

    /// <summary>The deadline of the innermost call, which also bounds whatever it spawns or calls.</summary>
    public long DeadlineTimestamp => _deadlines.Count == 0 ? long.MaxValue : _deadlines[^1];

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Puts <paramref name="callee"/> on the chain with its own deadline, capped by its caller's.</summary>
    public void Enter(PluginProcess callee, long deadlineTimestamp)
    {
        if (_stack.Contains(callee))
            throw new PluginException(PluginErrorKind.CallCycle,
                $"call cycle: {Describe(callee)} re-enters {callee.Name}, which is already running") { CallChain = Describe(callee) };
        var limit = _depthLimits.Count == 0 ? callee.Rights.MaxDepth : Math.Min(callee.Rights.MaxDepth, _depthLimits[^1]);
        if (_stack.Count + 1 > limit)
            throw new PluginException(PluginErrorKind.DepthExceeded,
                $"call depth {_stack.Count + 1} exceeds the limit of {limit}: {Describe(callee)}") { CallChain = Describe(callee) };
        _deadlines.Add(Math.Min(deadlineTimestamp, DeadlineTimestamp));
        _stack.Add(callee);
        _depthLimits.Add(limit);
    }

    public void Exit()
    {
        _stack.RemoveAt(_stack.Count - 1);
        _depthLimits.RemoveAt(_depthLimits.Count - 1);
        _deadlines.RemoveAt(_deadlines.Count - 1);
    }

    /// <summary>The chain as <c>a → b → c</c>, with <paramref name="next"/> appended when given.</summary>
    public string Describe(PluginProcess? next = null) =>
        string.Join(" → ", _stack.Select(p => p.Name).Concat(next is null ? [] : [next.Name]));
}
