using Interplug.Runtime;

namespace Interplug.Orleans.Grains;

/// <summary>Turns what a process grain did into its <see cref="PluginReply"/>, naming the silo that answered.</summary>
/// <param name="silo">This silo's endpoint.</param>
/// <param name="shutdown">Tells whether the silo is stopping, so that what its stop cancelled is reported as lost with it.</param>
internal sealed class ReplyBuilder(string silo, SiloShutdown shutdown)
{
    public async Task<PluginReply> Reply(Func<Task<byte[]>> body)
    {
        try
        {
            return new PluginReply { Output = await body().ConfigureAwait(true), Silo = silo };
        }
        // The silo disposed its host to stop: what that cancelled, or refused, is lost with the silo.
        catch (Exception e) when (shutdown.IsStopping && e is PluginException { Kind: PluginErrorKind.Disposed } or ObjectDisposedException)
        {
            var lost = new PluginException(PluginErrorKind.Unavailable, $"silo {silo} is stopping: {e.Message}")
            { ExportName = (e as PluginException)?.ExportName, CallChain = (e as PluginException)?.CallChain };
            return new PluginReply { Fault = PluginFault.From(lost), Silo = silo };
        }
        catch (PluginException e)
        {
            return new PluginReply { Fault = PluginFault.From(e), Silo = silo };
        }
    }

    // Only a handle from a start calls a process grain, so an activation without a process is a
    // new one: the activation that held it was lost with its silo, or collected when idle.
    public PluginException Gone(string export) => new(PluginErrorKind.Unavailable,
        $"the process is gone: the silo that ran it stopped, or it was idle past the cluster's grain collection age; this activation is on {silo}")
    { ExportName = export };
}
