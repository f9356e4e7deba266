using System.Diagnostics;
using Interplug.Host;

namespace Interplug.Cli;

/// <summary>
/// Collects the host's call activities and prints them as a tree, for <c>--trace</c>. Calls that
/// ran at the same time as a sibling (started with <c>call_plugin_async</c>) are marked <c>∥</c>. Keeps the
/// first <see cref="MaxCalls"/> calls to start and counts the rest, so a run of millions of calls
/// neither holds them all nor prints them all; printing is linear in the calls kept. On a cluster
/// the calls run in the silos, so the CLI prints the list the silos send back instead (<see cref="PrintHops"/>).
/// </summary>
internal sealed class CallTrace : IDisposable
{
    /// <summary>Calls kept: enough to read, small enough (a few MiB) to hold in any run.</summary>
    public const int MaxCalls = 10_000;

    private readonly List<Activity> _calls = [];
    private readonly ActivityListener _listener;
    private long _dropped;

    public CallTrace()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == InterplugDiagnostics.ActivitySourceName,
            // Calls only: spawns and compiles would be siblings and children of the calls in the tree.
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.Name == InterplugDiagnostics.CallActivityName ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            // Kept in start order, a caller always before its callees: the calls kept are whole
            // subtrees from the top, never callees whose caller was dropped. Tags and duration are
            // read when printing, after the calls have stopped.
            ActivityStarted = activity =>
            {
                lock (_calls)
                {
                    if (_calls.Count < MaxCalls)
                        _calls.Add(activity);
                    else
                        _dropped++;
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Print(TextWriter writer)
    {
        Activity[] calls;
        long dropped;
        lock (_calls)
        {
            calls = [.. _calls];
            dropped = _dropped;
        }
        var callees = new Dictionary<ActivitySpanId, List<Activity>>();
        foreach (var call in calls)
        {
            if (!callees.TryGetValue(call.ParentSpanId, out var siblings))
                callees[call.ParentSpanId] = siblings = [];
            siblings.Add(call);
        }
        var kept = calls.Select(a => a.SpanId).ToHashSet();
        var roots = calls.Where(a => a.ParentSpanId == default || !kept.Contains(a.ParentSpanId)).ToList();
        PrintTree(writer, roots, callees, Overlapping(callees.Values));
        if (dropped > 0)
            writer.WriteLine($"… {dropped} more calls not shown: --trace keeps the first {MaxCalls}");
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>Prints the calls of a chain that ran on a cluster as a tree, each with the silo it ran on.</summary>
    public static void PrintHops(TextWriter writer, IReadOnlyList<Interplug.Orleans.ClusterHop> hops)
    {
        foreach (var hop in hops)
            // Names are of the plugins' choosing.
            writer.WriteLine($"{Lead(hop.Depth)}{TerminalText.Escape($"{hop.Callee}.{hop.Export}")}  on {hop.Silo}");
    }

    // A callee is drawn below its caller, as in the local tree, one level further in.
    private static string Lead(int depth) => depth <= 1 ? "" : new string(' ', 3 * (depth - 2)) + "└─ ";

    // Depth-first with an explicit stack: a deep chain of calls must not overflow the CLI's own stack.
    private static void PrintTree(TextWriter writer, List<Activity> roots, Dictionary<ActivitySpanId, List<Activity>> callees, HashSet<Activity> parallel)
    {
        var pending = new Stack<(Activity Call, string Lead, string ChildLead)>();
        for (var i = roots.Count - 1; i >= 0; i--)
            pending.Push((roots[i], "", ""));
        while (pending.TryPop(out var next))
        {
            PrintLine(writer, next.Call, parallel.Contains(next.Call) ? next.Lead + "∥ " : next.Lead);
            if (!callees.TryGetValue(next.Call.SpanId, out var children))
                continue;
            for (var i = children.Count - 1; i >= 0; i--)
            {
                var last = i == children.Count - 1;
                pending.Push((children[i], next.ChildLead + (last ? "└─ " : "├─ "), next.ChildLead + (last ? "   " : "│  ")));
            }
        }
    }

    /// <summary>
    /// The calls whose time overlaps a sibling's. Siblings are in start order, so one sweep finds
    /// them: a call overlaps an earlier sibling exactly when it starts before the latest end so far,
    /// and the sibling holding that end overlaps it too.
    /// </summary>
    private static HashSet<Activity> Overlapping(IEnumerable<List<Activity>> siblingLists)
    {
        var overlapping = new HashSet<Activity>();
        foreach (var siblings in siblingLists)
        {
            Activity? latest = null;
            foreach (var call in siblings)
            {
                if (latest is not null && call.StartTimeUtc < End(latest))
                {
                    overlapping.Add(call);
                    overlapping.Add(latest);
                }
                if (latest is null || End(call) > End(latest))
                    latest = call;
            }
        }
        return overlapping;
    }

    private static DateTime End(Activity call) => call.StartTimeUtc + call.Duration;

    private static void PrintLine(TextWriter writer, Activity call, string lead)
    {
        var outcome = call.GetTagItem(InterplugDiagnostics.Tags.Outcome) as string ?? "?";
        // The name holds an export name and the description an error message, both of the plugin's choosing.
        writer.WriteLine($"{lead}{TerminalText.Escape(call.DisplayName)}  {call.GetTagItem(InterplugDiagnostics.Tags.BytesIn)} B in, {call.GetTagItem(InterplugDiagnostics.Tags.BytesOut)} B out, {call.Duration.TotalMilliseconds:0.###} ms, {outcome}"
            + (call.Status == ActivityStatusCode.Error ? $": {TerminalText.Escape(call.StatusDescription ?? "")}" : ""));
    }
}
