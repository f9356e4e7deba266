using System.Collections.Concurrent;
using Interplug.Runtime;

namespace Interplug.Host.Remote;

/// <summary>
/// The processes of a host that stand in for children placed on other machines, by id, from just
/// before the child starts there until the stand-in is freed: the trees those children root reserve
/// their places here (<see cref="IUpstream"/>). Only remote spawns add to it, so the local path pays nothing.
/// </summary>
internal sealed class StandIns
{
    private readonly ConcurrentDictionary<long, PluginProcess> _byId = new();

    public void Add(PluginProcess standIn) => _byId[standIn.Id] = standIn;

    public void Remove(PluginProcess standIn) => _byId.TryRemove(standIn.Id, out _);

    /// <summary>Counts one process spawned below the stand-in <paramref name="standIn"/> against its ancestors, here and further up.</summary>
    /// <exception cref="PluginException">As <see cref="IUpstream.ReserveAsync"/>.</exception>
    public Task ReserveAsync(long standIn, string spawner, string name, CancellationToken cancellationToken) =>
        _byId.TryGetValue(standIn, out var process)
            ? process.Tree.ReserveBelowAsync(process, spawner, name, cancellationToken)
            : Task.FromException(Gone(spawner, name));

    /// <summary>Gives back places below the stand-in <paramref name="standIn"/>; nothing when it is gone, as its count left with it.</summary>
    /// <returns>Completes once they are counted up to the top-level tree (<see cref="IUpstream.Released"/>).</returns>
    public Task Release(long standIn, int count)
    {
        if (!_byId.TryGetValue(standIn, out var process))
            return Task.CompletedTask;
        process.Tree.ReleaseBelow(process, count);
        return process.Tree.Upstream?.Released ?? Task.CompletedTask;
    }

    private static PluginException Gone(string spawner, string name) =>
        new(PluginErrorKind.Disposed, $"{spawner} may not spawn {name}: the process its tree descends from on another machine was freed");
}
