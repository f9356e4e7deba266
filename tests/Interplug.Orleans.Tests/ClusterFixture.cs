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
/// <c>count_vowels</c> and the <c>far_*</c> and <c>deep_relay</c> plugins are placed on other
/// silos than their parents' (<c>placement: "spread"</c>): <c>far_spin</c> is <c>spin</c>,
/// <c>far_driver</c> is <c>fan_driver</c>, the others are <c>relay</c> under rules of their own; <c>timed_driver</c> is <c>fan_driver</c> with a 1 s timeout,
/// and <c>quota_driver</c> is <c>fan_driver</c> with at most 6 descendants.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const string Policy = """
        {
          "plugins": {
            "spin": { "timeout_ms": 120000 },
            "loop_forever": { "timeout_ms": 500 },
            "count_vowels": { "placement": "spread" },
            "far_relay": { "placement": "spread", "spawn": ["*"] },
            "deep_relay": { "placement": "spread", "spawn": ["*"], "max_depth": 3 },
            "far_deny": { "placement": "spread" },
            "narrow_relay": { "spawn": ["far_relay"] },
            "far_few": { "placement": "spread", "spawn": ["*"], "max_children": 2 },
            "far_spin": { "placement": "spread", "timeout_ms": 120000 },
            "timed_driver": { "spawn": ["*"], "timeout_ms": 1000 },
            "quota_driver": { "spawn": ["*"], "max_descendants": 6 },
            "far_driver": { "placement": "spread", "spawn": ["*"] },
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
            .Add("spin", Wasm("loop_forever"))
            .Add("far_spin", Wasm("loop_forever"))
            .Add("far_relay", Wasm("relay"))
            .Add("deep_relay", Wasm("relay"))
            .Add("far_deny", Wasm("relay"))
            .Add("narrow_relay", Wasm("relay"))
            .Add("far_few", Wasm("relay"))
            .Add("timed_driver", Wasm("fan_driver"))
            .Add("quota_driver", Wasm("fan_driver"))
            .Add("far_driver", Wasm("fan_driver")),
        Policy = PluginPolicy.Parse(Policy),
    };

    public InProcessTestCluster Cluster { get; private set; } = null!;

    private static Manifest Wasm(string plugin) => Manifest.FromWasmFile(Path.Combine(RepoPaths.PluginsDist, plugin + ".wasm"));

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
