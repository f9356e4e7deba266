namespace Interplug.Runtime.Tests;

/// <summary>
/// A runtime created with <see cref="PluginRuntimeOptions.MeterFuel"/> off runs plugins without
/// counting fuel, and rejects every fuel limit with a clear error instead of ignoring it.
/// </summary>
public sealed class FuelMeteringTests : IDisposable
{
    private readonly PluginRuntime _unmetered = new(new PluginRuntimeOptions { MeterFuel = false });

    public void Dispose() => _unmetered.Dispose();

    [Fact]
    public void Runtimes_meter_fuel_unless_told_not_to()
    {
        Assert.True(TestPlugins.Runtime.MetersFuel);
        Assert.False(_unmetered.MetersFuel);
    }

    [Fact]
    public void Plugins_run_and_keep_their_state_without_metering()
    {
        using var plugin = _unmetered.Compile(TestPlugins.Dist("count_vowels"));
        using var instance = plugin.Instantiate();
        Assert.Equal("""{"count":3,"total":3,"vowels":"aeiouAEIOU"}""", instance.CallText("count_vowels", "Hello, World!"));
        Assert.Equal("""{"count":3,"total":6,"vowels":"aeiouAEIOU"}""", instance.CallText("count_vowels", "Hello, World!"));
    }

    [Fact]
    public void A_fuel_limit_per_call_cannot_be_compiled_in()
    {
        var e = Assert.Throws<ArgumentException>(() => _unmetered.Compile(TestPlugins.Dist("count_vowels"), new PluginOptions { FuelPerCall = 1_000 }));
        Assert.Contains("MeterFuel", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fuel_limit_in_call_options_is_a_bad_argument_and_the_instance_stays_usable()
    {
        using var plugin = _unmetered.Compile(TestPlugins.Dist("echo"));
        using var instance = plugin.Instantiate();
        var e = Assert.Throws<ArgumentException>(() => instance.Call("echo", "x"u8, new CallOptions { Fuel = 1_000 }));
        Assert.Equal("options", e.ParamName);
        Assert.Contains("meters fuel", e.Message, StringComparison.Ordinal);
        Assert.False(instance.LastCallInterrupted);
        Assert.Equal("y"u8.ToArray(), instance.Call("echo", "y"u8));
    }

    [Fact]
    public void Host_functions_see_no_fuel_limit()
    {
        long? seen = 0;
        var probe = HostFunction.FromMethod("probe", (CurrentPlugin plugin) =>
        {
            seen = plugin.RemainingFuel;
            return 0L;
        });
        const string Wat = """
            (module
              (import "extism:host/user" "probe" (func $probe (result i64)))
              (func (export "run") (result i32) (drop (call $probe)) (i32.const 0)))
            """;
        using var plugin = _unmetered.Compile(TestPlugins.Wat(Wat), new PluginOptions { HostFunctions = [probe] });
        using var instance = plugin.Instantiate();
        instance.Call("run", []);
        Assert.Null(seen);
    }
}
