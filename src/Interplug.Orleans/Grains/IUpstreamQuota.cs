namespace Interplug.Orleans.Grains;

/// <summary>
/// The stand-in of a child placed on another silo, as the child's tree reaches it to count its processes against the stand-in's ancestors (<see cref="Host.Remote.IUpstream"/>).
/// One object per remote child, made by its parent's <see cref="GrainChildren"/>; it lives until the child is freed, and dies with its silo.
/// </summary>
internal interface IUpstreamQuota : IGrainObserver
{
    /// <summary>Counts one process spawned below the stand-in <paramref name="standIn"/>; null when counted, else the refusal.</summary>
    Task<PluginFault?> Reserve(long standIn, string spawner, string name, CancellationToken cancellationToken);

    /// <summary>Gives back <paramref name="count"/> places below the stand-in <paramref name="standIn"/>; completes once they are counted up to the top-level tree.</summary>
    Task Release(long standIn, int count);
}
