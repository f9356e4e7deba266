using System.Diagnostics;
using Interplug.Host.Diagnostics;
using Interplug.Runtime;
using Microsoft.Extensions.Logging;
using static Interplug.Host.InterplugDiagnostics;

namespace Interplug.Host.Calls;

/// <summary>
/// Every call into a process, top-level or plugin to plugin, as an <see cref="Activity"/> of
/// <see cref="InterplugDiagnostics.CallActivityName"/>, in the call counter and duration histogram,
/// and as a debug log line: caller, callee, export, bytes in and out, duration and outcome. Costs
/// next to nothing, and allocates nothing, when nobody listens.
/// </summary>
internal sealed partial class CallTelemetry(ILogger logger)
{
    public Scope Start(string caller, PluginProcess callee, string export, int bytesIn)
    {
        // The name is only built for a listener: an interpolated string on every call allocated 89 B per round trip.
        // Created, named and tagged before it starts, so that listeners see whose call it is when it starts.
        var activity = HostActivities.Source.HasListeners() ? HostActivities.Source.CreateActivity(CallActivityName, ActivityKind.Internal) : null;
        if (activity is not null)
        {
            activity.DisplayName = $"{callee.Name}.{export}";
            activity.SetTag(Tags.Caller, caller);
            activity.SetTag(Tags.Callee, callee.Name);
            activity.SetTag(Tags.CalleeId, callee.Id);
            if (callee.Remote is { } remote)
                activity.SetTag(Tags.CalleeSite, remote.Site);
            activity.SetTag(Tags.Export, export);
            activity.SetTag(Tags.BytesIn, bytesIn);
            activity.Start();
        }
        // The start time is for the debug log line and the duration histogram (an activity keeps its own).
        var timed = IsDebugEnabled || HostMetrics.CallDuration.Enabled;
        return new Scope(this, activity, caller, callee, export, bytesIn, timed ? Stopwatch.GetTimestamp() : 0);
    }

    /// <summary>Records a call of <paramref name="caller"/> refused before it started, by the policy or a limit, and returns the refusal to throw.</summary>
    public static PluginException Refused(string caller, PluginException error)
    {
        HostMetrics.RecordIfRefusal(caller, CallOperation, error.Kind);
        return error;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Caller} → {Callee}.{Export}: {BytesIn} B in, {BytesOut} B out, {Outcome} in {Milliseconds:0.###} ms")]
    private partial void LogCall(string caller, string callee, string export, int bytesIn, int bytesOut, string outcome, double milliseconds);

    /// <summary>One call in flight; end it exactly once.</summary>
    public readonly struct Scope(CallTelemetry owner, Activity? activity, string caller, PluginProcess callee, string export, int bytesIn, long started)
    {
        public void Succeeded(int bytesOut) => End(bytesOut, Ok, null);

        public void Failed(PluginException error) => End(0, error.Kind.ToString(), error.Message);

        private void End(int bytesOut, string outcome, string? error)
        {
            if (activity is not null)
            {
                activity.SetTag(Tags.BytesOut, bytesOut);
                activity.SetTag(Tags.Outcome, outcome);
                if (error is not null)
                    activity.SetStatus(ActivityStatusCode.Error, error);
                activity.Dispose();
            }
            if (HostMetrics.Calls.Enabled)
                HostMetrics.Calls.Add(1, new(Tags.Callee, callee.Name), new(Tags.Outcome, outcome));
            if (started == 0)
                return;
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (HostMetrics.CallDuration.Enabled)
                HostMetrics.CallDuration.Record(elapsed.TotalSeconds, new(Tags.Callee, callee.Name), new(Tags.Outcome, outcome));
            if (owner.IsDebugEnabled)
                owner.LogCall(caller, callee.Name, export, bytesIn, bytesOut, outcome, elapsed.TotalMilliseconds);
        }
    }

    private bool IsDebugEnabled => logger.IsEnabled(LogLevel.Debug);
}
