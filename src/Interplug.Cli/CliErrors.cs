using Interplug.Runtime;

namespace Interplug.Cli;

/// <summary>A command-line mistake the user can fix, reported without a stack trace.</summary>
internal sealed class CliUsageException(string message) : Exception(message);

/// <summary>Runs a command body and turns every failure into one line on stderr and a non-zero exit code.</summary>
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
            Console.Error.WriteLine($"error ({Kebab(e.Kind)}): {e.Message}");
            return Failure;
        }
        catch (CliUsageException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Usage;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Failure;
        }
    }

    private static string Kebab(PluginErrorKind kind) =>
        string.Concat(kind.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
