using Interplug.Host;
using Interplug.Host.Catalog;
using Interplug.Host.Policy;
using Interplug.Orleans;
using Interplug.Runtime.Manifests;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Interplug.Orleans.Tests;

/// <summary>
/// One in-process Orleans cluster of three silos for every test of the collection, each silo with
/// its own embedded host over plugins/dist, and a client whose <see cref="IPluginHost"/> is the
/// cluster's. <c>spin</c> is <c>loop_forever</c> under a long timeout, for calls that must still
/// run when a test acts on them; <c>loop_forever</c> itself times out after 500 ms.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const string Policy = """
        {
          "plugins": {
            "spin": { "timeout_ms": 120000 },
            "loop_forever": { "timeout_ms": 500 },
            "*": { "spawn": ["*"] }
          }
        }
        """;

    /// <summary>A bound on every wait of these tests: generous, since it guards against hangs, not for speed.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static PluginHostOptions Options { get; } = new()
    {
        Catalog = new PluginCatalog()
            .AddDirectory(RepoPaths.PluginsDist)
            .Add("spin", Manifest.FromWasmFile(Path.Combine(RepoPaths.PluginsDist, "loop_forever.wasm"))),
        Policy = PluginPolicy.Parse(Policy),
    };

    public InProcessTestCluster Cluster { get; private set; } = null!;

    /// <summary>Calls running now in the plugins of every silo.</summary>
    public RunningCalls Running { get; } = new();

    /// <summary>The client's host, as an application resolves it.</summary>
    public IPluginHost Host => Cluster.Client.ServiceProvider.GetRequiredService<IPluginHost>();

    /// <summary>The embedded host of the silo whose endpoint is <paramref name="silo"/>.</summary>
    public PluginHost SiloHost(string silo) =>
        Cluster.Silos.Single(s => s.SiloAddress.Endpoint.ToString() == silo).ServiceProvider.GetRequiredService<PluginHost>();

    /// <summary>Plugin instances alive on all running silos.</summary>
    public int LiveInstances => Cluster.Silos.Where(s => s.IsActive).Sum(s => s.ServiceProvider.GetRequiredService<PluginHost>().LiveInstances);

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((_, silo) => silo.AddInterplug(Options));
        builder.ConfigureClient(client => client.AddInterplug());
        Cluster = builder.Build();
        await Cluster.DeployAsync().WaitAsync(Patience);
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync().WaitAsync(Patience);
        await Cluster.DisposeAsync();
        Running.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class SharedCluster : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
