using Interplug.Runtime.Manifests;

namespace Interplug.Runtime.Tests;

/// <summary>
/// Once a plugin runs, config_get, var_get and var_set allocate no managed memory per call: keys
/// are looked up as the plugin's bytes, config values are encoded once per compiled plugin, and a
/// var updated to a value of the same length is overwritten in place. A PDK plugin calls them on
/// every call, so garbage here would be garbage on every call of every instance. Nor does the call
/// itself: a warm call with no input and no output allocates nothing.
/// </summary>
public sealed class HostFunctionAllocationTests
{
    // Each export runs its host function $arg times on fresh key blocks, as a PDK does.
    private const string Body = """
          (data (i32.const 0) "vowels")
          (data (i32.const 8) "total")
          (data (i32.const 16) "42")
          (func (export "empty") (result i32) (i32.const 0))
          (func (export "config_get") (result i32)
            (local $i i64)
            (block $done (loop $next
              (br_if $done (i64.ge_u (local.get $i) (call $arg)))
              (call $free (call $config_get (call $str (i32.const 0) (i32.const 6))))
              (local.set $i (i64.add (local.get $i) (i64.const 1)))
              (br $next)))
            (i32.const 0))
          (func (export "var_set_get") (result i32)
            (local $i i64)
            (block $done (loop $next
              (br_if $done (i64.ge_u (local.get $i) (call $arg)))
              (call $var_set (call $str (i32.const 8) (i32.const 5)) (call $str (i32.const 16) (i32.const 2)))
              (call $free (call $var_get (call $str (i32.const 8) (i32.const 5))))
              (local.set $i (i64.add (local.get $i) (i64.const 1)))
              (br $next)))
            (i32.const 0))
        """;

    private static readonly Lazy<CompiledPlugin> Plugin = new(() => TestPlugins.Runtime.Compile(
        TestPlugins.Wat(TestPlugins.Module(Body)) with { Config = new Dictionary<string, string> { ["vowels"] = "aeiou" } }));

    [Theory]
    [InlineData("config_get")]
    [InlineData("var_set_get")]
    public void A_warm_host_function_call_allocates_no_managed_memory(string export)
    {
        using var instance = Plugin.Value.Instantiate();
        const long Rounds = 10_000;
        instance.Call(export, BitConverter.GetBytes(3L)); // warm-up: the var exists, every path is compiled

        var before = GC.GetAllocatedBytesForCurrentThread();
        instance.Call(export, BitConverter.GetBytes(Rounds));
        var perRound = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Rounds;

        // The call itself allocates its (empty) output at most; one object per round would be 24 B or more.
        Assert.True(perRound < 1, $"{perRound:F2} B allocated per round of {export}");
    }

    [Fact]
    public void A_warm_call_without_input_or_output_allocates_no_managed_memory()
    {
        using var instance = Plugin.Value.Instantiate();
        const int Calls = 1_000;
        for (var i = 0; i < Calls; i++)
            instance.Call("empty", []); // warm-up: every path is compiled

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Calls; i++)
            instance.Call("empty", []);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
