using Interplug.Host.Remote;

namespace Interplug.Orleans.Grains;

/// <summary>A <see cref="RemoteChain"/> as it crosses silos.</summary>
[GenerateSerializer, Immutable]
internal sealed record WireChain
{
    [Id(0)] public required WireLevel[] Levels { get; init; }
    [Id(1)] public required int DepthLimit { get; init; }
    [Id(2)] public long? RemainingMilliseconds { get; init; }

    public static WireChain From(RemoteChain chain) => new()
    {
        Levels = [.. chain.Levels.Select(l => new WireLevel { Name = l.Name, Process = l.Process, Site = l.Site })],
        DepthLimit = chain.DepthLimit,
        RemainingMilliseconds = chain.RemainingMilliseconds,
    };

    public RemoteChain ToChain() => new([.. Levels.Select(l => new ChainLevel(l.Name, l.Process, l.Site))], DepthLimit, RemainingMilliseconds);
}

/// <summary>A <see cref="ChainLevel"/> as it crosses silos.</summary>
[GenerateSerializer, Immutable]
internal sealed record WireLevel
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required string Process { get; init; }
    [Id(2)] public required string Site { get; init; }
}

/// <summary>A <see cref="RemoteSpawn"/> as it crosses silos.</summary>
[GenerateSerializer, Immutable]
internal sealed record WireSpawn
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required string[] Lineage { get; init; }
    [Id(2)] public required WireChain Chain { get; init; }

    /// <summary>The process standing in for the child on its parent's silo.</summary>
    [Id(3)] public long StandIn { get; init; }

    /// <summary>The parent's silo's stand-ins, where the child's tree counts its processes too; null when a cluster client started the child, which then counts as a top-level process.</summary>
    [Id(4)] public IUpstreamQuota? Upstream { get; init; }

    public static WireSpawn From(RemoteSpawn spawn, IUpstreamQuota upstream) =>
        new() { Name = spawn.Name, Lineage = [.. spawn.Lineage], Chain = WireChain.From(spawn.Chain), StandIn = spawn.StandIn, Upstream = upstream };

    public RemoteSpawn ToSpawn() => new(Name, Lineage, Chain.ToChain(), StandIn);
}

/// <summary>A <see cref="RemoteCall"/> as it crosses silos.</summary>
[GenerateSerializer, Immutable]
internal sealed record WireCall
{
    [Id(0)] public required WireChain Chain { get; init; }
    [Id(1)] public long? Fuel { get; init; }

    /// <summary>Whether the chain is traced: the callee's silo then sends back the calls it made (<see cref="PluginReply.Hops"/>).</summary>
    [Id(2)] public bool Trace { get; init; }

    public static WireCall From(RemoteCall call) => new() { Chain = WireChain.From(call.Chain), Fuel = call.Fuel, Trace = call.Hops is not null };

    /// <summary>The call on the callee's silo, recording into <paramref name="hops"/> when traced.</summary>
    public RemoteCall ToCall(HopLog? hops) => new(Chain.ToChain(), Fuel, hops);
}

/// <summary>A <see cref="Hop"/> as it crosses silos.</summary>
[GenerateSerializer, Immutable]
internal sealed record WireHop
{
    [Id(0)] public required int Depth { get; init; }
    [Id(1)] public required string Caller { get; init; }
    [Id(2)] public required string Callee { get; init; }
    [Id(3)] public required string Export { get; init; }
    [Id(4)] public required string Site { get; init; }

    public static WireHop[]? From(HopLog? hops) =>
        hops?.ToArray().Select(h => new WireHop { Depth = h.Depth, Caller = h.Caller, Callee = h.Callee, Export = h.Export, Site = h.Site }).ToArray();

    public Hop ToHop() => new(Depth, Caller, Callee, Export, Site);
}
