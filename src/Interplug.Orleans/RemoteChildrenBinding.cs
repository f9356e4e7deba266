using Interplug.Host;
using Orleans.Runtime;

namespace Interplug.Orleans;

/// <summary>Gives the silo's <see cref="PluginHost"/> its <see cref="GrainChildren"/> before the silo serves, so its plugins may spawn children on other silos.</summary>
internal sealed class RemoteChildrenBinding(PluginHost host, GrainChildren children) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RemoteChildrenBinding), ServiceLifecycleStage.BecomeActive, _ =>
        {
            host.RemoteChildren = children;
            return Task.CompletedTask;
        });
}
