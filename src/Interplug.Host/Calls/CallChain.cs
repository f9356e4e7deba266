using System.Diagnostics;
using Interplug.Runtime;

namespace Interplug.Host.Calls;

/// <summary>
/// The plugins on the stack of one top-level call, innermost last. It carries the top-level
/// deadline and cancellation down the chain (no callee can extend them), refuses cycles and
/// enforces the depth limit.
/// </summary>
/// <param name="deadlineTimestamp">The top-level deadline as a <see cref="Stopwatch"/> timestamp; <see cref="long.MaxValue"/> for none.</param>
/// <param name="cancellationToken">Cancels every call on the chain.</param>
internal sealed class CallChain(long deadlineTimestamp, CancellationToken cancellationToken)
{
    private readonly List<PluginProcess> _stack = [];

    // The tightest max_depth of the processes on the stack, at each depth.
    private readonly List<int> _depthLimits = [];

    public long DeadlineTimestamp { get; } = deadlineTimestamp;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public static long DeadlineAfter(long? timeoutMs) =>
        timeoutMs is { } ms ? Stopwatch.GetTimestamp() + ms * Stopwatch.Frequency / 1000 : long.MaxValue;

    public void Enter(PluginProcess callee)
    {
        if (_stack.Contains(callee))
            throw new PluginException(PluginErrorKind.CallCycle,
                $"call cycle: {Describe(callee)} re-enters {callee.Name}, which is already running") { CallChain = Describe(callee) };
        var limit = _depthLimits.Count == 0 ? callee.Rights.MaxDepth : Math.Min(callee.Rights.MaxDepth, _depthLimits[^1]);
        if (_stack.Count + 1 > limit)
            throw new PluginException(PluginErrorKind.DepthExceeded,
                $"call depth {_stack.Count + 1} exceeds the limit of {limit}: {Describe(callee)}") { CallChain = Describe(callee) };
        _stack.Add(callee);
        _depthLimits.Add(limit);
    }

    public void Exit()
    {
        _stack.RemoveAt(_stack.Count - 1);
        _depthLimits.RemoveAt(_depthLimits.Count - 1);
    }

    /// <summary>The chain as <c>a → b → c</c>, with <paramref name="next"/> appended when given.</summary>
    public string Describe(PluginProcess? next = null) =>
        string.Join(" → ", _stack.Select(p => p.Name).Concat(next is null ? [] : [next.Name]));
}
