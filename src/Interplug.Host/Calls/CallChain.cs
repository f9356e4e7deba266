using Interplug.Runtime;

namespace Interplug.Host.Calls;

/// <summary>
/// The plugins on the stack of one top-level call, innermost last. It carries the top-level
/// deadline and cancellation down the chain (no callee can extend them), refuses cycles and
/// enforces the depth limit.
/// </summary>
internal sealed class CallChain(DateTimeOffset? deadline, CancellationToken cancellationToken)
{
    private readonly List<PluginProcess> _stack = [];

    public DateTimeOffset? Deadline { get; } = deadline;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public int Depth => _stack.Count;

    public void Enter(PluginProcess callee)
    {
        if (_stack.Contains(callee))
            throw new PluginException(PluginErrorKind.CallCycle,
                $"call cycle: {Describe(callee)} re-enters {callee.Name}, which is already running") { CallChain = Describe(callee) };
        var limit = _stack.Count == 0 ? callee.Rights.MaxDepth : Math.Min(callee.Rights.MaxDepth, _stack.Min(p => p.Rights.MaxDepth));
        if (_stack.Count + 1 > limit)
            throw new PluginException(PluginErrorKind.DepthExceeded,
                $"call depth {_stack.Count + 1} exceeds the limit of {limit}: {Describe(callee)}") { CallChain = Describe(callee) };
        _stack.Add(callee);
    }

    public void Exit() => _stack.RemoveAt(_stack.Count - 1);

    /// <summary>The chain as <c>a → b → c</c>, with <paramref name="next"/> appended when given.</summary>
    public string Describe(PluginProcess? next = null) =>
        string.Join(" → ", _stack.Select(p => p.Name).Concat(next is null ? [] : [next.Name]));
}
