using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Interplug.Runtime.Tests;

/// <summary>One captured log message.</summary>
internal sealed record LogEntry(string Category, LogLevel Level, string Message);

/// <summary>Records every message its loggers are given; the logger factory's filters decide what is enabled.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>A runtime whose plugin logs go to a new capturing provider at <paramref name="minimum"/> and above.</summary>
    public static (PluginRuntime Runtime, CapturingLoggerProvider Logs, ILoggerFactory Factory) Runtime(LogLevel minimum, Action<ILoggingBuilder>? configure = null)
    {
        var logs = new CapturingLoggerProvider();
        var factory = LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(minimum).AddProvider(logs);
            configure?.Invoke(builder);
        });
        return (new PluginRuntime(new PluginRuntimeOptions { LoggerFactory = factory, HttpClient = LocalOnlyHttp.Create() }), logs, factory);
    }

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception)));
    }
}
