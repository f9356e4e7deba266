using System.Diagnostics;

namespace Interplug.Cli;

/// <summary>Collects the host's call activities and prints them as a tree, for <c>--trace</c>.</summary>
internal sealed class CallTrace : IDisposable
{
    private readonly List<Activity> _calls = [];
    private readonly ActivityListener _listener;

    public CallTrace()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Interplug.Host",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (_calls)
                    _calls.Add(activity);
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Print(TextWriter writer)
    {
        Activity[] calls;
        lock (_calls)
            calls = [.. _calls.OrderBy(a => a.StartTimeUtc)];
        var ids = calls.Select(a => a.SpanId).ToHashSet();
        foreach (var root in calls.Where(a => a.ParentSpanId == default || !ids.Contains(a.ParentSpanId)))
            Print(writer, root, calls, "", "");
    }

    public void Dispose() => _listener.Dispose();

    private static void Print(TextWriter writer, Activity call, Activity[] all, string lead, string childLead)
    {
        var outcome = call.GetTagItem("interplug.outcome") as string ?? "?";
        // The name holds an export name and the description an error message, both of the plugin's choosing.
        writer.WriteLine($"{lead}{TerminalText.Escape(call.DisplayName)}  {call.GetTagItem("interplug.bytes_in")} B in, {call.GetTagItem("interplug.bytes_out")} B out, {call.Duration.TotalMilliseconds:0.###} ms, {outcome}"
            + (call.Status == ActivityStatusCode.Error ? $": {TerminalText.Escape(call.StatusDescription ?? "")}" : ""));
        var children = all.Where(a => a.ParentSpanId == call.SpanId).ToArray();
        for (var i = 0; i < children.Length; i++)
        {
            var last = i == children.Length - 1;
            Print(writer, children[i], all, childLead + (last ? "└─ " : "├─ "), childLead + (last ? "   " : "│  "));
        }
    }
}
