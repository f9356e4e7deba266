using Interplug.Host.Policy;
using Interplug.Runtime;

namespace Interplug.Host.Tests;

/// <summary>
/// A host meters fuel only when something can limit it: its policy sets a fuel limit, or
/// <see cref="PluginHostOptions.MeterFuel"/> asks for it. Without metering, a fuel limit is an error.
/// </summary>
public sealed class FuelMeteringTests
{
    private static PluginHost OwnRuntimeHost(PluginPolicy policy, bool? meterFuel = null) => new(new PluginHostOptions
    {
        Catalog = TestHosts.Catalog(),
        Policy = policy,
        MeterFuel = meterFuel,
        MaxLiveInstances = 16,
    });

    [Fact]
    public void A_host_whose_policy_sets_no_fuel_runs_unmetered_and_refuses_a_fuel_limit_at_start_as_a_bad_argument()
    {
        using var host = OwnRuntimeHost(PluginPolicy.AllowAll);
        Assert.Equal("hi", host.RunText("echo", "echo", "hi"));
        var e = Assert.Throws<ArgumentException>(() => host.Start("loop_forever", new PolicyRule { Fuel = 1_000_000 }));
        Assert.Contains("MeterFuel", e.Message, StringComparison.Ordinal);
        Assert.Equal("limits", e.ParamName);
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void MeterFuel_lets_Start_limit_fuel_under_a_policy_without_any()
    {
        using var host = OwnRuntimeHost(PluginPolicy.AllowAll, meterFuel: true);
        using var looping = host.Start("loop_forever", new PolicyRule { Fuel = 1_000_000 });
        TestHosts.Fails(PluginErrorKind.OutOfFuel, () => looping.Call("loop_forever", []));
    }

    [Fact]
    public void A_policy_that_sets_fuel_makes_the_host_meter_it()
    {
        using var host = OwnRuntimeHost(TestHosts.Policy(("loop_forever", new PolicyRule { Fuel = 1_000_000 })));
        TestHosts.Fails(PluginErrorKind.OutOfFuel, () => host.RunText("loop_forever", "loop_forever"));
    }

    [Fact]
    public void A_runtime_that_does_not_meter_fuel_is_refused_for_a_policy_that_sets_fuel()
    {
        using var runtime = new PluginRuntime(new PluginRuntimeOptions { MeterFuel = false });
        var options = new PluginHostOptions { Catalog = TestHosts.Catalog(), Policy = TestHosts.Policy(("echo", new PolicyRule { Fuel = 1_000 })) };
        Assert.Throws<ArgumentException>(() => new PluginHost(options, runtime));
    }
}
