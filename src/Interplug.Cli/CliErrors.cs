using Interplug.Runtime;

namespace Interplug.Cli;

/// <summary>A command-line mistake the user can fix, reported without a stack trace.</summary>
internal sealed class CliUsageException(string message) : Exception(message);

/// <summary>A failure outside any plugin, such as a silo that cannot start, reported as one line like the others.</summary>
internal sealed class CliFailureException(string message, Exception innerException) : Exception(message, innerException);

/// <summary>
/// Runs a command body and turns every failure into one line on stderr and a non-zero exit code.
/// Messages are escaped: a plugin's error text (and the call chain naming its exports) is the
/// plugin's to choose, and must not forge further lines or drive the terminal.
/// </summary>
internal static class CliErrors
{
    public const int Failure = 1;
    public const int Usage = 2;

    public static int Run(Action body)
    {
        try
        {
            body();
            return 0;
        }
        catch (PluginException e)
        {
            Console.Error.WriteLine(Describe(e));
            return Failure;
        }
        catch (CliUsageException e)
        {
            Console.Error.WriteLine($"error: {TerminalText.Escape(e.Message)}");
            return Usage;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CliFailureException)
        {
            Console.Error.WriteLine($"error: {TerminalText.Escape(e.Message)}");
            return Failure;
        }
    }

    /// <summary>The failure as one escaped line: <c>error (kind): message</c>.</summary>
    public static string Describe(PluginException e) => $"error ({Kebab(e.Kind)}): {TerminalText.Escape(e.Message)}";

    /// <summary>An error kind as the CLI prints it: <c>permission-denied</c>.</summary>
    public static string Kebab(PluginErrorKind kind) =>
        string.Concat(kind.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
