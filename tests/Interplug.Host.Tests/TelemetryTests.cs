using System.Collections.Concurrent;
using System.Diagnostics;
using Interplug.Runtime;

namespace Interplug.Host.Tests;

/// <summary>Every call into a process is an Activity of source "Interplug.Host", nested like the calls.</summary>
public sealed class TelemetryTests : IDisposable
{
    private static readonly ActivitySource TestSource = new("Interplug.Host.Tests");

    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public TelemetryTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Interplug.Host" or "Interplug.Host.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>Runs the action under a test activity and returns the host's activities of that trace, in start order.</summary>
    private (Activity Root, Activity[] Calls) Trace(Action action)
    {
        using var root = TestSource.StartActivity("test")!;
        Assert.NotNull(root);
        action();
        root.Stop();
        var calls = _stopped
            .Where(a => a.TraceId == root.TraceId && a.Source.Name == "Interplug.Host")
            .OrderBy(a => a.StartTimeUtc)
            .ToArray();
        return (root, calls);
    }

    private static object? Tag(Activity activity, string name) => activity.GetTagItem(name);

    [Fact]
    public void Each_call_is_one_activity_with_caller_callee_export_bytes_and_outcome()
    {
        using var host = TestHosts.Host();

        var (root, calls) = Trace(() => Assert.Equal("relay(relay(end))", host.RunText("relay", "chain", "relay,relay")));

        Assert.Equal(3, calls.Length);
        var (top, middle, bottom) = (calls[0], calls[1], calls[2]);

        Assert.Equal("relay.chain", top.DisplayName);
        Assert.Equal("(host)", Tag(top, "interplug.caller"));
        Assert.Equal("relay", Tag(top, "interplug.callee"));
        Assert.Equal("chain", Tag(top, "interplug.export"));
        Assert.Equal("relay,relay".Length, Tag(top, "interplug.bytes_in"));
        Assert.Equal("relay(relay(end))".Length, Tag(top, "interplug.bytes_out"));
        Assert.Equal("ok", Tag(top, "interplug.outcome"));

        Assert.Equal("relay", Tag(middle, "interplug.caller"));
        Assert.Equal("relay".Length, Tag(middle, "interplug.bytes_in"));
        Assert.Equal("relay(end)".Length, Tag(middle, "interplug.bytes_out"));
        Assert.Equal(0, Tag(bottom, "interplug.bytes_in"));
        Assert.Equal("end".Length, Tag(bottom, "interplug.bytes_out"));

        Assert.Equal(root.SpanId, top.ParentSpanId);
        Assert.Equal(top.SpanId, middle.ParentSpanId);
        Assert.Equal(middle.SpanId, bottom.ParentSpanId);
    }

    [Fact]
    public void Spawning_and_freeing_are_not_calls()
    {
        using var host = TestHosts.Host();

        var (_, calls) = Trace(() => Assert.Equal("ok 5", host.RunText("relay", "spawn_free", "5 echo")));

        var call = Assert.Single(calls);
        Assert.Equal("spawn_free", Tag(call, "interplug.export"));
    }

    [Fact]
    public void A_failed_call_records_its_kind_as_outcome_on_every_level_it_crossed()
    {
        using var host = TestHosts.Host();

        var (_, calls) = Trace(() => TestHosts.Fails(PluginErrorKind.Trap, () => host.RunText("relay", "chain", "driver,trap trap")));

        Assert.Equal(["relay", "driver", "trap"], calls.Select(c => (string)Tag(c, "interplug.callee")!));
        Assert.All(calls, c =>
        {
            Assert.Equal("Trap", Tag(c, "interplug.outcome"));
            Assert.Equal(0, Tag(c, "interplug.bytes_out"));
            Assert.Equal(ActivityStatusCode.Error, c.Status);
        });
        Assert.Equal("driver", Tag(calls[2], "interplug.caller"));
        Assert.Equal(calls[1].SpanId, calls[2].ParentSpanId);
    }

    [Fact]
    public void A_failure_handled_by_the_plugin_shows_as_a_failed_child_under_a_successful_parent()
    {
        using var host = TestHosts.Host();

        var (_, calls) = Trace(() => Assert.StartsWith("error -6: ", host.RunText("relay", "try_chain", "echo")));

        Assert.Equal(2, calls.Length);
        Assert.Equal("ok", Tag(calls[0], "interplug.outcome"));
        Assert.Equal("ExportNotFound", Tag(calls[1], "interplug.outcome"));
        Assert.Equal("try_chain", Tag(calls[1], "interplug.export"));
    }
}
