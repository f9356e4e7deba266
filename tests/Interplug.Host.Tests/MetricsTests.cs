using Interplug.Host.Policy;
using Interplug.Runtime;
using static Interplug.Host.InterplugDiagnostics;

namespace Interplug.Host.Tests;

/// <summary>
/// The host's instruments under <see cref="InterplugDiagnostics.MeterName"/>. The meter serves
/// every host of the process, so each test names its plugins uniquely and reads only what is
/// tagged with those names.
/// </summary>
public sealed class MetricsTests : IDisposable
{
    private readonly MeasurementRecorder _recorder = new();

    public void Dispose() => _recorder.Dispose();

    [Fact]
    public void Calls_are_counted_and_timed_in_seconds_by_callee_and_outcome()
    {
        using var host = TestHosts.Host(catalog: TestHosts.CatalogWithRelayAs("calls_top", "calls_mid"));

        host.RunText("calls_top", "chain", "calls_mid");
        TestHosts.Fails(PluginErrorKind.Trap, () => host.RunText("calls_top", "chain", "driver,trap trap"));

        Assert.Equal(new Dictionary<string, double> { [Ok] = 1, ["Trap"] = 1 }, _recorder.CountsByOutcome(Instruments.Calls, Tags.Callee, "calls_top"));
        Assert.Equal(new Dictionary<string, double> { [Ok] = 1 }, _recorder.CountsByOutcome(Instruments.Calls, Tags.Callee, "calls_mid"));
        var durations = _recorder.Of(Instruments.CallDuration, Tags.Callee, "calls_top");
        Assert.Equal(2, durations.Length);
        Assert.All(durations, d =>
        {
            Assert.Equal("s", d.Unit);
            Assert.InRange(d.Value, double.Epsilon, 60);
        });
    }

    [Fact]
    public void Spawns_are_counted_by_caller_and_outcome()
    {
        using var host = TestHosts.Host(catalog: TestHosts.CatalogWithRelayAs("spawns_top", "spawns_mid"));

        host.RunText("spawns_top", "chain", "spawns_mid");
        TestHosts.Fails(PluginErrorKind.NotFound, () => host.RunText("spawns_top", "chain", "spawns_missing"));

        Assert.Equal(new Dictionary<string, double> { [Ok] = 1, ["NotFound"] = 1 }, _recorder.CountsByOutcome(Instruments.Spawns, Tags.Caller, "spawns_top"));
        Assert.Empty(_recorder.Of(Instruments.Spawns, Tags.Caller, "spawns_mid"));
        Assert.Contains(_recorder.Of(Instruments.Spawns, Tags.Caller, HostCaller), m => m.Tag(Tags.Outcome) == Ok);
    }

    [Fact]
    public void A_refused_spawn_is_counted_once_where_refused_though_every_call_it_crosses_fails()
    {
        var policy = TestHosts.Policy(("refuse_top", new PolicyRule { Spawn = ["refuse_mid"] }));
        using var host = TestHosts.Host(policy, TestHosts.CatalogWithRelayAs("refuse_top", "refuse_mid"));

        TestHosts.Fails(PluginErrorKind.PermissionDenied, () => host.RunText("refuse_top", "chain", "refuse_mid,echo"));

        var refusal = Assert.Single(_recorder.Of(Instruments.Refusals, Tags.Caller, "refuse_mid"));
        Assert.Equal((SpawnOperation, "PermissionDenied", 1.0), (refusal.Tag(Tags.Operation), refusal.Tag(Tags.Outcome), refusal.Value));
        Assert.Empty(_recorder.Of(Instruments.Refusals, Tags.Caller, "refuse_top"));
        Assert.Equal(new Dictionary<string, double> { ["PermissionDenied"] = 1 }, _recorder.CountsByOutcome(Instruments.Calls, Tags.Callee, "refuse_top"));
        Assert.Equal(new Dictionary<string, double> { ["PermissionDenied"] = 1 }, _recorder.CountsByOutcome(Instruments.Calls, Tags.Callee, "refuse_mid"));
    }

    [Fact]
    public void Calls_refused_by_the_policy_or_the_depth_limit_are_refusals_of_their_caller()
    {
        var policy = new PluginPolicy
        {
            Defaults = PluginPolicy.BuiltInDefaults with { MaxDepth = 2 },
            Plugins = new Dictionary<string, PolicyRule>
            {
                ["narrow_top"] = new() { Spawn = ["echo"], Call = new Dictionary<string, IReadOnlyList<string>> { ["echo"] = ["echo"] } },
                ["*"] = TestHosts.SpawnAll,
            },
        };
        using var host = TestHosts.Host(policy, TestHosts.CatalogWithRelayAs("narrow_top", "deep_top", "deep_mid", "deep_low"));

        TestHosts.Fails(PluginErrorKind.PermissionDenied, () => host.RunText("narrow_top", "chain", "echo"));
        TestHosts.Fails(PluginErrorKind.DepthExceeded, () => host.RunText("deep_top", "chain", "deep_mid,deep_low"));

        var denied = Assert.Single(_recorder.Of(Instruments.Refusals, Tags.Caller, "narrow_top"));
        Assert.Equal((CallOperation, "PermissionDenied"), (denied.Tag(Tags.Operation), denied.Tag(Tags.Outcome)));
        var tooDeep = Assert.Single(_recorder.Of(Instruments.Refusals, Tags.Caller, "deep_mid"));
        Assert.Equal((CallOperation, "DepthExceeded"), (tooDeep.Tag(Tags.Operation), tooDeep.Tag(Tags.Outcome)));
        Assert.Empty(_recorder.Of(Instruments.Refusals, Tags.Caller, "deep_top"));
    }
}

/// <summary>The live-instance count sums every host of the process, so it is read with no other test running.</summary>
[Collection(RunsAlone.Name)]
public sealed class LiveInstancesMetricTests
{
    [Fact]
    public void Live_instances_follow_processes_started_and_freed()
    {
        using var recorder = new MeasurementRecorder();
        var before = recorder.Observe(Instruments.LiveInstances);
        using var host = TestHosts.Host();

        using (host.Start("echo"))
        using (host.Start("relay"))
            Assert.Equal(before + 2, recorder.Observe(Instruments.LiveInstances));

        Assert.Equal(before, recorder.Observe(Instruments.LiveInstances));
    }
}
