using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Interplug.Runtime;
using static Interplug.Host.InterplugDiagnostics;

namespace Interplug.Host.Diagnostics;

/// <summary>
/// The instruments of <see cref="InterplugDiagnostics.MeterName"/>, one set for every host of the
/// process, as in the .NET libraries' own meters. Recording sites check
/// <see cref="Instrument.Enabled"/> first, so that nothing is built while nobody listens.
/// </summary>
internal static class HostMetrics
{
    private static readonly Meter Meter = new(MeterName);

    // Hosts alive, weakly: the live-instance count sums them when observed, so a listener that
    // starts late still sees the instances already alive.
    private static readonly ConditionalWeakTable<PluginHost, object> Hosts = [];

    public static readonly Counter<long> Calls = Meter.CreateCounter<long>(Instruments.Calls, "{call}",
        "Calls into plugin processes, top-level or plugin to plugin, that ended, by callee and outcome");

    public static readonly Histogram<double> CallDuration = Meter.CreateHistogram(Instruments.CallDuration, "s",
        "Duration of calls into plugin processes, by callee and outcome",
        advice: new InstrumentAdvice<double>
        {
            // Plugin calls take microseconds to the policy's timeout: wider than the HTTP defaults at both ends.
            HistogramBucketBoundaries = [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        });

    public static readonly Counter<long> Spawns = Meter.CreateCounter<long>(Instruments.Spawns, "{spawn}",
        "Process starts, by the application or by plugins, by caller and outcome");

    public static readonly Counter<long> Refusals = Meter.CreateCounter<long>(Instruments.Refusals, "{refusal}",
        "Spawns and calls refused by the policy or a limit, by caller, operation and kind");

    public static readonly ObservableUpDownCounter<int> LiveInstances = Meter.CreateObservableUpDownCounter(Instruments.LiveInstances,
        ObserveLiveInstances, "{instance}", "Plugin instances alive in every host of the process");

    /// <summary>Counts <paramref name="host"/>'s instances in <see cref="LiveInstances"/> for as long as it lives.</summary>
    public static void Track(PluginHost host) => Hosts.AddOrUpdate(host, host);

    /// <summary>Records a refusal to <paramref name="caller"/>, if <paramref name="kind"/> is one.</summary>
    public static void RecordIfRefusal(string caller, string operation, PluginErrorKind kind)
    {
        if (Refusals.Enabled && IsRefusal(kind))
            Refusals.Add(1, new(Tags.Caller, caller), new(Tags.Operation, operation), new(Tags.Outcome, kind.ToString()));
    }

    /// <summary>The <see cref="Tags.Outcome"/> of a failure: its kind, or the exception's type for a failure that is not a plugin's.</summary>
    public static string Outcome(Exception error) => error is PluginException plugin ? plugin.Kind.ToString() : error.GetType().Name;

    private static bool IsRefusal(PluginErrorKind kind) => kind is PluginErrorKind.PermissionDenied or PluginErrorKind.QuotaExceeded
        or PluginErrorKind.LimitExceeded or PluginErrorKind.DepthExceeded or PluginErrorKind.CallCycle;

    private static int ObserveLiveInstances()
    {
        var live = 0;
        foreach (var (host, _) in Hosts)
            live += host.LiveInstances;
        return live;
    }
}
