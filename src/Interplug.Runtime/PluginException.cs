namespace Interplug.Runtime;

/// <summary>
/// The one exception type Interplug throws for anything a plugin, its manifest or its input does
/// wrong. Switch on <see cref="Kind"/>; the message is meant for people.
/// </summary>
public sealed class PluginException : Exception
{
    /// <summary>Creates an exception of the given kind.</summary>
    /// <param name="kind">Why the operation failed.</param>
    /// <param name="message">A one-line description for people.</param>
    /// <param name="innerException">The underlying exception, if any.</param>
    public PluginException(PluginErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>Why the operation failed.</summary>
    public PluginErrorKind Kind { get; }

    /// <summary>The code the export returned, for <see cref="PluginErrorKind.NonZeroExitCode"/>.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The missing import as <c>module::name</c>, for <see cref="PluginErrorKind.MissingImport"/>.</summary>
    public string? ImportName { get; init; }

    /// <summary>The export being called when the failure happened, if any.</summary>
    public string? ExportName { get; init; }

    /// <summary>The chain of plugin calls the failure travelled through, such as <c>run → a → b</c>, when it happened between plugins.</summary>
    public string? CallChain { get; init; }
}
