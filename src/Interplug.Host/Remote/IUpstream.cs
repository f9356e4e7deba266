namespace Interplug.Host.Remote;

/// <summary>
/// Where a tree rooted at a child placed on another machine counts its processes against the
/// <c>max_descendants</c> of its root's ancestors: the root's stand-in in its parent's tree, on
/// the parent's machine. Every spawn in the tree reserves one place there first, and every process
/// that leaves the tree gives its place back.
/// </summary>
internal interface IUpstream
{
    /// <summary>Counts one more process below the stand-in against it and its ancestors, up to the top-level process; completes once counted.</summary>
    /// <param name="spawner">The spawning plugin, for the refusal's message.</param>
    /// <param name="name">The plugin it spawns.</param>
    /// <param name="cancellationToken">The spawning chain's cancellation.</param>
    /// <exception cref="Runtime.PluginException"><see cref="Runtime.PluginErrorKind.QuotaExceeded"/> naming the ancestor at its limit; <see cref="Runtime.PluginErrorKind.Disposed"/> when the stand-in is gone; <see cref="Runtime.PluginErrorKind.Unavailable"/> when its machine cannot be reached.</exception>
    Task ReserveAsync(string spawner, string name, CancellationToken cancellationToken);

    /// <summary>Gives back <paramref name="count"/> places; does not wait, as it runs under its tree's lock. A stand-in freed meanwhile ignores it: its whole count left with it.</summary>
    void Release(int count);

    /// <summary>Completes once every place given back so far is counted up to the top-level tree, or its machine was found gone; never fails.</summary>
    Task Released { get; }
}
