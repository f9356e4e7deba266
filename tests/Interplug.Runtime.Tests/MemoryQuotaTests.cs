namespace Interplug.Runtime.Tests;

/// <summary>
/// A <see cref="MemoryQuota"/> shared by several instances bounds the pages they hold together:
/// growth beyond it fails as growth beyond an instance's own budget does, and disposing an
/// instance gives its pages back.
/// </summary>
public sealed class MemoryQuotaTests
{
    private const string Body = """
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
        """;

    private const long QuotaPages = 40;

    private static readonly Lazy<CompiledPlugin> Plugin = new(() => TestPlugins.CompileModule(Body));

    private static PluginInstance Instantiate(MemoryQuota quota) => Plugin.Value.Instantiate(new InstanceOptions { SharedQuota = quota });

    [Fact]
    public void Two_instances_together_stay_within_their_shared_quota()
    {
        var quota = new MemoryQuota(QuotaPages);
        using var b = Instantiate(quota);
        using (var a = Instantiate(quota))
        {
            Assert.Equal(a.MemoryPages + b.MemoryPages, quota.UsedPages);
            Assert.True(a.CallI64("grow_until_refused") > 0);
            Assert.Equal(0, b.CallI64("alloc_until_null")); // the kernel's alloc returns 0, as with an own budget
            Assert.Equal(0, b.CallI64("grow_until_refused"));
            Assert.Equal(QuotaPages, a.MemoryPages + b.MemoryPages);
            Assert.Equal(QuotaPages, quota.UsedPages);
            TestPlugins.Fails(PluginErrorKind.OutOfMemory, () => Instantiate(quota).Dispose());
        }

        Assert.Equal(b.MemoryPages, quota.UsedPages); // a gave its pages back
        Assert.True(b.CallI64("alloc_until_null") > 0);
        Assert.True(b.MemoryPages <= QuotaPages, $"{b.MemoryPages} pages held under a quota of {QuotaPages}");
        Assert.Equal(b.MemoryPages, quota.UsedPages);
    }

    [Fact]
    public void An_instance_budget_and_a_shared_quota_both_apply()
    {
        var quota = new MemoryQuota(QuotaPages);
        using var small = Plugin.Value.Instantiate(new InstanceOptions { SharedQuota = quota, MemoryMaxPages = 10 });
        small.CallI64("grow_until_refused");
        Assert.Equal(10, small.MemoryPages);
        Assert.Equal(10, quota.UsedPages);
    }

    [Fact]
    public void A_quota_out_of_range_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryQuota(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryQuota(1L << 47));
    }
}
