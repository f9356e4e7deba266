using Interplug.Runtime.Manifests;

namespace Interplug.Runtime.Tests;

/// <summary>
/// <c>memory.max_pages</c> is one budget for every memory of an instance, the kernel's two
/// (one page each to start with) included: what does not fit fails with
/// <see cref="PluginErrorKind.OutOfMemory"/>, and the pages in use never exceed it.
/// </summary>
public sealed class MemoryBudgetTests
{
    private const int KernelPages = 2;

    /// <summary>Exports that spend memory until refused; <see cref="MemoryQuotaTests"/> uses them too.</summary>
    internal const string Body = """
          (data (i32.const 0) "ok")
          (func (export "ok") (result i32)
            (call $out_str (i32.const 0) (i32.const 2)) (i32.const 0))
          ;; kernel blocks of 64 KiB until alloc returns 0; outputs how many it got
          (func (export "alloc_until_null") (result i32)
            (local $n i64)
            (block $full (loop $more
              (br_if $full (i64.eqz (call $alloc (i64.const 65536))))
              (local.set $n (i64.add (local.get $n) (i64.const 1)))
              (br $more)))
            (call $out_i64 (local.get $n)) (i32.const 0))
          ;; grows the plugin's memory one page at a time until refused; outputs the pages gained
          (func (export "grow_until_refused") (result i32)
            (local $n i64)
            (block $full (loop $more
              (br_if $full (i32.lt_s (memory.grow (i32.const 1)) (i32.const 0)))
              (local.set $n (i64.add (local.get $n) (i64.const 1)))
              (br $more)))
            (call $out_i64 (local.get $n)) (i32.const 0))
          ;; the plugin memory takes what it can, then a 1 MiB kernel block: outputs its handle
          (func (export "grow_then_alloc") (result i32)
            (block $full (loop $more
              (br_if $full (i32.lt_s (memory.grow (i32.const 1)) (i32.const 0)))
              (br $more)))
            (call $output_set (i64.const 0) (i64.const 0))
            (call $out_i64 (call $alloc (i64.const 1048576))) (i32.const 0))
          (func (export "echo_length") (result i32)
            (call $out_i64 (call $input_length)) (i32.const 0))
        """;

    private static CompiledPlugin Compile(long? maxPages, string? wat = null) =>
        TestPlugins.Runtime.Compile(TestPlugins.Wat(wat ?? TestPlugins.Module(Body)) with { Memory = new ManifestMemory { MaxPages = maxPages } });

    private static string WithInitialPages(int pages) => TestPlugins.Module(Body).Replace("(memory (export \"memory\") 1)", $"(memory (export \"memory\") {pages})", StringComparison.Ordinal);

    private static void WithinBudget(PluginInstance instance, long max) =>
        Assert.True(instance.MemoryPages <= max, $"{instance.MemoryPages} pages in use, budget {max}");

    [Fact]
    public void The_kernel_and_the_plugin_memory_count_from_the_start()
    {
        using var plugin = Compile(null, WithInitialPages(5));
        using var instance = plugin.Instantiate();
        Assert.Equal(KernelPages + 5, instance.MemoryPages);
    }

    [Fact]
    public void A_plugin_memory_that_fits_beside_the_kernel_exactly_is_accepted()
    {
        using var plugin = Compile(10, WithInitialPages(8));
        using var instance = plugin.Instantiate();
        Assert.Equal(10, instance.MemoryPages);
        Assert.Equal("ok", instance.CallText("ok"));
        Assert.Equal(0, instance.CallI64("grow_until_refused"));
        WithinBudget(instance, 10);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(50)]
    public void A_plugin_whose_initial_memory_does_not_fit_fails_to_instantiate_with_OutOfMemory(int pages)
    {
        using var plugin = Compile(10, WithInitialPages(pages));
        TestPlugins.Fails(PluginErrorKind.OutOfMemory, () => plugin.Instantiate().Dispose());
    }

    [Fact]
    public void A_budget_smaller_than_the_kernel_fails_every_instance()
    {
        using var plugin = Compile(1);
        TestPlugins.Fails(PluginErrorKind.OutOfMemory, () => plugin.Instantiate().Dispose());
    }

    [Fact]
    public void An_input_too_large_for_the_budget_fails_with_OutOfMemory()
    {
        using var plugin = Compile(10);
        using var instance = plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.OutOfMemory, () => instance.Call("echo_length", new byte[1 << 20]));
        WithinBudget(instance, 10);
        Assert.Equal(1000, instance.CallI64("echo_length", new byte[1000]));
    }

    [Fact]
    public void The_same_input_fits_a_larger_budget()
    {
        using var plugin = Compile(30);
        using var instance = plugin.Instantiate();
        Assert.Equal(1 << 20, instance.CallI64("echo_length", new byte[1 << 20]));
        WithinBudget(instance, 30);
    }

    [Fact]
    public void The_echo_plugin_fails_on_a_1_MiB_input_with_a_small_budget()
    {
        using var plugin = TestPlugins.Runtime.Compile(TestPlugins.Dist("echo") with { Memory = new ManifestMemory { MaxPages = 12 } });
        using var instance = plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.OutOfMemory, () => instance.Call("echo", new byte[1 << 20]));
        WithinBudget(instance, 12);
        Assert.Equal("small"u8.ToArray(), instance.Call("echo", "small"u8));
    }

    [Theory]
    [InlineData("grow", 40)]
    [InlineData("grow", 200)]
    [InlineData("grow_heap", 40)]
    [InlineData("grow_heap", 200)]
    public void The_memory_bomb_fails_with_OutOfMemory_within_the_budget(string export, int maxPages)
    {
        using var plugin = TestPlugins.Runtime.Compile(TestPlugins.Dist("memory_bomb") with { Memory = new ManifestMemory { MaxPages = maxPages } });
        using var instance = plugin.Instantiate();
        var e = TestPlugins.Fails(PluginErrorKind.OutOfMemory, () => instance.Call(export, []));
        Assert.Equal(export, e.ExportName);
        WithinBudget(instance, maxPages);
        Assert.True(instance.MemoryPages >= maxPages - maxPages / 16 - 1, $"only {instance.MemoryPages} of {maxPages} pages were used");
        TestPlugins.Fails(PluginErrorKind.OutOfMemory, () => instance.Call(export, [])); // and again, without crashing
        WithinBudget(instance, maxPages);
    }

    [Fact]
    public void The_memory_budget_is_read_from_manifest_json()
    {
        var json = $$"""
            { "wasm": [ { "path": {{System.Text.Json.JsonSerializer.Serialize(TestPlugins.DistPath("memory_bomb"))}} } ],
              "memory": { "max_pages": 24 } }
            """;
        using var plugin = TestPlugins.Runtime.Compile(Manifest.Parse(json));
        using var instance = plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.OutOfMemory, () => instance.Call("grow", []));
        WithinBudget(instance, 24);
    }

    [Fact]
    public void Kernel_allocations_return_null_once_the_budget_is_spent()
    {
        using var plugin = Compile(20);
        using var instance = plugin.Instantiate();
        var blocks = instance.CallI64("alloc_until_null");
        Assert.InRange(blocks, 1, 20);
        WithinBudget(instance, 20);
        // What the kernel holds is no longer there for the plugin's own memory.
        Assert.Equal(20 - instance.MemoryPages, instance.CallI64("grow_until_refused"));
        WithinBudget(instance, 20);
        Assert.Equal("ok", instance.CallText("ok"));
    }

    [Fact]
    public void What_the_plugin_memory_holds_is_no_longer_there_for_the_kernel()
    {
        using var plugin = Compile(20);
        using var instance = plugin.Instantiate();
        Assert.Equal(0, instance.CallI64("grow_then_alloc"));
        Assert.Equal(20, instance.MemoryPages);
        TestPlugins.Fails(PluginErrorKind.OutOfMemory, () => instance.Call("echo_length", new byte[100_000]));
        WithinBudget(instance, 20);
    }

    [Fact]
    public void Without_a_budget_memory_grows_freely()
    {
        using var plugin = Compile(null);
        using var instance = plugin.Instantiate();
        Assert.Equal(8 << 20, instance.CallI64("echo_length", new byte[8 << 20]));
        Assert.True(instance.MemoryPages > 128);
    }

    [Fact]
    public void An_instance_budget_narrows_the_manifests()
    {
        using var plugin = Compile(100);
        using (var narrow = plugin.Instantiate(new InstanceOptions { MemoryMaxPages = 10 }))
        {
            TestPlugins.Fails(PluginErrorKind.OutOfMemory, () => narrow.Call("echo_length", new byte[1 << 20]));
            WithinBudget(narrow, 10);
        }
        using (var wide = plugin.Instantiate(new InstanceOptions { MemoryMaxPages = 1000 }))
        {
            Assert.Equal(1 << 20, wide.CallI64("echo_length", new byte[1 << 20]));
            wide.CallI64("grow_until_refused");
            WithinBudget(wide, 100); // the manifest's budget still applies
        }
    }

    [Fact]
    public void An_instance_budget_applies_without_one_in_the_manifest()
    {
        using var plugin = Compile(null);
        using var instance = plugin.Instantiate(new InstanceOptions { MemoryMaxPages = 16 });
        TestPlugins.Fails(PluginErrorKind.OutOfMemory, () => instance.Call("echo_length", new byte[1 << 20]));
        instance.CallI64("grow_until_refused");
        WithinBudget(instance, 16);
    }

    [Fact]
    public void Instances_have_budgets_of_their_own()
    {
        using var plugin = Compile(20);
        using var first = plugin.Instantiate();
        using var second = plugin.Instantiate();
        first.CallI64("grow_until_refused");
        Assert.Equal(20, first.MemoryPages);
        Assert.Equal(20 - KernelPages - 1, second.CallI64("grow_until_refused"));
        Assert.Equal(20, second.MemoryPages);
    }
}
