using System.Diagnostics;
using Interplug.Runtime;
using Microsoft.Extensions.Logging;

namespace Interplug.Host.Calls;

/// <summary>
/// Every call into a process, top-level or plugin to plugin, as an <see cref="Activity"/> of
/// <see cref="SourceName"/> and a debug log line: caller, callee, export, bytes in and out,
/// duration and outcome. Costs next to nothing when nobody listens.
/// </summary>
internal sealed partial class CallTelemetry(ILogger logger)
{
    public const string SourceName = "Interplug.Host";
    public const string HostCaller = "(host)";

    private static readonly ActivitySource Source = new(SourceName);

    public Scope Start(string caller, PluginProcess callee, string export, int bytesIn)
    {
        // The name is only built for a listener: an interpolated string on every call allocated 89 B per round trip.
        var activity = Source.HasListeners() ? Source.StartActivity($"{callee.Name}.{export}", ActivityKind.Internal) : null;
        if (activity is not null)
        {
            activity.SetTag("interplug.caller", caller);
            activity.SetTag("interplug.callee", callee.Name);
            activity.SetTag("interplug.callee_id", callee.Id);
            activity.SetTag("interplug.export", export);
            activity.SetTag("interplug.bytes_in", bytesIn);
        }
        // The start time is only for the debug log line (an activity keeps its own).
        return new Scope(this, activity, caller, callee, export, bytesIn, IsDebugEnabled ? Stopwatch.GetTimestamp() : 0);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Caller} → {Callee}.{Export}: {BytesIn} B in, {BytesOut} B out, {Outcome} in {Milliseconds:0.###} ms")]
    private partial void LogCall(string caller, string callee, string export, int bytesIn, int bytesOut, string outcome, double milliseconds);

    /// <summary>One call in flight; end it exactly once.</summary>
    public readonly struct Scope(CallTelemetry owner, Activity? activity, string caller, PluginProcess callee, string export, int bytesIn, long started)
    {
        public void Succeeded(int bytesOut) => End(bytesOut, "ok", null);

        public void Failed(PluginException error) => End(0, error.Kind.ToString(), error.Message);

        private void End(int bytesOut, string outcome, string? error)
        {
            if (activity is not null)
            {
                activity.SetTag("interplug.bytes_out", bytesOut);
                activity.SetTag("interplug.outcome", outcome);
                if (error is not null)
                    activity.SetStatus(ActivityStatusCode.Error, error);
                activity.Dispose();
            }
            if (owner.IsDebugEnabled)
            {
                var milliseconds = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                owner.LogCall(caller, callee.Name, export, bytesIn, bytesOut, outcome, milliseconds);
            }
        }
    }

    private bool IsDebugEnabled => logger.IsEnabled(LogLevel.Debug);
}
