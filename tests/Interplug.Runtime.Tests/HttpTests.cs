using System.Net;
using System.Text;
using System.Text.Json;
using Interplug.Runtime.Manifests;

namespace Interplug.Runtime.Tests;

/// <summary>
/// http_request, http_status_code and http_headers against a server on 127.0.0.1: allowed hosts
/// (globs, none = deny all), the response size cap, redirects, timeouts and transport failures.
/// </summary>
public sealed class HttpTests : IDisposable
{
    private const string Body = """
          (data (i32.const 0) "payload body")
          (data (i32.const 16) "ok")
          ;; input: the request JSON
          (func (export "request") (result i32)
            (call $out_block (call $http_request (call $input_offset) (i64.const 0))) (i32.const 0))
          (func (export "request_with_body") (result i32)
            (local $body i64)
            (local.set $body (call $str (i32.const 0) (i32.const 12)))
            (call $out_block (call $http_request (call $input_offset) (local.get $body))) (i32.const 0))
          (func (export "request_status") (result i32)
            (drop (call $http_request (call $input_offset) (i64.const 0)))
            (call $out_i64 (i64.extend_i32_s (call $http_status_code))) (i32.const 0))
          (func (export "request_headers") (result i32)
            (drop (call $http_request (call $input_offset) (i64.const 0)))
            (call $out_block (call $http_headers)) (i32.const 0))
          (func (export "status") (result i32)
            (call $out_i64 (i64.extend_i32_s (call $http_status_code))) (i32.const 0))
          (func (export "headers") (result i32)
            (call $out_i64 (call $http_headers)) (i32.const 0))
          (func (export "ok") (result i32)
            (call $out_str (i32.const 16) (i32.const 2)) (i32.const 0))
        """;

    private const int TrickleBytes = 100;

    private readonly LocalHttpServer _server = new(Handle);

    private static async Task Handle(HttpListenerContext context)
    {
        var path = context.Request.Url!.AbsolutePath;
        switch (path)
        {
            case "/hello":
                context.Response.AddHeader("X-Test", "yes");
                await LocalHttpServer.Reply(context, 200, "hello world");
                break;
            case "/missing":
                await LocalHttpServer.Reply(context, 404, "nope");
                break;
            case "/echo":
                // the server records the request; the body here is what it saw
                var seen = context.Request.Headers["X-Custom"] ?? "-";
                await LocalHttpServer.Reply(context, 201, $"{context.Request.HttpMethod} x-custom={seen}");
                break;
            case "/big":
                await LocalHttpServer.Reply(context, 200, new byte[10_000]);
                break;
            case "/chunked":
                context.Response.StatusCode = 200;
                context.Response.SendChunked = true;
                for (var i = 0; i < 10; i++)
                    await context.Response.OutputStream.WriteAsync(new byte[1000]);
                break;
            case "/redirect":
                context.Response.StatusCode = 302;
                context.Response.RedirectLocation = "/hello";
                break;
            case "/slow":
                await Task.Delay(TimeSpan.FromSeconds(3));
                await LocalHttpServer.Reply(context, 200, "too late");
                break;
            case "/trickle":
                // a slow-loris body: headers at once, then one byte every 200 ms for 20 s
                context.Response.StatusCode = 200;
                context.Response.ContentLength64 = TrickleBytes;
                for (var i = 0; i < TrickleBytes; i++)
                {
                    await context.Response.OutputStream.WriteAsync("x"u8.ToArray());
                    await context.Response.OutputStream.FlushAsync();
                    await Task.Delay(200);
                }
                break;
            case "/endless":
                // a chunked body with no declared length that never ends (until the client goes away)
                context.Response.StatusCode = 200;
                context.Response.SendChunked = true;
                while (true)
                    await context.Response.OutputStream.WriteAsync(new byte[65536]);
            default:
                await LocalHttpServer.Reply(context, 500, "unexpected path " + path);
                break;
        }
    }

    public void Dispose() => _server.Dispose();

    private static string Request(string url, string? method = null, Dictionary<string, string>? headers = null) =>
        JsonSerializer.Serialize(new Dictionary<string, object?> { ["url"] = url, ["method"] = method, ["headers"] = headers ?? [] });

    private static CompiledPlugin Compile(IReadOnlyList<string> allowedHosts, long? maxResponseBytes = null, long? timeoutMs = null, PluginRuntime? runtime = null) =>
        (runtime ?? TestPlugins.Runtime).Compile(TestPlugins.Wat(TestPlugins.Module(Body)) with
        {
            AllowedHosts = allowedHosts,
            Memory = new ManifestMemory { MaxHttpResponseBytes = maxResponseBytes },
            TimeoutMs = timeoutMs,
        });

    private static readonly string[] Local = ["127.0.0.1"];

    [Fact]
    public void The_http_get_plugin_fetches_from_an_allowed_host()
    {
        using var plugin = TestPlugins.Runtime.Compile(TestPlugins.Dist("http_get") with { AllowedHosts = Local });
        using var instance = plugin.Instantiate();
        Assert.Equal("hello world", instance.CallText("http_get", _server.Url("/hello")));
        Assert.Equal("HTTP status 404", TestPlugins.Fails(PluginErrorKind.PluginError, () => instance.Call("http_get", Encoding.UTF8.GetBytes(_server.Url("/missing")))).Message);
        Assert.Equal("hello world", instance.CallText("http_get", _server.Url("/hello")));
    }

    [Fact]
    public void The_http_get_plugin_is_denied_without_allowed_hosts()
    {
        using var plugin = TestPlugins.CompileDist("http_get");
        using var instance = plugin.Instantiate();
        var e = TestPlugins.Fails(PluginErrorKind.PermissionDenied, () => instance.Call("http_get", Encoding.UTF8.GetBytes(_server.Url("/hello"))));
        Assert.Contains("127.0.0.1", e.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public void A_request_returns_the_body_status_and_headers()
    {
        using var plugin = Compile(Local);
        using var instance = plugin.Instantiate();
        Assert.Equal(0, instance.CallI64("status")); // nothing requested yet
        Assert.Equal(0, instance.CallI64("headers"));

        Assert.Equal("hello world", instance.CallText("request", Request(_server.Url("/hello"))));
        Assert.Equal(200, instance.CallI64("status")); // the last request's status, in a later call
        Assert.Equal(404, instance.CallI64("request_status", Encoding.UTF8.GetBytes(Request(_server.Url("/missing")))));

        using var headers = JsonDocument.Parse(instance.Call("request_headers", Encoding.UTF8.GetBytes(Request(_server.Url("/hello")))));
        Assert.Equal("yes", headers.RootElement.GetProperty("x-test").GetString());
        Assert.Equal("11", headers.RootElement.GetProperty("content-length").GetString());
    }

    [Fact]
    public void A_non_success_status_still_returns_the_body()
    {
        using var plugin = Compile(Local);
        using var instance = plugin.Instantiate();
        Assert.Equal("nope", instance.CallText("request", Request(_server.Url("/missing"))));
        Assert.Equal(404, instance.CallI64("status"));
    }

    [Fact]
    public void Method_headers_and_body_reach_the_server()
    {
        using var plugin = Compile(Local);
        using var instance = plugin.Instantiate();
        var request = Request(_server.Url("/echo"), "post", new Dictionary<string, string> { ["X-Custom"] = "custom value" });
        Assert.Equal("POST x-custom=custom value", instance.CallText("request_with_body", request));
        Assert.Equal(201, instance.CallI64("status"));
        var seen = Assert.Single(_server.Requests);
        Assert.Equal(("POST", "/echo", "payload body"), (seen.Method, seen.Path, seen.Body));
        Assert.Equal("custom value", seen.Headers["x-custom"]);
    }

    [Fact]
    public void The_method_defaults_to_GET()
    {
        using var plugin = Compile(Local);
        using var instance = plugin.Instantiate();
        Assert.Equal("GET x-custom=-", instance.CallText("request", $$"""{"url":"{{_server.Url("/echo")}}"}"""));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.*")]
    [InlineData("*.0.0.1")]
    [InlineData("127.*.1")]
    [InlineData("127.0.0.?")]
    [InlineData("*")]
    public void A_host_matching_an_allowed_glob_is_reached(string glob)
    {
        using var plugin = Compile(["*.example.com", glob]);
        using var instance = plugin.Instantiate();
        Assert.Equal("hello world", instance.CallText("request", Request(_server.Url("/hello"))));
    }

    [Theory]
    [InlineData()]
    [InlineData("*.x")]
    [InlineData("127.0.0.2")]
    [InlineData("127.0.0.??")]
    [InlineData("127.0.0")]
    [InlineData("x.127.0.0.1")]
    [InlineData("localhost")]
    public void A_host_matching_no_allowed_glob_is_denied(params string[] globs)
    {
        using var plugin = Compile(globs);
        using var instance = plugin.Instantiate();
        var e = TestPlugins.Fails(PluginErrorKind.PermissionDenied, () => instance.Call("request", Encoding.UTF8.GetBytes(Request(_server.Url("/hello")))));
        Assert.Equal("request", e.ExportName);
        Assert.Empty(_server.Requests);
        Assert.Equal("ok", instance.CallText("ok"));
    }

    [Theory]
    [InlineData("http://x/")]
    [InlineData("http://api.y/")]
    [InlineData("http://x.y.z/")]
    [InlineData("https://evil.example/x")]
    public void A_star_dot_glob_only_allows_subdomains(string url)
    {
        // Denied before any request is made; the test client would refuse anything but 127.0.0.1 anyway.
        using var plugin = Compile(["*.x"]);
        using var instance = plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.PermissionDenied, () => instance.Call("request", Encoding.UTF8.GetBytes(Request(url))));
    }

    [Theory]
    [InlineData("/big")]
    [InlineData("/chunked")]
    public void A_response_over_max_http_response_bytes_fails_with_LimitExceeded(string path)
    {
        using var plugin = Compile(Local, maxResponseBytes: 9_999);
        using var instance = plugin.Instantiate();
        var e = TestPlugins.Fails(PluginErrorKind.LimitExceeded, () => instance.Call("request", Encoding.UTF8.GetBytes(Request(_server.Url(path)))));
        Assert.Contains("max_http_response_bytes", e.Message, StringComparison.Ordinal);
        Assert.Equal("ok", instance.CallText("ok"));
    }

    [Theory]
    [InlineData("/big")]
    [InlineData("/chunked")]
    public void A_response_of_exactly_max_http_response_bytes_is_accepted(string path)
    {
        using var plugin = Compile(Local, maxResponseBytes: 10_000);
        using var instance = plugin.Instantiate();
        Assert.Equal(new byte[10_000], instance.Call("request", Encoding.UTF8.GetBytes(Request(_server.Url(path)))));
    }

    [Fact]
    public void Allowed_hosts_and_the_response_cap_are_read_from_manifest_json()
    {
        var json = $$"""
            { "wasm": [ { "path": {{JsonSerializer.Serialize(TestPlugins.DistPath("http_get"))}} } ],
              "allowed_hosts": ["127.0.0.*"], "memory": { "max_http_response_bytes": 100 } }
            """;
        using var plugin = TestPlugins.Runtime.Compile(Manifest.Parse(json));
        using var instance = plugin.Instantiate();
        Assert.Equal("hello world", instance.CallText("http_get", _server.Url("/hello")));
        TestPlugins.Fails(PluginErrorKind.LimitExceeded, () => instance.Call("http_get", Encoding.UTF8.GetBytes(_server.Url("/big"))));
    }

    [Fact]
    public void Redirects_are_not_followed_by_the_default_client()
    {
        using var runtime = new PluginRuntime();
        using var plugin = Compile(Local, runtime: runtime);
        using var instance = plugin.Instantiate();
        Assert.Equal(302, instance.CallI64("request_status", Encoding.UTF8.GetBytes(Request(_server.Url("/redirect")))));
        Assert.Equal(["/redirect"], _server.Requests.Select(r => r.Path));
    }

    [Fact]
    public void A_slow_response_fails_the_call_with_Timeout()
    {
        using var plugin = Compile(Local, timeoutMs: 200);
        using var instance = plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.Timeout, () => instance.Call("request", Encoding.UTF8.GetBytes(Request(_server.Url("/slow")))));
        Assert.Equal("hello world", instance.CallText("request", Request(_server.Url("/hello"))));
    }

    [Fact]
    public void Cancelling_during_a_request_fails_the_call_with_Cancelled()
    {
        using var plugin = Compile(Local);
        using var instance = plugin.Instantiate();
        using var cancel = new CancellationTokenSource();
        cancel.CancelAfter(50);
        TestPlugins.Fails(PluginErrorKind.Cancelled, () => instance.Call("request", Encoding.UTF8.GetBytes(Request(_server.Url("/slow"))), cancel.Token));
        Assert.Equal("ok", instance.CallText("ok"));
    }

    [Fact]
    public void A_body_that_trickles_fails_the_call_with_Timeout()
    {
        using var plugin = Compile(Local, timeoutMs: 1000);
        using var instance = plugin.Instantiate();
        var started = System.Diagnostics.Stopwatch.StartNew();
        TestPlugins.Fails(PluginErrorKind.Timeout, () => instance.Call("request", Encoding.UTF8.GetBytes(Request(_server.Url("/trickle")))));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"a 1 s timeout took {started.Elapsed} against a 20 s trickle");
    }

    [Fact]
    public void Cancelling_while_a_body_trickles_fails_the_call_with_Cancelled()
    {
        using var plugin = Compile(Local);
        using var instance = plugin.Instantiate();
        using var cancel = new CancellationTokenSource();
        cancel.CancelAfter(TimeSpan.FromSeconds(1));
        var started = System.Diagnostics.Stopwatch.StartNew();
        TestPlugins.Fails(PluginErrorKind.Cancelled, () => instance.Call("request", Encoding.UTF8.GetBytes(Request(_server.Url("/trickle"))), cancel.Token));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"cancelling after 1 s took {started.Elapsed} against a 20 s trickle");
    }

    [Fact]
    public void An_endless_body_stops_at_the_size_cap()
    {
        using var plugin = Compile(Local, maxResponseBytes: 1 << 20);
        using var instance = plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.LimitExceeded, () => instance.Call("request", Encoding.UTF8.GetBytes(Request(_server.Url("/endless")))));
    }

    [Fact]
    public void A_refused_connection_fails_with_HttpFailed()
    {
        using var plugin = Compile(Local);
        using var instance = plugin.Instantiate();
        var url = $"http://127.0.0.1:{LocalHttpServer.FreePort()}/";
        TestPlugins.Fails(PluginErrorKind.HttpFailed, () => instance.Call("request", Encoding.UTF8.GetBytes(Request(url))));
        Assert.Equal("ok", instance.CallText("ok"));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    [InlineData("""{"method":"GET"}""")]
    [InlineData("""{"url":42}""")]
    [InlineData("""{"url":"not a url"}""")]
    [InlineData("""{"url":"file:///etc/passwd"}""")]
    [InlineData("""{"url":"ftp://127.0.0.1/x"}""")]
    [InlineData("""{"url":"http://127.0.0.1/","method":"GE T"}""")]
    [InlineData("""{"url":"http://127.0.0.1/","method":""}""")]
    [InlineData("""{"url":"http://127.0.0.1/","method":"G\nET"}""")]
    public void A_request_that_is_not_a_valid_description_fails_with_InvalidArgument(string request)
    {
        using var plugin = Compile(["*"]);
        using var instance = plugin.Instantiate();
        TestPlugins.Fails(PluginErrorKind.InvalidArgument, () => instance.Call("request", Encoding.UTF8.GetBytes(request)));
        Assert.Equal("ok", instance.CallText("ok"));
        Assert.Empty(_server.Requests);
    }
}
