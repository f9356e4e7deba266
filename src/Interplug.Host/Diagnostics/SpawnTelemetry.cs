using System.Diagnostics;
using static Interplug.Host.InterplugDiagnostics;

namespace Interplug.Host.Diagnostics;

/// <summary>
/// One process start in flight, by the application or by a plugin, as an activity and in the spawn
/// and refusal counters; end it exactly once. The counters are tagged with the caller, not the
/// plugin asked for: a plugin may ask for any name, and each would be a time series of its own.
/// </summary>
internal readonly struct SpawnTelemetry
{
    private readonly Activity? _activity;
    private readonly string _caller;

    private SpawnTelemetry(Activity? activity, string caller)
    {
        _activity = activity;
        _caller = caller;
    }

    /// <summary>Starts the record of <paramref name="caller"/> spawning <paramref name="name"/>.</summary>
    public static SpawnTelemetry Start(string caller, string name)
    {
        var activity = HostActivities.Start(SpawnActivityName, "spawn", name);
        activity?.SetTag(Tags.Caller, caller);
        return new SpawnTelemetry(activity, caller);
    }

    public void Succeeded(PluginProcess process)
    {
        _activity?.SetTag(Tags.ProcessId, process.Id);
        HostActivities.Stop(_activity, null);
        if (HostMetrics.Spawns.Enabled)
            HostMetrics.Spawns.Add(1, new(Tags.Caller, _caller), new(Tags.Outcome, Ok));
    }

    public void Failed(Exception error)
    {
        HostActivities.Stop(_activity, error);
        if (HostMetrics.Spawns.Enabled)
            HostMetrics.Spawns.Add(1, new(Tags.Caller, _caller), new(Tags.Outcome, HostMetrics.Outcome(error)));
        if (error is Runtime.PluginException plugin)
            HostMetrics.RecordIfRefusal(_caller, SpawnOperation, plugin.Kind);
    }
}
