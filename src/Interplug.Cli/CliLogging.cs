using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Interplug.Cli;

/// <summary>Plugin logs go to stderr, one line each and escaped, so stdout carries nothing but output bytes.</summary>
internal static class CliLogging
{
    private const int MaxQueuedMessages = 4;

    public static readonly string[] Levels = ["trace", "debug", "info", "warn", "error", "off"];

    public static ILoggerFactory Create(string level) => LoggerFactory.Create(builder => Configure(builder, level));

    /// <summary>Sends the logs of <paramref name="builder"/>, at <paramref name="level"/> and above, to stderr as <see cref="Create"/> does.</summary>
    public static ILoggingBuilder Configure(ILoggingBuilder builder, string level) => builder
        .SetMinimumLevel(Parse(level))
        .AddConsole(o =>
        {
            o.FormatterName = EscapingConsoleFormatter.FormatterName;
            o.LogToStandardErrorThreshold = LogLevel.Trace;
            // The logger queues formatted messages for a writer thread, 2,500 by default: with a
            // slowly read stderr and large plugin messages that queue alone passed 1.5 GB. A short
            // queue that makes the logging call wait when full bounds it to a few messages, and
            // loses none: a CLI whose stderr is slow runs at the reader's pace, as any command-line
            // tool writing to a pipe does. Dropping (DropWrite) would keep the plugin fast at the
            // price of losing the very lines a user turned logging on to see.
            o.MaxQueueLength = MaxQueuedMessages;
            o.QueueFullMode = ConsoleLoggerQueueFullMode.Wait;
        })
        .AddConsoleFormatter<EscapingConsoleFormatter, ConsoleFormatterOptions>();

    private static LogLevel Parse(string level) => level switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" => LogLevel.Information,
        "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        _ => LogLevel.None,
    };
}
