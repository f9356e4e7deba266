using System.Text;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Runtime.Tests;

public class Smoke
{
    [Fact]
    public void Echo_in_wat()
    {
        const string wat = """
        (module
          (import "extism:host/env" "input_length" (func $input_length (result i64)))
          (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
          (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
          (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
          (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
          (func (export "echo") (result i32)
            (local $n i64) (local $h i64) (local $i i64)
            (local.set $n (call $input_length))
            (local.set $h (call $alloc (local.get $n)))
            (block $done (loop $l
              (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
              (call $store_u8 (i64.add (local.get $h) (local.get $i)) (call $input_load_u8 (local.get $i)))
              (local.set $i (i64.add (local.get $i) (i64.const 1)))
              (br $l)))
            (call $output_set (local.get $h) (local.get $n))
            (i32.const 0)))
        """;
        using var runtime = new PluginRuntime();
        using var plugin = runtime.Compile(Manifest.FromBytes(Encoding.UTF8.GetBytes(wat)));
        using var instance = plugin.Instantiate();
        Assert.Equal("hello", Encoding.UTF8.GetString(instance.Call("echo", "hello"u8)));
        Assert.Equal("again!", Encoding.UTF8.GetString(instance.Call("echo", "again!"u8)));
    }
}
