using System.Collections.Concurrent;
using System.Diagnostics;

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
            ShouldListenTo = source => source.Name == "Interplug.Host",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStarted = activity => _running.AddOrUpdate(Callee(activity), 1, (_, n) => n + 1),
            ActivityStopped = activity => _running.AddOrUpdate(Callee(activity), 0, (_, n) => n - 1),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Calls into <paramref name="plugin"/> running now.</summary>
    public int Of(string plugin) => _running.GetValueOrDefault(plugin);

    public void Dispose() => _listener.Dispose();

    // The callee tag is set just after the activity starts; its name, "callee.export", is there from the start.
    private static string Callee(Activity activity) => activity.OperationName.Split('.')[0];
}
