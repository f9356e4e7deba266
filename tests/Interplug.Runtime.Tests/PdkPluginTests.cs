using System.Text;

namespace Interplug.Runtime.Tests;

/// <summary>
/// The guest plugins in plugins/dist, built with the official AssemblyScript PDK (and plain C and
/// Rust), run unmodified: count_vowels with config and vars, echo byte-exact at any size, and
/// every plugin exporting what plugins/README.md says.
/// </summary>
public sealed class PdkPluginTests
{
    private static HostFunction[] RelayStubs(string module) =>
    [
        HostFunction.FromMethod<long, long>("register_plugin", (_, _) => 0).WithModule(module),
        HostFunction.FromMethod<long, long, long, long>("call_plugin", (_, _, _, _) => 0).WithModule(module),
        HostFunction.FromMethod<long, long>("free_plugin", (_, _) => 0).WithModule(module),
        HostFunction.FromMethod<long, long>("try_register_plugin", (_, _) => 0).WithModule(module),
        HostFunction.FromMethod<long, long, long, long>("try_call_plugin", (_, _, _, _) => 0).WithModule(module),
        HostFunction.FromMethod("last_error", _ => 0L).WithModule(module),
    ];

    [Theory]
    [InlineData("count_vowels", "count_vowels")]
    [InlineData("echo", "echo")]
    [InlineData("http_get", "http_get")]
    [InlineData("logger", "log_all")]
    [InlineData("trap", "trap,fail,fail_zero,exit_code")]
    [InlineData("loop_forever", "loop_forever")]
    [InlineData("memory_bomb", "grow,grow_heap")]
    [InlineData("vars", "var_roundtrip,var_bomb")]
    [InlineData("config_read", "get")]
    [InlineData("run", "run")]
    [InlineData("relay", "chain,try_chain,spawn_many,spawn_free,call_id,free_id,self_call,call_twice_free")]
    [InlineData("relay_c", "run,count_vowels_native")]
    [InlineData("echo_c", "echo,forward")]
    [InlineData("relay_rs", "run")]
    public void Every_plugin_compiles_instantiates_and_exports_its_functions(string name, string exports)
    {
        var stubs = name switch
        {
            "run" or "relay" => RelayStubs(HostFunction.UserModule),
            "relay_c" or "relay_rs" => RelayStubs("env"),
            _ => [],
        };
        using var plugin = TestPlugins.CompileDist(name, new PluginOptions { HostFunctions = stubs });
        using var instance = plugin.Instantiate();
        Assert.Equal(name, plugin.Name);
        foreach (var export in exports.Split(','))
            Assert.True(instance.FunctionExists(export), $"{name} does not export {export}; it exports {string.Join(", ", plugin.Exports)}");
    }

    [Fact]
    public void Count_vowels_outputs_its_JSON()
    {
        using var plugin = TestPlugins.CompileDist("count_vowels");
        using var instance = plugin.Instantiate();
        Assert.Equal("""{"count":3,"total":3,"vowels":"aeiouAEIOU"}""", instance.CallText("count_vowels", "Hello, World!"));
    }

    [Fact]
    public void Count_vowels_keeps_a_running_total_per_instance()
    {
        using var plugin = TestPlugins.CompileDist("count_vowels");
        using var instance = plugin.Instantiate();
        Assert.Equal("""{"count":3,"total":3,"vowels":"aeiouAEIOU"}""", instance.CallText("count_vowels", "Hello, World!"));
        Assert.Equal("""{"count":3,"total":6,"vowels":"aeiouAEIOU"}""", instance.CallText("count_vowels", "Hello, World!"));
        Assert.Equal("""{"count":0,"total":6,"vowels":"aeiouAEIOU"}""", instance.CallText("count_vowels", ""));
        Assert.Equal("""{"count":5,"total":11,"vowels":"aeiouAEIOU"}""", instance.CallText("count_vowels", "AEIOU"));

        using var fresh = plugin.Instantiate();
        Assert.Equal("""{"count":1,"total":1,"vowels":"aeiouAEIOU"}""", fresh.CallText("count_vowels", "a"));
    }

    [Fact]
    public void Count_vowels_uses_the_configured_vowels()
    {
        using var plugin = TestPlugins.Runtime.Compile(TestPlugins.Dist("count_vowels") with
        {
            Config = new Dictionary<string, string> { ["vowels"] = "l" },
        });
        using var instance = plugin.Instantiate();
        Assert.Equal("""{"count":3,"total":3,"vowels":"l"}""", instance.CallText("count_vowels", "Hello, World!"));
    }

    [Fact]
    public void Count_vowels_handles_non_ASCII_and_control_characters()
    {
        using var plugin = TestPlugins.CompileDist("count_vowels");
        using var instance = plugin.Instantiate();
        Assert.Equal("""{"count":2,"total":2,"vowels":"aeiouAEIOU"}""", instance.CallText("count_vowels", "日本 ✓ ao"));
        Assert.Equal("""{"count":5,"total":7,"vowels":"aeiouAEIOU"}""", instance.CallText("count_vowels", "\0a\0e\u00e9\r\niou"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(65_536)]
    [InlineData(1 << 20)]
    public void Echo_returns_its_input_byte_exact(int length)
    {
        var input = new byte[length];
        new Random(length).NextBytes(input);
        using var plugin = TestPlugins.CompileDist("echo");
        using var instance = plugin.Instantiate();
        Assert.Equal(input, instance.Call("echo", input));
        Assert.Equal(input, instance.Call("echo", input)); // and again on the same instance
    }

    [Theory]
    [InlineData("echo", 0)]
    [InlineData("echo", 7)]
    [InlineData("echo", 13)]
    [InlineData("echo", 1 << 20)]
    [InlineData("forward", 0)]
    [InlineData("forward", 13)]
    [InlineData("forward", 1 << 20)]
    public void The_C_echo_and_forward_return_their_input_byte_exact(string export, int length)
    {
        var input = new byte[length];
        new Random(length).NextBytes(input);
        using var plugin = TestPlugins.CompileDist("echo_c");
        using var instance = plugin.Instantiate();
        Assert.Equal(input, instance.Call(export, input));
        Assert.Equal(input, instance.Call(export, input));
    }

    [Fact]
    public void Echo_of_a_1_MiB_input_repeatedly_does_not_leak()
    {
        var input = new byte[1 << 20];
        new Random(42).NextBytes(input);
        using var plugin = TestPlugins.CompileDist("echo");
        using var instance = plugin.Instantiate();
        // The kernel forgets every block per call; the AssemblyScript GC settles after a few calls.
        for (var i = 0; i < 20; i++)
            Assert.Equal(input, instance.Call("echo", input));
        var pages = instance.MemoryPages;
        for (var i = 0; i < 10; i++)
            Assert.Equal(input, instance.Call("echo", input));
        Assert.Equal(pages, instance.MemoryPages);
    }

    [Fact]
    public void Echo_preserves_every_byte_value()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        using var plugin = TestPlugins.CompileDist("echo");
        using var instance = plugin.Instantiate();
        Assert.Equal(all, instance.Call("echo", all));
        Assert.Equal(Encoding.UTF8.GetBytes("héllo ✓"), instance.Call("echo", Encoding.UTF8.GetBytes("héllo ✓")));
    }
}
