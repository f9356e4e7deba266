namespace Interplug.Runtime.Tests;

/// <summary>
/// A <see cref="MemoryQuota"/> shared by several instances bounds the pages they hold together:
/// growth beyond it fails as growth beyond an instance's own budget does, and disposing an
/// instance gives its pages back.
/// </summary>
public sealed class MemoryQuotaTests
{
    private const long QuotaPages = 40;

    private static readonly Lazy<CompiledPlugin> Plugin = new(() => TestPlugins.CompileModule(MemoryBudgetTests.Body));

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
