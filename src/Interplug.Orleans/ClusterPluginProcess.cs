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
    public Task<byte[]> CallAsync(string export, ReadOnlyMemory<byte> input, CancellationToken cancellationToken = default) =>
        CallAsync(export, input, free: false, cancellationToken);

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

    /// <summary>A top-level call; with <paramref name="free"/> set, the silo frees the process after it, saving a round trip.</summary>
    internal async Task<byte[]> CallAsync(string export, ReadOnlyMemory<byte> input, bool free, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(export);
        if (free ? Interlocked.Exchange(ref _disposed, 1) != 0 : Volatile.Read(ref _disposed) != 0)
            throw new PluginException(PluginErrorKind.Disposed, $"{this} was freed") { ExportName = export };
        var what = $"call to {Name}.{export} on {Silo}";
        var call = ClusterFailures.Await(_grain.Call(export, input.ToArray(), free, cancellationToken), what, cancellationToken);
        var reply = await GrainWatch.Await(call, _grain, what, export).ConfigureAwait(false);
        return reply.OutputOrThrow();
    }
}
