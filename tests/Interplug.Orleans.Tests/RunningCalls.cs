using System.Collections.Concurrent;
using System.Diagnostics;
using Interplug.Host;

namespace Interplug.Orleans.Tests;

/// <summary>
/// Counts the calls into each plugin that are running now on any silo of this test process, from
/// the host's call activities: so a test acts on a call only once it runs in its plugin.
/// </summary>
public sealed class RunningCalls : IDisposable
{
    private readonly ConcurrentDictionary<string, int> _running = new();
    private readonly List<Crossing> _crossings = [];
    private readonly ActivityListener _listener;

    public RunningCalls()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == InterplugDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStarted = activity => Count(activity, +1),
            ActivityStopped = activity => Count(activity, -1),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Calls into <paramref name="plugin"/> running now.</summary>
    public int Of(string plugin) => _running.GetValueOrDefault(plugin);

    /// <summary>How many calls into children on other silos started so far: pass it to <see cref="CrossingsSince"/>.</summary>
    public int Mark
    {
        get
        {
            lock (_crossings)
                return _crossings.Count;
        }
    }

    /// <summary>The calls into children on other silos that started since <paramref name="mark"/>.</summary>
    public Crossing[] CrossingsSince(int mark)
    {
        lock (_crossings)
            return [.. _crossings.Skip(mark)];
    }

    public void Dispose() => _listener.Dispose();

    // Spawns and compiles are activities of the same source; only calls count.
    private void Count(Activity activity, int change)
    {
        if (activity.OperationName != InterplugDiagnostics.CallActivityName || activity.GetTagItem(InterplugDiagnostics.Tags.Callee) is not string callee)
            return;
        _running.AddOrUpdate(callee, Math.Max(change, 0), (_, n) => n + change);
        if (change > 0 && activity.GetTagItem(InterplugDiagnostics.Tags.CalleeSite) is string site)
        {
            lock (_crossings)
                _crossings.Add(new Crossing((string)activity.GetTagItem(InterplugDiagnostics.Tags.Caller)!, callee, site));
        }
    }
}

/// <summary>A call into a child on another silo.</summary>
/// <param name="Caller">The calling plugin.</param>
/// <param name="Callee">The child.</param>
/// <param name="Site">The child's silo, <c>host:port</c>.</param>
public sealed record Crossing(string Caller, string Callee, string Site);
