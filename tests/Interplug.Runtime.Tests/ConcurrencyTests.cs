using System.Collections.Concurrent;
using System.Text.Json;

namespace Interplug.Runtime.Tests;

/// <summary>
/// Compile once, instantiate many: instances run in parallel on their own threads with their
/// own state, while one instance runs one call at a time (a second caller gets Busy).
/// </summary>
public sealed class ConcurrencyTests
{
    private const string Body = """
          (data (i32.const 0) "ok")
          (func (export "ok") (result i32)
            (call $out_str (i32.const 0) (i32.const 2)) (i32.const 0))
          (func (export "call") (result i32)
            (call $out_i64 (call $host (i64.const 0))) (i32.const 0))
          (func (export "spin") (result i32)
            (local $n i64)
            (local.set $n (i64.const 20000))
            (loop $next
              (local.set $n (i64.sub (local.get $n) (i64.const 1)))
              (br_if $next (i64.gt_s (local.get $n) (i64.const 0))))
            (call $out_str (i32.const 0) (i32.const 2)) (i32.const 0))
          (func (export "loop") (result i32)
            (loop $forever (br $forever)) (i32.const 0))
        """;

    private static CompiledPlugin CompileWithHost(Func<CurrentPlugin, long, long> host) =>
        TestPlugins.CompileModule(Body, """(import "extism:host/user" "host" (func $host (param i64) (result i64)))""",
            new PluginOptions { HostFunctions = [HostFunction.FromMethod("host", host)] });

    private static long Total(byte[] output)
    {
        using var json = JsonDocument.Parse(output);
        return json.RootElement.GetProperty("total").GetInt64();
    }

    [Fact]
    public void Eight_instances_of_one_compiled_plugin_run_in_parallel_with_their_own_vars()
    {
        const int Threads = 8, Calls = 20;
        using var plugin = TestPlugins.CompileDist("count_vowels");
        var totals = new ConcurrentDictionary<int, List<long>>();
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, i =>
        {
            using var instance = plugin.Instantiate();
            var seen = new List<long>();
            for (var call = 0; call < Calls; call++)
                seen.Add(Total(instance.Call("count_vowels", "Hello, World!"u8)));
            totals[i] = seen;
        });
        Assert.Equal(Threads, totals.Count);
        var expected = Enumerable.Range(1, Calls).Select(n => 3L * n);
        Assert.All(totals.Values, seen => Assert.Equal(expected, seen));
    }

    [Fact]
    public void Plugins_compiled_and_instantiated_on_many_threads_at_once_all_work()
    {
        var outputs = new ConcurrentBag<string>();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            using var plugin = TestPlugins.CompileDist("echo");
            using var instance = plugin.Instantiate();
            outputs.Add(instance.CallText("echo", "parallel"));
        });
        Assert.Equal(Enumerable.Repeat("parallel", 8), outputs);
    }

    [Fact]
    public void Instantiating_one_plugin_on_many_threads_at_once_links_each_instance_to_its_own_kernel()
    {
        // Each instantiation defines its kernel in a linker copy it rents; two sharing one copy at
        // once would link an instance to another's kernel, or fail across stores.
        const int Threads = 4, PerThread = 100;
        using var plugin = TestPlugins.CompileDist("echo");
        var failures = new ConcurrentBag<string>();
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            var alive = new List<(PluginInstance Instance, string Input)>();
            for (var i = 0; i < PerThread; i++)
            {
                var input = $"thread {t} instance {i}";
                var instance = plugin.Instantiate();
                alive.Add((instance, input));
                if (instance.CallText("echo", input) != input)
                    failures.Add(input);
            }
            foreach (var (instance, input) in alive)
            {
                if (instance.CallText("echo", input + " again") != input + " again")
                    failures.Add(input + " again");
                instance.Dispose();
            }
        });
        Assert.Empty(failures);
    }

    [Fact]
    public async Task A_second_thread_calling_a_busy_instance_gets_Busy()
    {
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using var plugin = CompileWithHost((_, _) =>
        {
            entered.Set();
            release.Wait(TimeSpan.FromSeconds(30));
            return 42;
        });
        using var instance = plugin.Instantiate();

        var running = Task.Run(() => instance.CallI64("call"));
        Assert.True(entered.Wait(TimeSpan.FromSeconds(30)));
        Assert.True(instance.IsBusy);
        var e = TestPlugins.Fails(PluginErrorKind.Busy, () => instance.Call("ok", []));
        Assert.Equal("ok", e.ExportName);
        release.Set();

        Assert.Equal(42, await running); // the first call was not disturbed
        Assert.False(instance.IsBusy);
        Assert.Equal("ok", instance.CallText("ok"));
    }

    [Fact]
    public void Two_threads_hammering_one_instance_see_only_success_or_Busy()
    {
        using var plugin = TestPlugins.CompileModule(Body.Replace("(call $host (i64.const 0))", "(i64.const 0)", StringComparison.Ordinal));
        using var instance = plugin.Instantiate();
        var outcomes = new ConcurrentBag<string>();
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, _ =>
        {
            for (var i = 0; i < 200; i++)
            {
                try
                {
                    outcomes.Add(instance.CallText("spin"));
                }
                catch (PluginException e)
                {
                    outcomes.Add(e.Kind.ToString());
                }
            }
        });
        Assert.Equal(400, outcomes.Count);
        Assert.All(outcomes, o => Assert.True(o is "ok" or nameof(PluginErrorKind.Busy), o));
        Assert.Contains("ok", outcomes);
        Assert.Equal("ok", instance.CallText("ok"));
    }

    [Fact]
    public async Task Disposing_an_instance_while_it_runs_lets_the_call_finish_then_refuses_calls()
    {
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using var plugin = CompileWithHost((_, _) =>
        {
            entered.Set();
            release.Wait(TimeSpan.FromSeconds(30));
            return 7;
        });
        var instance = plugin.Instantiate();
        var running = Task.Run(() => instance.CallI64("call"));
        Assert.True(entered.Wait(TimeSpan.FromSeconds(30)));

        instance.Dispose(); // returns at once; the running call disposes on its way out
        release.Set();
        Assert.Equal(7, await running);
        TestPlugins.Fails(PluginErrorKind.Disposed, () => instance.Call("ok", []));
    }

    [Fact]
    public void Disposing_instances_while_another_thread_starts_calls_on_them_frees_every_one()
    {
        // Dispose and a call starting at the same moment each see the other, or the store would be
        // left undisposed (its pages charged to the quota for ever) or disposed under a running call.
        const int Instances = 300;
        var quota = new MemoryQuota(1_000_000);
        using var plugin = TestPlugins.CompileDist("echo");
        var outcomes = new ConcurrentBag<string>();
        for (var i = 0; i < Instances; i++)
        {
            var instance = plugin.Instantiate(new InstanceOptions { SharedQuota = quota });
            using var go = new Barrier(2);
            Parallel.Invoke(
                () =>
                {
                    go.SignalAndWait(TimeSpan.FromSeconds(30));
                    instance.Dispose();
                },
                () =>
                {
                    go.SignalAndWait(TimeSpan.FromSeconds(30));
                    for (var call = 0; call < 20; call++)
                    {
                        try
                        {
                            outcomes.Add(instance.CallText("echo", "hi"));
                        }
                        catch (PluginException e)
                        {
                            outcomes.Add(e.Kind.ToString());
                        }
                    }
                });
        }

        Assert.All(outcomes, o => Assert.True(o is "hi" or nameof(PluginErrorKind.Disposed), o));
        Assert.Equal(0, quota.UsedPages);
    }

    [Fact]
    public async Task Cancelling_one_instance_leaves_the_others_running()
    {
        using var plugin = TestPlugins.CompileModule(Body.Replace("(call $host (i64.const 0))", "(i64.const 0)", StringComparison.Ordinal));
        using var looping = plugin.Instantiate();
        using var working = plugin.Instantiate();
        using var cancel = new CancellationTokenSource();

        var loop = Task.Run(() => Assert.Throws<PluginException>(() => looping.Call("loop", [], cancel.Token)));
        for (var i = 0; i < 50; i++)
            Assert.Equal("ok", working.CallText("spin"));
        await cancel.CancelAsync();
        Assert.Equal(PluginErrorKind.Cancelled, (await loop).Kind);
        Assert.Equal("ok", working.CallText("spin"));
        Assert.Equal("ok", looping.CallText("ok"));
    }
}
