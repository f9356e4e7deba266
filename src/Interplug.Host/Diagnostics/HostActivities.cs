using System.Diagnostics;
using static Interplug.Host.InterplugDiagnostics;

namespace Interplug.Host.Diagnostics;

/// <summary>The activities of <see cref="InterplugDiagnostics.ActivitySourceName"/>; each is only built while someone listens.</summary>
internal static class HostActivities
{
    public static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>An activity of <paramref name="operation"/> shown as <c>verb name</c>, or null when nobody listens.</summary>
    public static Activity? Start(string operation, string verb, string name)
    {
        if (!Source.HasListeners())
            return null;
        var activity = Source.StartActivity(operation, ActivityKind.Internal);
        if (activity is not null)
        {
            activity.DisplayName = $"{verb} {name}";
            activity.SetTag(Tags.Plugin, name);
        }
        return activity;
    }

    /// <summary>Ends <paramref name="activity"/> with its outcome: <see cref="Ok"/> when <paramref name="error"/> is null.</summary>
    public static void Stop(Activity? activity, Exception? error)
    {
        if (activity is null)
            return;
        activity.SetTag(Tags.Outcome, error is null ? Ok : HostMetrics.Outcome(error));
        if (error is not null)
            activity.SetStatus(ActivityStatusCode.Error, error.Message);
        activity.Dispose();
    }
}
