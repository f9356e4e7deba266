using Interplug.Host;
using Orleans.Runtime;

namespace Interplug.Orleans;

/// <summary>
/// Disposes the silo's <see cref="PluginHost"/> as soon as the silo begins to stop, before Orleans
/// deactivates its grains: deactivation waits for running requests, and a plugin call runs until
/// its deadline. The calls it cancels then report <see cref="Runtime.PluginErrorKind.Unavailable"/>.
/// </summary>
internal sealed class SiloShutdown(PluginHost host) : ILifecycleParticipant<ISiloLifecycle>
{
    private volatile bool _stopping;

    /// <summary>Whether the silo began to stop.</summary>
    public bool IsStopping => _stopping;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloShutdown), ServiceLifecycleStage.Active, _ => Task.CompletedTask, _ =>
        {
            _stopping = true;
            host.Dispose();
            return Task.CompletedTask;
        });
}
