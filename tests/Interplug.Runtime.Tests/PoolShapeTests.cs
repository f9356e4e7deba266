namespace Interplug.Runtime.Tests;

/// <summary>
/// Modules whose shape the runtime's instance pool cannot hold (more memories than a module may
/// define, a memory larger than a pool slot) fail to compile with a typed kind and a clear message, not as a
/// BadModule carrying the engine's text.
/// </summary>
public sealed class PoolShapeTests
{
    private static readonly Lazy<PluginRuntime> PooledRuntime = new(() => new PluginRuntime(new PluginRuntimeOptions
    {
        InstancePool = new InstancePoolOptions { MaxInstances = 8, MaxMemoryPages = 16, MaxMemoriesPerModule = 2 },
    }));

    private static string WithMemories(string memories) => TestPlugins.Module("", "").Replace("(memory (export \"memory\") 1)", memories, StringComparison.Ordinal);

    [Theory]
    [InlineData("(memory (export \"memory\") 1) (memory 1) (memory 1)", "defined memories count of 3 exceeds the per-instance limit of 2")]
    [InlineData("(memory (export \"memory\") 17)", "memory has a minimum byte size of 1114112 which exceeds the limit of 0x100000 bytes")]
    public void A_module_the_pool_cannot_hold_fails_with_QuotaExceeded(string memories, string cause)
    {
        var e = TestPlugins.Fails(PluginErrorKind.QuotaExceeded, () => PooledRuntime.Value.Compile(TestPlugins.Wat(WithMemories(memories))).Dispose());
        Assert.EndsWith("does not fit the runtime's instance pool (InstancePoolOptions): " + cause, e.Message, StringComparison.Ordinal);
    }
}
