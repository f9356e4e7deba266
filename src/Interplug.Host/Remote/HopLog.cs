namespace Interplug.Host.Remote;

/// <summary>
/// The calls of one traced top-level call in the order they started, each with the machine its
/// callee ran on; a machine a call crossed to sends its part back with the answer. Thread-safe:
/// calls started with <c>call_plugin_async</c> record into it from their own threads. Keeps the
/// first <see cref="MaxHops"/> calls, so that tracing a chain of millions of calls stays small.
/// </summary>
internal sealed class HopLog
{
    /// <summary>Calls kept, as many as the CLI's local trace keeps.</summary>
    public const int MaxHops = 10_000;

    private readonly List<Hop> _hops = [];

    public void Add(Hop hop)
    {
        lock (_hops)
        {
            if (_hops.Count < MaxHops)
                _hops.Add(hop);
        }
    }

    public void AddRange(IEnumerable<Hop> hops)
    {
        lock (_hops)
            _hops.AddRange(hops.Take(MaxHops - _hops.Count));
    }

    public Hop[] ToArray()
    {
        lock (_hops)
            return [.. _hops];
    }
}

/// <summary>One call of a traced chain.</summary>
/// <param name="Depth">Its place on the chain: 1 for the top-level call.</param>
/// <param name="Caller">The calling plugin, or <see cref="InterplugDiagnostics.HostCaller"/>.</param>
/// <param name="Callee">The called plugin.</param>
/// <param name="Export">The export called.</param>
/// <param name="Site">The callee's machine, <c>host:port</c>.</param>
internal readonly record struct Hop(int Depth, string Caller, string Callee, string Export, string Site);
