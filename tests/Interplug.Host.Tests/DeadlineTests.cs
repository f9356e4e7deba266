using System.Text;
using Interplug.Host.Policy;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Host.Tests;

/// <summary>A plugin's timeout bounds everything below it on the chain; huge timeouts mean none, without overflow.</summary>
public sealed class DeadlineTests
{
    /// <summary><c>serial.run</c>: spawns <c>slow</c>, calls its <c>loop_forever</c> through try_call_plugin, frees it, and again, without end.</summary>
    private const string SerialWat = $$"""
        (module
          (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
          (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
          (import "extism:host/user" "try_register_plugin" (func $try_register (param i64) (result i64)))
          (import "extism:host/user" "try_call_plugin" (func $try_call (param i64 i64 i64) (result i64)))
          (import "extism:host/user" "free_plugin" (func $free_plugin (param i64) (result i64)))
          (memory (export "memory") 1)
          (data (i32.const 0) "slow")
          (data (i32.const 8) "loop_forever")
          {{GuestWat.Str}}
          (func (export "run") (result i32)
            (local $id i64)
            (loop $again
              (local.set $id (call $try_register (call $str (i32.const 0) (i32.const 4))))
              (drop (call $try_call (local.get $id) (call $str (i32.const 8) (i32.const 12)) (i64.const 0)))
              (drop (call $free_plugin (local.get $id)))
              (br $again))
            (i32.const 0)))
        """;

    [Fact]
    public void A_mid_chain_plugins_timeout_bounds_the_calls_it_makes_one_after_another()
    {
        // serial may run 3 s; each slow child 2.9 s. Were each child's budget counted from its own
        // call, the second would end 5.8 s after serial started, and serial only then.
        var catalog = TestHosts.Catalog()
            .Add("serial", Manifest.FromBytes(Encoding.UTF8.GetBytes(SerialWat)))
            .Add("slow", Manifest.FromWasmFile(TestHosts.DistPath("loop_forever")));
        using var host = TestHosts.Host(TestHosts.Policy(
            ("serial", TestHosts.SpawnAll with { TimeoutMs = 3_000 }),
            ("slow", new PolicyRule { TimeoutMs = 2_900 }),
            ("*", TestHosts.SpawnAll)), catalog);

        var e = TestHosts.FailsWithin(TimeSpan.FromSeconds(5), PluginErrorKind.Timeout, () => host.RunText("driver", "chain", "serial run"));

        Assert.StartsWith("driver → serial", e.CallChain);
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void A_timeout_of_long_MaxValue_means_no_effective_timeout()
    {
        using var host = TestHosts.Host(new PluginPolicy
        {
            Defaults = PluginPolicy.BuiltInDefaults with { TimeoutMs = long.MaxValue },
            Plugins = new Dictionary<string, PolicyRule> { ["*"] = TestHosts.SpawnAll },
        });

        Assert.Equal("relay(relay(end))", host.RunText("relay", "chain", "relay,relay"));
    }
}
