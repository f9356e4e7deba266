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

    public void Dispose() => _listener.Dispose();

    // Spawns and compiles are activities of the same source; only calls count.
    private void Count(Activity activity, int change)
    {
        if (activity.OperationName == InterplugDiagnostics.CallActivityName && activity.GetTagItem(InterplugDiagnostics.Tags.Callee) is string callee)
            _running.AddOrUpdate(callee, Math.Max(change, 0), (_, n) => n + change);
    }
}
