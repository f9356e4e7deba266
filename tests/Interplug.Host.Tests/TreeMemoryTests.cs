using Interplug.Host.Catalog;
using Interplug.Host.Policy;
using Interplug.Runtime.Manifests;

namespace Interplug.Host.Tests;

/// <summary>
/// A tree's memory is bounded by its root's budget: children, each within its own budget, cannot
/// together hold more than the root may.
/// </summary>
public class TreeMemoryTests
{
    /// <summary><c>block.grab</c>: grows its memory by 200 pages (12.5 MiB); exit code 1 when refused.</summary>
    private const string BlockWat = """
        (module
          (memory (export "memory") 1)
          (func (export "grab") (result i32)
            (if (i32.eq (memory.grow (i32.const 200)) (i32.const -1)) (then (return (i32.const 1))))
            (i32.const 0)))
        """;

    /// <summary><c>hoarder.hoard</c>: spawns ten blocks, keeps them all, asks each to grab; outputs how many could (u64).</summary>
    private static readonly string HoarderWat = $"""
        (module
          (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
          (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
          (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
          (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
          (import "extism:host/user" "try_register_plugin" (func $try_register (param i64) (result i64)))
          (import "extism:host/user" "try_call_plugin" (func $try_call (param i64 i64 i64) (result i64)))
          (memory (export "memory") 1)
          (data (i32.const 0) "block")
          (data (i32.const 8) "grab")
          {Interplug.Testing.GuestWat.Str}
          (func (export "hoard") (result i32)
            (local $i i32) (local $id i64) (local $grabbed i64) (local $out i64)
            (loop $next
              (local.set $id (call $try_register (call $str (i32.const 0) (i32.const 5))))
              (if (i64.ge_s (local.get $id) (i64.const 0)) (then
                (if (i64.ge_s (call $try_call (local.get $id) (call $str (i32.const 8) (i32.const 4)) (i64.const 0)) (i64.const 0))
                  (then (local.set $grabbed (i64.add (local.get $grabbed) (i64.const 1)))))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $next (i32.lt_u (local.get $i) (i32.const 10))))
            (local.set $out (call $alloc (i64.const 8)))
            (call $store_u64 (local.get $out) (local.get $grabbed))
            (call $output_set (local.get $out) (i64.const 8))
            (i32.const 0)))
        """;

    [Fact]
    public void Children_each_within_their_own_budget_cannot_together_hold_more_than_their_root_may()
    {
        using var host = Host(rootPages: 256);

        var grabbed = BitConverter.ToInt64(host.Run("hoarder", "hoard", []));

        // One block of 200 pages fits the root's 256 (the root and the kernels hold a few); a second does not.
        Assert.Equal(1, grabbed);
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void A_root_with_room_for_all_its_children_lets_each_grab()
    {
        using var host = Host(rootPages: 4096);

        Assert.Equal(10, BitConverter.ToInt64(host.Run("hoarder", "hoard", [])));
    }

    private static PluginHost Host(long rootPages) => new(new PluginHostOptions
    {
        Catalog = new PluginCatalog()
            .Add("hoarder", Manifest.FromBytes(System.Text.Encoding.UTF8.GetBytes(HoarderWat)))
            .Add("block", Manifest.FromBytes(System.Text.Encoding.UTF8.GetBytes(BlockWat))),
        Policy = TestHosts.Policy(
            ("hoarder", new PolicyRule { Spawn = ["block"], MemoryMaxPages = rootPages }),
            ("block", new PolicyRule { MemoryMaxPages = 256 })),
        MaxMemoryPages = 4096,
        MaxLiveInstances = 64,
    });
}
