namespace Interplug.Runtime.Tests;

/// <summary>
/// Wasmtime lets a store's wasm use 512 KiB of the calling thread's native stack. A caller on a
/// thread with less than that must still get a typed failure from a plugin that recurses without
/// end, never a native stack overflow that ends the process.
/// </summary>
public class NativeStackTests
{
    private const string EndlessRecursion = """
        (func $down (param $n i64) (result i64)
          (i64.add (call $down (i64.add (local.get $n) (i64.const 1))) (local.get $n)))
        (func (export "dive") (result i32)
          (drop (call $down (i64.const 0)))
          (i32.const 0))
        """;

    private const string StartsByRecursing = """
        (func $down (param $n i64) (result i64)
          (i64.add (call $down (i64.add (local.get $n) (i64.const 1))) (local.get $n)))
        (func $start (drop (call $down (i64.const 0))))
        (start $start)
        (func (export "never") (result i32) (i32.const 0))
        """;

    [Fact]
    public void Endless_wasm_recursion_called_from_a_thread_with_a_small_stack_is_a_trap()
    {
        using var plugin = TestPlugins.CompileModule(EndlessRecursion);
        using var instance = plugin.Instantiate();

        var failure = OnSmallStack(() => instance.Call("dive", []));

        Assert.Equal(PluginErrorKind.Trap, failure?.Kind);
        Assert.Contains("call stack exhausted", failure!.Message, StringComparison.Ordinal);
        // The instance stays usable for what a caller may still do with it.
        Assert.False(instance.IsBusy);
    }

    [Fact]
    public void Start_up_code_that_recurses_without_end_on_a_thread_with_a_small_stack_is_a_trap()
    {
        using var plugin = TestPlugins.CompileModule(StartsByRecursing);

        var failure = OnSmallStack(() => plugin.Instantiate().Dispose());

        Assert.Equal(PluginErrorKind.Trap, failure?.Kind);
    }

    private static PluginException? OnSmallStack(Action action)
    {
        PluginException? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                action();
            }
            catch (PluginException e)
            {
                failure = e;
            }
        }, 256 * 1024);
        thread.Start();
        thread.Join();
        return failure;
    }
}
