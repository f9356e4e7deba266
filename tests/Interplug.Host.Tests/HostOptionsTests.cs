using System.Collections.Concurrent;
using System.Text;
using Interplug.Host.Catalog;
using Interplug.Host.Policy;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;
using Microsoft.Extensions.Logging;

namespace Interplug.Host.Tests;

/// <summary>What the application gives every catalog plugin through <see cref="PluginHostOptions"/>: its own host functions and the per-plugin options of the runtime.</summary>
public sealed class HostOptionsTests
{
    /// <summary>
    /// <c>clock</c>: its <c>run</c> export asks the application's <c>now_ms</c> for the time, has
    /// echo echo its 8 bytes back through <c>register_plugin</c> and <c>call_plugin</c>, and
    /// outputs them; <c>log</c> logs its input at info level.
    /// </summary>
    private const string ClockWat = $"""
        (module
          (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
          (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
          (import "extism:host/env" "length" (func $length (param i64) (result i64)))
          (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
          (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
          (import "extism:host/env" "log_info" (func $log_info (param i64)))
          (import "extism:host/user" "now_ms" (func $now_ms (result i64)))
          (import "extism:host/user" "register_plugin" (func $register (param i64) (result i64)))
          (import "extism:host/user" "call_plugin" (func $call (param i64 i64 i64) (result i64)))
          (memory (export "memory") 1)
          (data (i32.const 0) "echo")
          {GuestWat.Str}
          (func (export "run") (result i32)
            (local $echo i64) (local $out i64)
            (i64.store (i32.const 16) (call $now_ms))
            (local.set $echo (call $register (call $str (i32.const 0) (i32.const 4))))
            (local.set $out (call $call (local.get $echo) (call $str (i32.const 0) (i32.const 4)) (call $str (i32.const 16) (i32.const 8))))
            (call $output_set (local.get $out) (call $length (local.get $out)))
            (i32.const 0))
          (func (export "log") (result i32)
            (call $log_info (call $input_offset))
            (i32.const 0))
        )
        """;

    private const long Now = 1_767_225_600_123;

    private static HostFunction NowMs => HostFunction.FromMethod("now_ms", (CurrentPlugin _) => Now);

    private static PluginHostOptions Options(params HostFunction[] hostFunctions) => new()
    {
        Catalog = new PluginCatalog().AddDirectory(TestHosts.Dist).Add("clock", Manifest.FromBytes(Encoding.UTF8.GetBytes(ClockWat))),
        Policy = TestHosts.Policy(("clock", new PolicyRule { Spawn = ["echo"] })),
        HostFunctions = hostFunctions,
    };

    [Fact]
    public void A_plugin_imports_the_applications_host_function_and_calls_other_plugins_too()
    {
        using var host = new PluginHost(Options(NowMs), TestHosts.Runtime);

        var output = host.Run("clock", "run", []);

        Assert.Equal(Now, BitConverter.ToInt64(output));
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void Without_the_host_function_the_plugin_misses_its_import()
    {
        using var host = new PluginHost(Options(), TestHosts.Runtime);

        var e = TestHosts.Fails(PluginErrorKind.MissingImport, () => host.Run("clock", "run", []));

        Assert.Equal("extism:host/user::now_ms", e.ImportName);
    }

    [Theory]
    [InlineData("extism:host/user", "register_plugin")]
    [InlineData("env", "call_plugin")]
    [InlineData("extism:host/user", "last_error")]
    public void A_host_function_named_like_an_inter_plugin_function_is_refused_when_the_host_is_created(string module, string name)
    {
        var clash = HostFunction.FromMethod<long, long>(name, (_, a) => a).WithModule(module);

        var e = Assert.Throws<ArgumentException>(() => new PluginHost(Options(NowMs, clash), TestHosts.Runtime));

        Assert.Contains($"{module}::{name} is an inter-plugin function", e.Message, StringComparison.Ordinal);
        Assert.Equal("options", e.ParamName);
    }

    [Fact]
    public void The_same_host_function_twice_is_refused_when_the_host_is_created()
    {
        var e = Assert.Throws<ArgumentException>(() => new PluginHost(Options(NowMs, NowMs), TestHosts.Runtime));

        Assert.Contains("extism:host/user::now_ms is defined twice", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_name_in_another_module_is_a_different_host_function()
    {
        using var host = new PluginHost(Options(NowMs, NowMs.WithModule("env"), HostFunction.FromMethod<long, long>("register_plugin", (_, a) => a).WithModule("my:ns")), TestHosts.Runtime);

        Assert.Equal(Now, BitConverter.ToInt64(host.Run("clock", "run", [])));
    }

    [Fact]
    public void MaxLogMessageBytes_applies_to_catalog_plugins()
    {
        var logs = new CapturingLoggers();
        using var host = new PluginHost(Options(NowMs) with { LoggerFactory = logs, MaxLogMessageBytes = 4 });

        host.Run("clock", "log", "0123456789"u8);

        Assert.Contains("clock: 0123… [log message truncated: 6 of 10 bytes dropped]", logs.Messages);
    }

    [Fact]
    public void InheritStdio_without_Wasi_is_refused_when_the_host_is_created()
    {
        var e = Assert.Throws<ArgumentException>(() => new PluginHost(Options() with { InheritStdio = true }, TestHosts.Runtime));

        Assert.Contains("InheritStdio needs Wasi", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_HttpClient_the_given_runtime_does_not_use_is_refused_when_the_host_is_created()
    {
        using var client = new HttpClient();

        var e = Assert.Throws<ArgumentException>(() => new PluginHost(Options() with { HttpClient = client }, TestHosts.Runtime));

        Assert.Contains("PluginRuntimeOptions.HttpClient", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_that_creates_its_runtime_fetches_through_the_given_HttpClient_and_leaves_it_open()
    {
        var served = new ServeEcho();
        using var client = new HttpClient(served);
        var catalog = new PluginCatalog().Add("remote", new Manifest { Wasm = [new WasmSource { Url = "https://plugins.example/echo.wasm" }] });
        using (var host = new PluginHost(new PluginHostOptions { Catalog = catalog, HttpClient = client }))
            Assert.Equal("via the client", Encoding.UTF8.GetString(host.Run("remote", "echo", "via the client"u8)));

        Assert.Equal(["https://plugins.example/echo.wasm"], served.Requests);
        Assert.Equal(System.Net.HttpStatusCode.OK, client.Send(new HttpRequestMessage(HttpMethod.Get, "https://plugins.example/again")).StatusCode);
    }

    /// <summary>Answers every request with plugins/dist/echo.wasm and records its URL.</summary>
    private sealed class ServeEcho : HttpMessageHandler
    {
        public ConcurrentQueue<string> Requests { get; } = new();

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Enqueue(request.RequestUri!.ToString());
            return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new ByteArrayContent(File.ReadAllBytes(TestHosts.DistPath("echo"))) };
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(Send(request, cancellationToken));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1_000_001)]
    public void MaxLiveInstances_out_of_range_is_refused_when_set(int value)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PluginHostOptions { MaxLiveInstances = value });

        Assert.Equal("MaxLiveInstances", e.ParamName);
        Assert.Equal(value, e.ActualValue);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-5L)]
    [InlineData(65_537L)]
    public void MaxMemoryPages_out_of_range_is_refused_when_set(long value)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PluginHostOptions { MaxMemoryPages = value });

        Assert.Equal("MaxMemoryPages", e.ParamName);
    }

    [Fact]
    public void A_negative_MaxLogMessageBytes_is_refused_when_set()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new PluginHostOptions { MaxLogMessageBytes = -1 });

        Assert.Equal("MaxLogMessageBytes", e.ParamName);
    }

    /// <summary>A logger factory that keeps every message its loggers get.</summary>
    private sealed class CapturingLoggers : ILoggerFactory
    {
        private readonly ConcurrentQueue<string> _messages = new();

        public IReadOnlyCollection<string> Messages => _messages;

        public ILogger CreateLogger(string categoryName) => new Logger(_messages);

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception));
        }
    }
}
