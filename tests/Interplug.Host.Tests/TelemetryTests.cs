using System.Collections.Concurrent;
using System.Diagnostics;
using Interplug.Runtime;

namespace Interplug.Host.Tests;

/// <summary>Every call into a process is an Activity of source "Interplug.Host", nested like the calls; so are spawns and compiles.</summary>
public sealed class TelemetryTests : IDisposable
{
    private static readonly ActivitySource TestSource = new("Interplug.Host.Tests");

    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public TelemetryTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is InterplugDiagnostics.ActivitySourceName or "Interplug.Host.Tests",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>Runs the action under a test activity and returns the host's activities of <paramref name="operation"/> in that trace, in start order.</summary>
    private (Activity Root, Activity[] Calls) Trace(Action action, string operation = InterplugDiagnostics.CallActivityName)
    {
        using var root = TestSource.StartActivity("test")!;
        Assert.NotNull(root);
        action();
        root.Stop();
        return (root, Stopped(root, operation));
    }

    /// <summary>The host's activities of <paramref name="operation"/> in the trace of <paramref name="root"/>, in start order.</summary>
    private Activity[] Stopped(Activity root, string operation) =>
        [.. _stopped
            .Where(a => a.TraceId == root.TraceId && a.Source.Name == InterplugDiagnostics.ActivitySourceName && a.OperationName == operation)
            .OrderBy(a => a.StartTimeUtc)];

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
    public void Each_spawn_is_one_activity_under_its_callers_call_with_caller_plugin_process_and_outcome()
    {
        using var host = TestHosts.Host(catalog: TestHosts.CatalogWithRelayAs("relay_copy"));

        var (root, spawns) = Trace(() => host.RunText("relay", "chain", "relay_copy"), InterplugDiagnostics.SpawnActivityName);

        Assert.Equal(["spawn relay", "spawn relay_copy"], spawns.Select(s => s.DisplayName));
        var (top, child) = (spawns[0], spawns[1]);
        Assert.Equal(InterplugDiagnostics.HostCaller, Tag(top, InterplugDiagnostics.Tags.Caller));
        Assert.Equal(root.SpanId, top.ParentSpanId);
        Assert.Equal("relay", Tag(child, InterplugDiagnostics.Tags.Caller));
        Assert.Equal("relay_copy", Tag(child, InterplugDiagnostics.Tags.Plugin));
        Assert.IsType<long>(Tag(child, InterplugDiagnostics.Tags.ProcessId));
        Assert.Equal(Stopped(root, InterplugDiagnostics.CallActivityName)[0].SpanId, child.ParentSpanId);
        Assert.All(spawns, s => Assert.Equal(InterplugDiagnostics.Ok, Tag(s, InterplugDiagnostics.Tags.Outcome)));
    }

    [Fact]
    public void A_failed_spawn_records_its_kind_and_message()
    {
        using var host = TestHosts.Host(catalog: TestHosts.CatalogWithRelayAs("relay_copy"));

        var (_, spawns) = Trace(() => TestHosts.Fails(PluginErrorKind.NotFound, () => host.RunText("relay", "chain", "missing")), InterplugDiagnostics.SpawnActivityName);

        var missing = spawns.Single(s => s.DisplayName == "spawn missing");
        Assert.Equal("NotFound", Tag(missing, InterplugDiagnostics.Tags.Outcome));
        Assert.Equal(ActivityStatusCode.Error, missing.Status);
        Assert.Contains("missing", missing.StatusDescription, StringComparison.Ordinal);
    }

    [Fact]
    public void A_first_spawn_of_a_plugin_shows_its_compile_under_it_and_later_spawns_do_not()
    {
        using var host = TestHosts.Host(catalog: TestHosts.CatalogWithRelayAs("relay_copy"));

        var (root, compiles) = Trace(() =>
        {
            host.RunText("relay", "chain", "relay_copy");
            host.RunText("relay", "chain", "relay_copy");
        }, InterplugDiagnostics.CompileActivityName);

        Assert.Equal(["compile relay", "compile relay_copy"], compiles.Select(c => c.DisplayName));
        var spawns = Stopped(root, InterplugDiagnostics.SpawnActivityName);
        Assert.Equal(4, spawns.Length);
        Assert.Equal(spawns.Take(2).Select(s => s.SpanId), compiles.Select(c => c.ParentSpanId));
        Assert.All(compiles, c => Assert.Equal(InterplugDiagnostics.Ok, Tag(c, InterplugDiagnostics.Tags.Outcome)));
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
