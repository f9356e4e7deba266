using System.Buffers.Binary;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Interplug.Runtime.Tests;

/// <summary>
/// Plugins passing bad handles to the host functions that read blocks (config_get, var_get,
/// var_set, log_*, http_request, error_set): the call fails with
/// <see cref="PluginErrorKind.InvalidArgument"/> or gets the ABI's value, the host never
/// crashes, and the instance keeps working.
/// </summary>
public sealed class BadHandleTests(BadHandleTests.Fixture fixture) : IClassFixture<BadHandleTests.Fixture>
{
    /// <summary>How the plugin makes the handle it passes, chosen by the first input byte.</summary>
    public enum Handle
    {
        Zero = 0,
        Negative = 1,
        BeyondMemory = 2,
        PastLastBlock = 3,
        FreedInner = 4,
        FreedTop = 5,
        MidBlockAligned = 6,
        MidBlockUnaligned = 7,
        Valid = 8,
        InvalidUtf8 = 9,
    }

    // Argument blocks are made before the bad handle, so no later allocation can turn it into a live block.
    private const string Body = """
          (data (i32.const 0) "k")
          (data (i32.const 8) "\ff\fe")
          (data (i32.const 16) "ok")

          (func $block_k (result i64) (call $str (i32.const 0) (i32.const 1)))
          (func $handle (result i64)
            (local $kind i32) (local $a i64)
            (local.set $kind (call $input_load_u8 (i64.const 0)))
            (if (i32.eq (local.get $kind) (i32.const 0)) (then (return (i64.const 0))))
            (if (i32.eq (local.get $kind) (i32.const 1)) (then (return (i64.const -16))))
            (if (i32.eq (local.get $kind) (i32.const 2)) (then (return (i64.const 1099511627776))))
            (if (i32.eq (local.get $kind) (i32.const 3))
              (then (return (i64.add (call $block_k) (i64.const 16)))))
            (if (i32.eq (local.get $kind) (i32.const 4))
              (then
                (local.set $a (call $block_k))
                (drop (call $alloc (i64.const 1)))
                (call $free (local.get $a))
                (return (local.get $a))))
            (if (i32.eq (local.get $kind) (i32.const 5))
              (then
                (local.set $a (call $block_k))
                (call $free (local.get $a))
                (return (local.get $a))))
            (if (i32.eq (local.get $kind) (i32.const 6))
              (then
                (local.set $a (call $alloc (i64.const 48)))
                (call $store_u8 (i64.add (local.get $a) (i64.const 16)) (i32.const 0x6B))
                (return (i64.add (local.get $a) (i64.const 16)))))
            (if (i32.eq (local.get $kind) (i32.const 7))
              (then (return (i64.add (call $block_k) (i64.const 1)))))
            (if (i32.eq (local.get $kind) (i32.const 9))
              (then (return (call $str (i32.const 8) (i32.const 2)))))
            (call $block_k))

          ;; the input after its first byte, as a new block
          (func $rest_of_input (result i64)
            (local $h i64) (local $n i64) (local $i i64)
            (local.set $n (i64.sub (call $input_length) (i64.const 1)))
            (local.set $h (call $alloc (local.get $n)))
            (block $done (loop $next
              (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
              (call $store_u8 (i64.add (local.get $h) (local.get $i)) (call $input_load_u8 (i64.add (local.get $i) (i64.const 1))))
              (local.set $i (i64.add (local.get $i) (i64.const 1)))
              (br $next)))
            (local.get $h))

          (func (export "config_get") (result i32)
            (call $out_i64 (call $config_get (call $handle))) (i32.const 0))
          (func (export "var_get") (result i32)
            (call $out_i64 (call $var_get (call $handle))) (i32.const 0))
          (func (export "var_set_key") (result i32)
            (local $v i64)
            (local.set $v (call $block_k))
            (call $var_set (call $handle) (local.get $v)) (i32.const 0))
          (func (export "var_set_value") (result i32)
            (local $k i64)
            (local.set $k (call $block_k))
            (call $var_set (local.get $k) (call $handle)) (i32.const 0))
          (func (export "log_info") (result i32)
            (call $log_info (call $handle)) (i32.const 0))
          (func (export "log_trace") (result i32)
            (call $log_trace (call $handle)) (i32.const 0))
          (func (export "log_error") (result i32)
            (call $log_error (call $handle)) (i32.const 0))
          (func (export "http_request") (result i32)
            (call $out_i64 (call $http_request (call $handle) (i64.const 0))) (i32.const 0))
          ;; input: kind byte ++ request JSON; the handle is the body
          (func (export "http_body") (result i32)
            (local $request i64)
            (local.set $request (call $rest_of_input))
            (call $out_block (call $http_request (local.get $request) (call $handle))) (i32.const 0))
          ;; error_set comes last, so that no later allocation makes the handle a live block
          (func (export "error_set") (result i32)
            (call $out_str (i32.const 16) (i32.const 2))
            (call $error_set (call $handle)) (i32.const 0))
          (func (export "ok") (result i32)
            (call $out_str (i32.const 16) (i32.const 2)) (i32.const 0))
        """;

    private static readonly string[] ReadingExports =
        ["config_get", "var_get", "var_set_key", "var_set_value", "log_info", "log_trace", "log_error", "http_request", "http_body"];

    private static readonly Handle[] BadHandles =
        [Handle.Negative, Handle.BeyondMemory, Handle.PastLastBlock, Handle.FreedInner, Handle.FreedTop, Handle.MidBlockAligned, Handle.MidBlockUnaligned];

    public static TheoryData<string, Handle> EveryExportWithEveryBadHandle()
    {
        var data = new TheoryData<string, Handle>();
        foreach (var export in ReadingExports)
            foreach (var handle in BadHandles)
                data.Add(export, handle);
        return data;
    }

    public static TheoryData<string> Exports() => [.. ReadingExports];

    private CompiledPlugin Plugin => fixture.Plugin;

    private byte[] Input(string export, Handle handle) =>
        export == "http_body"
            ? [(byte)handle, .. Encoding.UTF8.GetBytes($$"""{"url":"{{fixture.Server.Url("/")}}","method":"POST"}""")]
            : [(byte)handle];

    private static void StillWorks(PluginInstance instance) => Assert.Equal("ok", instance.CallText("ok"));

    [Theory]
    [MemberData(nameof(EveryExportWithEveryBadHandle))]
    public void A_handle_that_is_not_a_live_block_fails_with_InvalidArgument(string export, Handle handle)
    {
        using var instance = Plugin.Instantiate();
        var requests = fixture.Server.Requests.Count;
        var logs = fixture.Logs.Entries.Count;
        var e = TestPlugins.Fails(PluginErrorKind.InvalidArgument, () => instance.Call(export, Input(export, handle)));
        Assert.Equal(export, e.ExportName);
        Assert.Equal(requests, fixture.Server.Requests.Count); // no request went out with a bad request or body
        Assert.Equal(logs, fixture.Logs.Entries.Count); // nothing was logged from a bad block
        StillWorks(instance);
    }

    [Theory]
    [MemberData(nameof(Exports))]
    public void Handle_zero_gives_the_ABI_value_or_InvalidArgument(string export)
    {
        using var instance = Plugin.Instantiate();
        try
        {
            var output = instance.Call(export, Input(export, Handle.Zero));
            if (export is "config_get" or "var_get")
                Assert.Equal(0, BinaryPrimitives.ReadInt64LittleEndian(output)); // NULL in, NULL out
        }
        catch (PluginException e)
        {
            Assert.True(e.Kind == PluginErrorKind.InvalidArgument, $"{export}(0) failed with {e.Kind}: {e.Message}");
        }
        StillWorks(instance);
    }

    [Theory]
    [InlineData("config_get")]
    [InlineData("var_get")]
    [InlineData("var_set_key")]
    [InlineData("var_set_value")]
    [InlineData("log_info")]
    [InlineData("log_trace")]
    [InlineData("log_error")]
    [InlineData("http_body")]
    public void The_same_exports_work_with_a_valid_handle(string export)
    {
        using var instance = Plugin.Instantiate();
        instance.Call(export, Input(export, Handle.Valid));
        StillWorks(instance);
    }

    [Fact]
    public void A_valid_block_that_is_not_a_request_fails_http_request_with_InvalidArgument()
    {
        using var instance = Plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.InvalidArgument, () => instance.Call("http_request", Input("http_request", Handle.Valid)));
        StillWorks(instance);
    }

    [Theory]
    [InlineData("config_get")]
    [InlineData("var_get")]
    [InlineData("var_set_key")]
    [InlineData("http_request")]
    public void A_key_or_request_that_is_not_UTF8_fails_with_InvalidArgument(string export)
    {
        using var instance = Plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.InvalidArgument, () => instance.Call(export, Input(export, Handle.InvalidUtf8)));
        StillWorks(instance);
    }

    [Fact]
    public void A_value_that_is_not_UTF8_is_fine_for_a_var()
    {
        using var instance = Plugin.Instantiate();
        instance.Call("var_set_value", Input("var_set_value", Handle.InvalidUtf8));
        StillWorks(instance);
    }

    [Theory]
    [InlineData(Handle.Zero)]
    [InlineData(Handle.Negative)]
    [InlineData(Handle.BeyondMemory)]
    [InlineData(Handle.PastLastBlock)]
    [InlineData(Handle.FreedInner)]
    [InlineData(Handle.FreedTop)]
    [InlineData(Handle.MidBlockAligned)]
    [InlineData(Handle.MidBlockUnaligned)]
    public void An_error_handle_that_is_not_a_live_block_sets_no_error(Handle handle)
    {
        using var instance = Plugin.Instantiate();
        Assert.Equal("ok", TestPlugins.Text(instance.Call("error_set", Input("error_set", handle))));
    }

    [Fact]
    public void An_error_handle_that_is_a_live_block_fails_the_call()
    {
        using var instance = Plugin.Instantiate();
        Assert.Equal("k", TestPlugins.Fails(PluginErrorKind.PluginError, () => instance.Call("error_set", Input("error_set", Handle.Valid))).Message);
        StillWorks(instance);
    }

    /// <summary>One runtime (logging everything), server and compiled plugin for the whole class.</summary>
    public sealed class Fixture : IDisposable
    {
        private readonly PluginRuntime _runtime;
        private readonly ILoggerFactory _loggers;

        public Fixture()
        {
            (_runtime, Logs, _loggers) = CapturingLoggerProvider.Runtime(LogLevel.Trace);
            Server = new LocalHttpServer(context => LocalHttpServer.Reply(context, 200, "served"));
            Plugin = _runtime.Compile(TestPlugins.Wat(TestPlugins.Module(Body)) with { AllowedHosts = ["127.0.0.1"] });
        }

        internal CapturingLoggerProvider Logs { get; }

        internal LocalHttpServer Server { get; }

        public CompiledPlugin Plugin { get; }

        public void Dispose()
        {
            Plugin.Dispose();
            _runtime.Dispose();
            _loggers.Dispose();
            Server.Dispose();
        }
    }
}
