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
        Origin = kind == PluginErrorKind.Cancelled ? PluginErrorOrigin.Caller : PluginErrorOrigin.Plugin;
    }

    /// <summary>Why the operation failed.</summary>
    public PluginErrorKind Kind { get; }

    /// <summary>The code the export returned, for <see cref="PluginErrorKind.NonZeroExitCode"/>.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The missing import as <c>module::name</c>, for <see cref="PluginErrorKind.MissingImport"/>.</summary>
    public string? ImportName { get; init; }

    /// <summary>The export being called when the failure happened, if any.</summary>
    public string? ExportName { get; init; }

    /// <summary>
    /// The chain of plugin calls the failure travelled through, such as <c>run → a → b</c>, when a
    /// plugin's call failed because of something inside it: the plugin that made the failed request
    /// (a spawn or call) or whose code failed while called by another is last. Null for a failure of
    /// the application's own request, and of a top-level plugin's own code.
    /// </summary>
    public string? CallChain { get; init; }

    /// <summary>
    /// Whether the caller's request was wrong, a plugin failed, or the host could not serve the
    /// request; see <see cref="PluginErrorOrigin"/>. <see cref="PluginErrorOrigin.Plugin"/> unless set,
    /// <see cref="PluginErrorOrigin.Caller"/> for <see cref="PluginErrorKind.Cancelled"/> (the caller's token).
    /// </summary>
    public PluginErrorOrigin Origin { get; init; }
}
