using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Interplug.Orleans;

/// <summary>
/// Places a spread child (<see cref="Grains.IRemoteChildGrain"/>) on a silo its call chain does not
/// run on yet, else on one other than the spawning silo, else anywhere; round robin among those, so
/// that repeated spawns land on different silos.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed class SpreadPlacement : PlacementStrategy
{
    /// <summary>The request context key under which a spawn names the silos (<c>host:port</c>, space-separated) its chain runs on.</summary>
    public const string AvoidKey = "interplug.chain-silos";
}

/// <summary>Places a grain class with <see cref="SpreadPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class SpreadPlacementAttribute() : PlacementAttribute(new SpreadPlacement());

/// <summary>Chooses the silo of a spread child; see <see cref="SpreadPlacement"/>.</summary>
internal sealed class SpreadPlacementDirector : IPlacementDirector
{
    private int _next;

    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var silos = context.GetCompatibleSilos(target);
        var avoid = target.RequestContextData?.GetValueOrDefault(SpreadPlacement.AvoidKey) is string names ? names.Split(' ') : [];
        var fresh = silos.Where(s => !avoid.Contains(s.Endpoint.ToString())).ToArray();
        var candidates = fresh.Length > 0 ? fresh : silos.Where(s => !s.Equals(context.LocalSilo)).ToArray();
        if (candidates.Length == 0)
            candidates = silos;
        return Task.FromResult(candidates[(int)((uint)Interlocked.Increment(ref _next) % (uint)candidates.Length)]);
    }
}
