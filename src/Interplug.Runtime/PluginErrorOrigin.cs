namespace Interplug.Runtime;

/// <summary>
/// Whose side a <see cref="PluginException"/> comes from, relative to the code that catches it:
/// whether the request it made was wrong, a plugin failed, or the host could not serve it.
/// </summary>
/// <remarks>
/// A failure inside a plugin's call that the host raised on the plugin's behalf (its spawn of an
/// unknown plugin, its call of a missing export) is that plugin's: by the time it reaches the
/// application it says <see cref="Plugin"/> and its <see cref="PluginException.CallChain"/> names
/// the chain. <see cref="Caller"/> then always means the application's own request.
/// </remarks>
public enum PluginErrorOrigin
{
    /// <summary>
    /// A plugin failed: its module or manifest is bad, its code trapped, timed out, ran out of fuel
    /// or memory or reported an error, or the host refused something it asked for (a spawn, call or
    /// free) under the policy or limits. The default.
    /// </summary>
    Plugin,

    /// <summary>
    /// The caller's request was wrong or withdrawn: it named a plugin or export that does not exist
    /// or a name that is not valid, called a process or instance that is busy or already freed, or
    /// cancelled the call through its token. Fixed (or expected) in the calling code.
    /// </summary>
    Caller,

    /// <summary>
    /// The host or runtime could not serve a valid request: it is at capacity (live instances, the
    /// instance pool) or was disposed. The same request may succeed later or elsewhere.
    /// </summary>
    Host,
}
