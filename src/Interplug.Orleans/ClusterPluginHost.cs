using Interplug.Host;
using Interplug.Orleans.Grains;

namespace Interplug.Orleans;

/// <summary>
/// An <see cref="IPluginHost"/> whose processes run on the silos of an Orleans cluster, each in the
/// embedded <see cref="PluginHost"/> that <see cref="InterplugSiloBuilderExtensions.AddInterplug(global::Orleans.Hosting.ISiloBuilder, Func{IServiceProvider, PluginHostOptions})"/>
/// gave its silo: the silo's catalog, policy and limits apply. Orleans places every process (each
/// <see cref="RunAsync"/> too) on a silo of its choice. A silo lost during a long call is noticed
/// within seconds (see <see cref="ClusterPluginProcess"/>). Failures arrive as the
/// <see cref="Runtime.PluginException"/> the silo saw, with the same kind, message and call chain;
/// a silo lost during a call fails it with <see cref="Runtime.PluginErrorKind.Unavailable"/>.
/// Thread-safe.
/// </summary>
/// <param name="grains">The cluster client (<see cref="IClusterClient"/>), or a silo's grain factory.</param>
public sealed class ClusterPluginHost(IGrainFactory grains) : IPluginHost
{
    /// <summary>How long a start that could not be delivered (its silo died, and the cluster does not know yet) is tried again on fresh grains.</summary>
    public static readonly TimeSpan StartRetryTime = TimeSpan.FromSeconds(30);


    /// <inheritdoc/>
    /// <remarks>Two round trips: a start that tells the silo, then a call after which the silo frees the process.</remarks>
    public async Task<byte[]> RunAsync(string name, string export, ReadOnlyMemory<byte> input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(export);
        var process = await StartOnClusterAsync(name, cancellationToken).ConfigureAwait(false);
        var reply = await process.CallAsync(export, input, free: true, trace: false, cancellationToken).ConfigureAwait(false);
        return reply.OutputOrThrow();
    }

    /// <inheritdoc/>
    public async Task<IPluginProcess> StartAsync(string name, CancellationToken cancellationToken = default) =>
        await StartOnClusterAsync(name, cancellationToken).ConfigureAwait(false);

    /// <summary>Starts a process as <see cref="StartAsync"/> does, and tells on which silo.</summary>
    /// <param name="name">The plugin's catalog name.</param>
    /// <param name="cancellationToken">Stops waiting for the start.</param>
    /// <returns>The process, with the silo it runs on.</returns>
    /// <exception cref="Runtime.PluginException">As for <see cref="StartAsync"/>.</exception>
    public async Task<ClusterPluginProcess> StartOnClusterAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var (grain, reply) = await ClusterFailures.StartOnFreshGrain<IPluginProcessGrain, PluginReply>(
            grains, grain => grain.Start(name, cancellationToken), $"start of {name}", StartRetryTime, cancellationToken).ConfigureAwait(false);
        reply.OutputOrThrow();
        return new ClusterPluginProcess(grain, name, reply.Silo);
    }
}
