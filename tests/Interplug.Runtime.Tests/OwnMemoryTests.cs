namespace Interplug.Runtime.Tests;

/// <summary>
/// What <see cref="CurrentPlugin"/> offers host functions that copy straight to and from a
/// plugin's own memory (the bulk-data functions of Interplug.Host are built on it), and where the
/// input then lives.
/// </summary>
public sealed class OwnMemoryTests
{
    private const int OneMiB = 1 << 20;

    /// <summary>
    /// <c>run</c> asks the host function <c>echo_input(ptr, len)</c> to copy its input to address 0
    /// of its 17-page memory and make those bytes its output; <paramref name="extraImport"/> adds an
    /// import the plugin never calls.
    /// </summary>
    private static string EchoInputWat(string extraImport) => $"""
        (module
          (import "extism:host/env" "input_length" (func $input_length (result i64)))
          {extraImport}
          (import "extism:host/user" "echo_input" (func $echo_input (param i64 i64)))
          (memory (export "memory") 17)
          (func (export "run") (result i32) (call $echo_input (i64.const 0) (call $input_length)) (i32.const 0)))
        """;

    private static readonly HostFunction EchoInput = HostFunction.FromMethod("echo_input", (CurrentPlugin plugin, long address, long length) =>
    {
        var destination = plugin.OwnMemory(address, length, "echo_input destination");
        plugin.Input.CopyTo(destination);
        plugin.SetOutput(destination);
    });

    private static (byte[] Output, long Pages) Run(string extraImport, byte[] input)
    {
        using var plugin = TestPlugins.CompileWat(EchoInputWat(extraImport), new PluginOptions { HostFunctions = [EchoInput] });
        using var instance = plugin.Instantiate();
        var output = instance.Call("run", input);
        return (output, instance.MemoryPages);
    }

    [Fact]
    public void A_host_function_copies_the_input_into_plugin_memory_and_makes_it_the_output()
    {
        var input = new byte[OneMiB];
        new Random(5).NextBytes(input);

        Assert.Equal(input, Run("", input).Output);
        Assert.Empty(Run("", []).Output);
    }

    [Fact]
    public void A_plugin_that_cannot_see_its_input_block_gets_its_input_without_a_copy_into_its_kernel()
    {
        var input = new byte[OneMiB];
        new Random(6).NextBytes(input);

        var (outputWithout, pagesWithout) = Run("", input);
        var (outputWith, pagesWith) = Run("""(import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))""", input);

        Assert.Equal(input, outputWithout);
        Assert.Equal(input, outputWith);
        Assert.True(pagesWith >= pagesWithout + OneMiB / 65536, $"{pagesWith} pages with the input block, {pagesWithout} without");
    }

    [Theory]
    [InlineData(-1, 8, "must not be negative")]
    [InlineData(0, -8, "must not be negative")]
    [InlineData(17 * 65536 - 4, 8, "lies outside plugin's memory (1114112 bytes)")]
    public void A_range_outside_the_plugins_memory_is_InvalidArgument(long address, long length, string message)
    {
        using var plugin = TestPlugins.CompileWat(EchoInputWat(""), new PluginOptions
        {
            Name = "plugin",
            HostFunctions = [HostFunction.FromMethod("echo_input", (CurrentPlugin p, long _, long _) => { p.OwnMemory(address, length, "the range"); })],
        });
        using var instance = plugin.Instantiate();

        var e = TestPlugins.Fails(PluginErrorKind.InvalidArgument, () => instance.Call("run", []));

        Assert.Contains($"the range: {(message.StartsWith("must", StringComparison.Ordinal) ? "address" : "range")}", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_plugin_without_an_exported_memory_is_BadModule_naming_the_export()
    {
        const string wat = """
            (module
              (import "extism:host/user" "echo_input" (func $echo_input (param i64 i64)))
              (memory 1)
              (func (export "run") (result i32) (call $echo_input (i64.const 0) (i64.const 0)) (i32.const 0)))
            """;
        using var plugin = TestPlugins.CompileWat(wat, new PluginOptions { Name = "hidden", HostFunctions = [EchoInput] });
        using var instance = plugin.Instantiate();

        var e = TestPlugins.Fails(PluginErrorKind.BadModule, () => instance.Call("run", []));

        Assert.Contains("hidden does not export its memory as \"memory\", which echo_input destination needs", e.Message);
    }
}
