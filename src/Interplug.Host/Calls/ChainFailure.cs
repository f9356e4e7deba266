using Interplug.Runtime;

namespace Interplug.Host.Calls;

/// <summary>A failure that fails a plugin's call, as that call's caller sees it.</summary>
internal static class ChainFailure
{
    /// <summary>
    /// <paramref name="e"/> naming <paramref name="chain"/> in its message and <see cref="PluginException.CallChain"/>.
    /// A mistake of the request that failed becomes the requesting plugin's; a cancellation stays
    /// the caller's (the token is the application's) and a failure of the host stays the host's.
    /// </summary>
    public static PluginException Of(PluginException e, string chain) => new(e.Kind, $"{chain}: {e.Message}", e)
    {
        ExitCode = e.ExitCode,
        ImportName = e.ImportName,
        ExportName = e.ExportName,
        CallChain = chain,
        Origin = e.Origin == PluginErrorOrigin.Caller && e.Kind != PluginErrorKind.Cancelled ? PluginErrorOrigin.Plugin : e.Origin,
    };
}
