using Interplug.Host;
using Interplug.Orleans.Grains;
using Interplug.Runtime;

namespace Interplug.Orleans;

/// <summary>Answers the trees of this silo's remote children from the stand-ins of its embedded host; runs outside any grain, and never blocks.</summary>
internal sealed class UpstreamQuota(PluginHost host) : IUpstreamQuota
{
    public async Task<PluginFault?> Reserve(long standIn, string spawner, string name, CancellationToken cancellationToken)
    {
        try
        {
            await host.StandIns.ReserveAsync(standIn, spawner, name, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (PluginException e)
        {
            return PluginFault.From(e);
        }
    }

    public Task Release(long standIn, int count) => host.StandIns.Release(standIn, count);
}
