using System.Text.Json;
using Interplug.Runtime.Manifests;

namespace Interplug.Runtime.Tests;

/// <summary>
/// One rule for every limit: a limit too large to represent means "no limit" instead of
/// overflowing into an immediate failure, and a limit out of range is refused when it is given
/// (InvalidManifest for a manifest, ArgumentOutOfRangeException for C# options).
/// </summary>
public sealed class LimitTests : IDisposable
{
    private const string Body = """
          (data (i32.const 0) "ok")
          (func (export "ok") (result i32)
            (call $out_str (i32.const 0) (i32.const 2)) (i32.const 0))
          ;; long enough for the epoch ticker to check the deadline many times
          (func (export "spin") (result i32)
            (local $i i64)
            (block $done (loop $next
              (br_if $done (i64.ge_u (local.get $i) (i64.const 50000000)))
              (local.set $i (i64.add (local.get $i) (i64.const 1)))
              (br $next)))
            (call $out_str (i32.const 0) (i32.const 2)) (i32.const 0))
          (func (export "input_length") (result i32)
            (call $out_i64 (call $input_length)) (i32.const 0))
          ;; input: the request JSON
          (func (export "request") (result i32)
            (call $out_block (call $http_request (call $input_copy) (i64.const 0))) (i32.const 0))
        """;

    private readonly LocalHttpServer _server = new(context => LocalHttpServer.Reply(context, 200, "fetched"));

    public void Dispose() => _server.Dispose();

    private static CompiledPlugin Compile(Manifest changes) => TestPlugins.Runtime.Compile(changes);

    private static Manifest Plugin => TestPlugins.Wat(TestPlugins.Module(Body));

    private static string Json(string extra) =>
        $$"""{ "wasm": [ { "data": "{{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(TestPlugins.Module(Body)))}}" } ], {{extra}} }""";

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(10_000_000_000L)]
    public void A_timeout_too_large_to_represent_means_no_timeout(long timeoutMs)
    {
        using var plugin = Compile(Plugin with { TimeoutMs = timeoutMs });
        using var instance = plugin.Instantiate();
        Assert.Equal("ok", instance.CallText("spin"));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    public void A_timeout_that_is_not_positive_is_an_invalid_manifest(long timeoutMs)
    {
        TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => Compile(Plugin with { TimeoutMs = timeoutMs }).Dispose());
        TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => Manifest.Parse(Json($"\"timeout_ms\": {timeoutMs}")));
    }

    [Theory]
    [InlineData("max_pages")]
    [InlineData("max_var_bytes")]
    [InlineData("max_http_response_bytes")]
    public void A_negative_memory_limit_is_an_invalid_manifest(string limit)
    {
        var e = TestPlugins.Fails(PluginErrorKind.InvalidManifest, () => Manifest.Parse(Json($"\"memory\": {{ \"{limit}\": -1 }}")));
        Assert.Contains(limit, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_far_wall_clock_deadline_means_no_deadline()
    {
        using var plugin = Compile(Plugin);
        using var instance = plugin.Instantiate();
        Assert.Equal("ok"u8.ToArray(), instance.Call("spin", [], new CallOptions { Deadline = DateTimeOffset.MaxValue }));
    }

    [Theory]
    [InlineData(1L << 47)]
    [InlineData(long.MaxValue)]
    public void A_memory_budget_beyond_wasm32_does_not_overflow(long maxPages)
    {
        using var plugin = Compile(Plugin with { Memory = new ManifestMemory { MaxPages = maxPages } });
        using var instance = plugin.Instantiate();
        Assert.Equal("ok", instance.CallText("ok"));
        Assert.Equal(3 << 20, instance.CallI64("input_length", new byte[3 << 20])); // the kernel grows under the budget
    }

    [Fact]
    public void A_negative_instance_budget_or_fuel_is_refused()
    {
        using var plugin = Compile(Plugin);
        Assert.Throws<ArgumentOutOfRangeException>(() => plugin.Instantiate(new InstanceOptions { MemoryMaxPages = -1 }));
        using var instance = plugin.Instantiate();
        Assert.Throws<ArgumentOutOfRangeException>(() => instance.Call("ok", [], new CallOptions { Fuel = -1 }));
    }

    [Fact]
    public void Instance_pool_options_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new InstancePoolOptions { MaxInstances = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new InstancePoolOptions { MaxInstances = int.MaxValue });
        Assert.Throws<ArgumentOutOfRangeException>(() => new InstancePoolOptions { MaxMemoryPages = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new InstancePoolOptions { MaxMemoryPages = 1L << 47 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new InstancePoolOptions { KeepResidentBytes = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new InstancePoolOptions { MaxMemoriesPerModule = 1 });
    }

    [Fact]
    public void An_http_request_under_a_60_day_timeout_succeeds()
    {
        using var plugin = Compile(Plugin with { TimeoutMs = (long)TimeSpan.FromDays(60).TotalMilliseconds, AllowedHosts = ["127.0.0.1"] });
        using var instance = plugin.Instantiate();
        var request = JsonSerializer.Serialize(new Dictionary<string, string> { ["url"] = _server.Url("/") });
        Assert.Equal("fetched", instance.CallText("request", request));
    }
}
