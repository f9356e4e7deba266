using Microsoft.Extensions.Logging;

namespace Interplug.Runtime.Tests;

/// <summary>
/// log_trace … log_error and get_log_level: plugin logs reach the runtime's logger factory at
/// the right level, filtered by it, and get_log_level reports the lowest enabled level.
/// </summary>
public sealed class LoggingTests
{
    private const string Body = """
          (func (export "level") (result i32)
            (call $out_i64 (i64.extend_i32_s (call $get_log_level))) (i32.const 0))
          (func (export "info") (result i32)
            (call $log_info (call $input_offset)) (i32.const 0))
          (func (export "info_null") (result i32)
            (call $log_info (i64.const 0)) (i32.const 0))
          ;; the message block's length after logging it (the host owns and frees it)
          (func (export "length_after_log") (result i32)
            (local $message i64)
            (local.set $message (call $input_copy))
            (call $log_warn (local.get $message))
            (call $out_i64 (call $length (local.get $message))) (i32.const 0))
          (func (export "all_levels") (result i32)
            (call $log_trace (call $str (i32.const 0) (i32.const 1)))
            (call $log_debug (call $str (i32.const 1) (i32.const 1)))
            (call $log_info (call $str (i32.const 2) (i32.const 1)))
            (call $log_warn (call $str (i32.const 3) (i32.const 1)))
            (call $log_error (call $str (i32.const 4) (i32.const 1)))
            (i32.const 0))
          (data (i32.const 0) "TDIWE")
        """;

    private static (PluginRuntime Runtime, CapturingLoggerProvider Logs, ILoggerFactory Factory) Runtime(LogLevel minimum, Action<ILoggingBuilder>? configure = null) =>
        CapturingLoggerProvider.Runtime(minimum, configure);

    [Fact]
    public void The_logger_plugin_logs_at_every_level_in_order()
    {
        var (runtime, logs, factory) = Runtime(LogLevel.Trace);
        using (runtime)
        using (factory)
        {
            using var plugin = runtime.Compile(TestPlugins.Dist("logger"));
            using var instance = plugin.Instantiate();
            Assert.Equal("ok", instance.CallText("log_all", "hello from wasm"));

            var entries = logs.Entries.ToArray();
            Assert.Equal([LogLevel.Trace, LogLevel.Debug, LogLevel.Information, LogLevel.Warning, LogLevel.Error], entries.Select(e => e.Level));
            Assert.All(entries, e => Assert.Contains("hello from wasm", e.Message, StringComparison.Ordinal));
            Assert.All(entries, e => Assert.Contains("logger", e.Message, StringComparison.Ordinal)); // the plugin's name
        }
    }

    [Fact]
    public void Levels_below_the_minimum_are_dropped()
    {
        var (runtime, logs, factory) = Runtime(LogLevel.Warning);
        using (runtime)
        using (factory)
        {
            using var plugin = runtime.Compile(TestPlugins.Dist("logger"));
            using var instance = plugin.Instantiate();
            Assert.Equal("ok", instance.CallText("log_all", "only the loud ones"));
            Assert.Equal([LogLevel.Warning, LogLevel.Error], logs.Entries.Select(e => e.Level));
        }
    }

    [Fact]
    public void With_logging_off_nothing_is_logged_and_the_call_still_works()
    {
        var (runtime, logs, factory) = Runtime(LogLevel.None);
        using (runtime)
        using (factory)
        {
            using var plugin = runtime.Compile(TestPlugins.Dist("logger"));
            using var instance = plugin.Instantiate();
            Assert.Equal("ok", instance.CallText("log_all", "nobody hears this"));
            Assert.Empty(logs.Entries);
        }
    }

    [Fact]
    public void Each_import_logs_at_its_own_level()
    {
        var (runtime, logs, factory) = Runtime(LogLevel.Trace);
        using (runtime)
        using (factory)
        {
            using var plugin = runtime.Compile(TestPlugins.Wat(TestPlugins.Module(Body)));
            using var instance = plugin.Instantiate();
            instance.Call("all_levels", []);
            var byLevel = logs.Entries.ToDictionary(e => e.Level, e => e.Message[^1]);
            Assert.Equal('T', byLevel[LogLevel.Trace]);
            Assert.Equal('D', byLevel[LogLevel.Debug]);
            Assert.Equal('I', byLevel[LogLevel.Information]);
            Assert.Equal('W', byLevel[LogLevel.Warning]);
            Assert.Equal('E', byLevel[LogLevel.Error]);
        }
    }

    [Theory]
    [InlineData(LogLevel.Trace, 0)]
    [InlineData(LogLevel.Debug, 1)]
    [InlineData(LogLevel.Information, 2)]
    [InlineData(LogLevel.Warning, 3)]
    [InlineData(LogLevel.Error, 4)]
    [InlineData(LogLevel.Critical, int.MaxValue)]
    [InlineData(LogLevel.None, int.MaxValue)]
    public void Get_log_level_is_the_lowest_enabled_level(LogLevel minimum, int expected)
    {
        var (runtime, _, factory) = Runtime(minimum);
        using (runtime)
        using (factory)
        {
            using var plugin = runtime.Compile(TestPlugins.Wat(TestPlugins.Module(Body)));
            using var instance = plugin.Instantiate();
            Assert.Equal(expected, instance.CallI64("level"));
        }
    }

    [Fact]
    public void Get_log_level_follows_category_filters()
    {
        var (runtime, _, factory) = Runtime(LogLevel.Trace, builder => builder.AddFilter("Interplug.Plugin", LogLevel.Error));
        using (runtime)
        using (factory)
        {
            using var plugin = runtime.Compile(TestPlugins.Wat(TestPlugins.Module(Body)));
            using var instance = plugin.Instantiate();
            Assert.Equal(4, instance.CallI64("level"));
        }
    }

    [Fact]
    public void Without_a_logger_factory_logging_is_off()
    {
        using var plugin = TestPlugins.CompileModule(Body);
        using var instance = plugin.Instantiate();
        Assert.Equal(int.MaxValue, instance.CallI64("level"));
        instance.Call("info", "dropped"u8);
    }

    [Fact]
    public void A_message_that_is_not_UTF8_is_logged_lossily()
    {
        var (runtime, logs, factory) = Runtime(LogLevel.Information);
        using (runtime)
        using (factory)
        {
            using var plugin = runtime.Compile(TestPlugins.Wat(TestPlugins.Module(Body)));
            using var instance = plugin.Instantiate();
            instance.Call("info", [0x61, 0x62, 0xFF, 0x63, 0x64]);
            var entry = Assert.Single(logs.Entries);
            Assert.Equal(LogLevel.Information, entry.Level);
            Assert.EndsWith("ab\uFFFDcd", entry.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Logging_handle_zero_logs_an_empty_message()
    {
        var (runtime, logs, factory) = Runtime(LogLevel.Information);
        using (runtime)
        using (factory)
        {
            using var plugin = runtime.Compile(TestPlugins.Wat(TestPlugins.Module(Body)));
            using var instance = plugin.Instantiate();
            instance.Call("info_null", []);
            Assert.Equal(LogLevel.Information, Assert.Single(logs.Entries).Level);
        }
    }

    [Theory]
    [InlineData(LogLevel.Trace)]
    [InlineData(LogLevel.None)]
    public void The_host_frees_the_message_block_whether_or_not_it_logs_it(LogLevel minimum)
    {
        var (runtime, _, factory) = Runtime(minimum);
        using (runtime)
        using (factory)
        {
            using var plugin = runtime.Compile(TestPlugins.Wat(TestPlugins.Module(Body)));
            using var instance = plugin.Instantiate();
            Assert.Equal(0, instance.CallI64("length_after_log", "message"u8));
        }
    }

    [Fact]
    public void A_4_MiB_log_message_reaches_the_logger_truncated()
    {
        var (runtime, logs, factory) = Runtime(LogLevel.Trace);
        using (runtime)
        using (factory)
        {
            using var plugin = runtime.Compile(TestPlugins.Wat(TestPlugins.Module(Body)));
            using var instance = plugin.Instantiate();
            var message = new byte[4 << 20];
            message.AsSpan().Fill((byte)'x');
            instance.Call("info", message);

            var logged = Assert.Single(logs.Entries).Message;
            var dropped = message.Length - PluginOptions.DefaultMaxLogMessageBytes;
            Assert.Contains(new string('x', PluginOptions.DefaultMaxLogMessageBytes) + "…", logged, StringComparison.Ordinal);
            Assert.DoesNotContain(new string('x', PluginOptions.DefaultMaxLogMessageBytes + 1), logged, StringComparison.Ordinal);
            Assert.EndsWith($"[log message truncated: {dropped} of {message.Length} bytes dropped]", logged, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_log_message_cap_is_a_plugin_option()
    {
        var (runtime, logs, factory) = Runtime(LogLevel.Trace);
        using (runtime)
        using (factory)
        {
            using var plugin = runtime.Compile(TestPlugins.Wat(TestPlugins.Module(Body)), new PluginOptions { MaxLogMessageBytes = 5 });
            using var instance = plugin.Instantiate();
            instance.Call("info", "hello world"u8);
            instance.Call("info", "short"u8);
            Assert.Equal(
                ["plugin: hello… [log message truncated: 6 of 11 bytes dropped]", "plugin: short"],
                logs.Entries.Select(e => e.Message));
            Assert.Throws<ArgumentOutOfRangeException>(() => new PluginOptions { MaxLogMessageBytes = -1 });
        }
    }
}
