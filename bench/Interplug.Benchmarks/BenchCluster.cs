using Interplug.Host;
using Interplug.Orleans;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using Orleans.TestingHost;

namespace Interplug.Benchmarks;

/// <summary>
/// Two Orleans silos in this process, talking over loopback TCP, each with an embedded host of
/// <see cref="BenchHost.Options"/>. Calls start on the first silo (<see cref="Here"/>): its grain
/// factory reaches grains on either silo, so a grain placed on <see cref="There"/> is one network
/// round trip away, as a plugin process on another machine would be.
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    /// <summary>How many fresh grains are tried before giving up on placing one on a given silo.</summary>
    private const int PlacementTries = 200;

    private readonly InProcessTestCluster _cluster;

    private BenchCluster(InProcessTestCluster cluster)
    {
        _cluster = cluster;
        Grains = cluster.Silos[0].ServiceProvider.GetRequiredService<IGrainFactory>();
        Host = new ClusterPluginHost(Grains);
    }

    /// <summary>The first silo's endpoint, where the calls start.</summary>
    public string Here => Endpoint(0);

    /// <summary>The second silo's endpoint.</summary>
    public string There => Endpoint(1);

    /// <summary>The first silo's grain factory.</summary>
    public IGrainFactory Grains { get; }

    /// <summary>The cluster's plugin host, calling from the first silo.</summary>
    public ClusterPluginHost Host { get; }

    /// <summary>Deploys the two silos.</summary>
    /// <param name="options">Each silo's host options; <see cref="BenchHost.Options"/> when null.</param>
    /// <param name="placeOnOtherSilo">
    /// Place every grain that does not choose its placement on a silo other than the one that
    /// activates it (<see cref="OtherSiloPlacement"/>); otherwise at random, so that
    /// <see cref="StartOn"/> and <see cref="EchoOn"/> find grains on either silo.
    /// </param>
    public static async Task<BenchCluster> StartAsync(PluginHostOptions? options = null, bool placeOnOtherSilo = false)
    {
        var builder = new InProcessTestClusterBuilder(2);
        // Not a logs/ folder in the working directory (the repository's root under make bench).
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddInterplug(_ => options ?? BenchHost.Options());
            // Orleans' default placement prefers the calling silo, which would keep every grain here.
            if (placeOnOtherSilo)
            {
                silo.Services.AddSingleton<PlacementStrategy, OtherSiloPlacement>();
                silo.Services.AddPlacementDirector<OtherSiloPlacement, OtherSiloPlacementDirector>();
            }
            else
            {
                silo.Services.AddSingleton<PlacementStrategy, RandomPlacement>();
            }
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new BenchCluster(cluster);
    }

    /// <summary>Starts <paramref name="plugin"/> as a top-level process that Orleans placed on <paramref name="silo"/>; the others it placed elsewhere are freed.</summary>
    public async Task<ClusterPluginProcess> StartOn(string plugin, string silo)
    {
        for (var i = 0; i < PlacementTries; i++)
        {
            var process = await Host.StartOnClusterAsync(plugin);
            if (process.Silo == silo)
                return process;
            await process.DisposeAsync();
        }
        throw new InvalidOperationException($"Orleans placed none of {PlacementTries} {plugin} processes on {silo}");
    }

    /// <summary>An echo grain that Orleans activated on <paramref name="silo"/>.</summary>
    public async Task<IBenchEchoGrain> EchoOn(string silo)
    {
        for (var key = 0L; key < PlacementTries; key++)
        {
            var grain = Grains.GetGrain<IBenchEchoGrain>(key);
            if (await grain.Silo() == silo)
                return grain;
        }
        throw new InvalidOperationException($"Orleans activated none of {PlacementTries} echo grains on {silo}");
    }

    public async ValueTask DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    private string Endpoint(int silo) => _cluster.Silos[silo].SiloAddress.Endpoint.ToString();
}

/// <summary>The anchor of the cluster benchmarks: a plain grain that returns the bytes it is given.</summary>
public interface IBenchEchoGrain : IGrainWithIntegerKey
{
    /// <summary>Returns <paramref name="bytes"/>.</summary>
    Task<byte[]> Echo(byte[] bytes);

    /// <summary>The endpoint of the silo this activation lives on.</summary>
    Task<string> Silo();
}

/// <summary>Echoes on the silo it was activated on.</summary>
public sealed class BenchEchoGrain(ILocalSiloDetails silo) : Grain, IBenchEchoGrain
{
    /// <inheritdoc/>
    public Task<byte[]> Echo(byte[] bytes) => Task.FromResult(bytes);

    /// <inheritdoc/>
    public Task<string> Silo() => Task.FromResult(silo.SiloAddress.Endpoint.ToString());
}

/// <summary>Places a grain on a silo other than the one that activates it: every call to it crosses silos.</summary>
[GenerateSerializer, Immutable]
public sealed class OtherSiloPlacement : PlacementStrategy;

/// <summary>Picks the first compatible silo that is not the activating one.</summary>
internal sealed class OtherSiloPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context) =>
        Task.FromResult(context.GetCompatibleSilos(target).FirstOrDefault(silo => !silo.Equals(context.LocalSilo))
            ?? throw new InvalidOperationException($"no silo but {context.LocalSilo} can hold {target.GrainIdentity}"));
}
