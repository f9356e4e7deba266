using Microsoft.Extensions.Logging;

namespace Interplug.Cli;

/// <summary>Plugin logs go to stderr, one line each and escaped, so stdout carries nothing but output bytes.</summary>
internal static class CliLogging
{
    public static readonly string[] Levels = ["trace", "debug", "info", "warn", "error", "off"];

    public static ILoggerFactory Create(string level) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(Parse(level))
        .AddConsole(o =>
        {
            o.FormatterName = EscapingConsoleFormatter.FormatterName;
            o.LogToStandardErrorThreshold = LogLevel.Trace;
        })
        .AddConsoleFormatter<EscapingConsoleFormatter, Microsoft.Extensions.Logging.Console.ConsoleFormatterOptions>());

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
