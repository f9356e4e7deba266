using Interplug.Host;
using Interplug.Runtime;
using Orleans.Runtime;

namespace Interplug.Orleans.Grains;

/// <summary>
/// Runs one top-level process in the embedded host of the silo it is activated on. The wasm runs
/// off the grain's turn (the host's own async methods), so a long call holds no Orleans thread.
/// </summary>
internal sealed class PluginProcessGrain(PluginHost host, SiloShutdown shutdown, ILocalSiloDetails silo) : Grain, IPluginProcessGrain
{
    private readonly string _silo = silo.SiloAddress.Endpoint.ToString();
    private IPluginProcess? _process;
    private string? _name;

    public async Task<PluginReply> Start(string name, CancellationToken cancellationToken)
    {
        var reply = await Reply(async () =>
        {
            if (_name is not null)
                throw new PluginException(PluginErrorKind.InvalidArgument, $"this grain already started {_name}; each process needs a grain of its own");
            _name = name;
            _process = await ((IPluginHost)host).StartAsync(name, cancellationToken).ConfigureAwait(true);
            return [];
        }).ConfigureAwait(true);
        if (_process is null)
            this.DeactivateOnIdle();
        return reply;
    }

    public async Task<PluginReply> Call(string export, byte[] input, bool free, CancellationToken cancellationToken)
    {
        try
        {
            return await Reply(() =>
                _process is { } process
                    ? process.CallAsync(export, input, cancellationToken)
                    : throw Gone(export)).ConfigureAwait(true);
        }
        finally
        {
            if (free)
                await Free().ConfigureAwait(true);
        }
    }

    public Task<bool> HoldsProcess(CancellationToken cancellationToken)
    {
        if (_process is null)
            this.DeactivateOnIdle();
        return Task.FromResult(_process is not null);
    }

    public async Task Free()
    {
        await FreeProcess().ConfigureAwait(true);
        this.DeactivateOnIdle();
    }

    // Only a handle from Start calls this grain, so an activation without a process is a new one:
    // the activation that held it was lost with its silo, or collected when idle.
    private PluginException Gone(string export) => new(PluginErrorKind.Unavailable,
        $"the process is gone: the silo that ran it stopped, or it was idle past the cluster's grain collection age; this activation is on {_silo}")
    { ExportName = export };

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => FreeProcess();

    private async Task FreeProcess()
    {
        if (Interlocked.Exchange(ref _process, null) is { } process)
            await process.DisposeAsync().ConfigureAwait(true);
    }

    private async Task<PluginReply> Reply(Func<Task<byte[]>> body)
    {
        try
        {
            return new PluginReply { Output = await body().ConfigureAwait(true), Silo = _silo };
        }
        // The silo disposed its host to stop: what that cancelled, or refused, is lost with the silo.
        catch (Exception e) when (shutdown.IsStopping && e is PluginException { Kind: PluginErrorKind.Disposed } or ObjectDisposedException)
        {
            var lost = new PluginException(PluginErrorKind.Unavailable, $"silo {_silo} is stopping: {e.Message}")
            { ExportName = (e as PluginException)?.ExportName, CallChain = (e as PluginException)?.CallChain };
            return new PluginReply { Fault = PluginFault.From(lost), Silo = _silo };
        }
        catch (PluginException e)
        {
            return new PluginReply { Fault = PluginFault.From(e), Silo = _silo };
        }
    }
}
