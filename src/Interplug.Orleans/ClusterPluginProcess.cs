using Interplug.Host;
using Interplug.Orleans.Grains;
using Interplug.Runtime;

namespace Interplug.Orleans;

/// <summary>
/// A top-level process running on a silo of the cluster, reached through its grain. Its silo
/// frees it when it is disposed, when the silo stops, or when nobody called it for Orleans' grain
/// collection age (<c>GrainCollectionOptions.CollectionAge</c>); a call after that fails with
/// <see cref="PluginErrorKind.Unavailable"/>. Calls from several threads are served one after another.
/// </summary>
/// <remarks>A call running longer than <see cref="ProbeInterval"/> asks its grain, once per interval, whether it still holds the process; a failed or late answer (<see cref="ProbeTimeout"/>), or an answer from a new activation, fails the call with <see cref="PluginErrorKind.Unavailable"/>.</remarks>
public sealed class ClusterPluginProcess : IPluginProcess
{
    /// <summary>How long a call runs before its process is first asked whether it is still there, and how often after that.</summary>
    public static readonly TimeSpan ProbeInterval = GrainWatch.ProbeInterval;

    /// <summary>How long an answer to that question may take before the silo counts as lost.</summary>
    public static readonly TimeSpan ProbeTimeout = GrainWatch.ProbeTimeout;

    private readonly IPluginProcessGrain _grain;
    private int _disposed;

    internal ClusterPluginProcess(IPluginProcessGrain grain, string name, string silo)
    {
        _grain = grain;
        Name = name;
        Silo = silo;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The endpoint (<c>host:port</c>) of the silo the process started on, for traces and logs.</summary>
    public string Silo { get; }

    /// <inheritdoc/>
    public async Task<byte[]> CallAsync(string export, ReadOnlyMemory<byte> input, CancellationToken cancellationToken = default) =>
        (await CallAsync(export, input, free: false, trace: false, cancellationToken).ConfigureAwait(false)).OutputOrThrow();

    /// <summary>
    /// <see cref="CallAsync(string, ReadOnlyMemory{byte}, CancellationToken)"/>, also listing every call of its chain with the silo
    /// its callee ran on, in the order the calls started: for traces (<c>interplug run --cluster --trace</c>).
    /// </summary>
    /// <param name="export">The export to call.</param>
    /// <param name="input">Input bytes.</param>
    /// <param name="cancellationToken">Cancels the whole call chain, on every silo.</param>
    /// <returns>The output and the calls.</returns>
    /// <exception cref="PluginException">The call failed; <see cref="PluginException.Kind"/> says why.</exception>
    public async Task<TracedOutput> CallTracedAsync(string export, ReadOnlyMemory<byte> input, CancellationToken cancellationToken = default)
    {
        var reply = await CallAsync(export, input, free: false, trace: true, cancellationToken).ConfigureAwait(false);
        return new TracedOutput(reply.OutputOrThrow(), [.. (reply.Hops ?? []).Select(h => new ClusterHop(h.Depth, h.Caller, h.Callee, h.Export, h.Site))]);
    }

    /// <summary>Frees the process and everything it spawned on its silo; a call still running there fails with <see cref="PluginErrorKind.Disposed"/>. A silo that cannot be reached has lost the process already, so that is no failure.</summary>
    /// <returns>A task that completes once the silo freed the process, or could not be reached.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            await _grain.Free().ConfigureAwait(false);
        }
        catch (Exception e) when (ClusterFailures.IsUnavailable(e))
        {
            // Its silo is gone, and the process with it.
        }
    }

    /// <summary>The process for messages: <c>run on 127.0.0.1:11111</c>.</summary>
    public override string ToString() => $"{Name} on {Silo}";

    /// <summary>A top-level call; with <paramref name="free"/> set, the silo frees the process after it, saving a round trip; with <paramref name="trace"/>, the reply lists the chain's calls.</summary>
    internal async Task<PluginReply> CallAsync(string export, ReadOnlyMemory<byte> input, bool free, bool trace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(export);
        if (free ? Interlocked.Exchange(ref _disposed, 1) != 0 : Volatile.Read(ref _disposed) != 0)
            throw new PluginException(PluginErrorKind.Disposed, $"{this} was freed") { ExportName = export };
        var what = $"call to {Name}.{export} on {Silo}";
        var call = ClusterFailures.Await(_grain.Call(export, input.ToArray(), free, trace, cancellationToken), what, cancellationToken);
        return await GrainWatch.Await(call, _grain, what, export).ConfigureAwait(false);
    }
}
