using Interplug.Host;
using Interplug.Host.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Runtime;

namespace Interplug.Orleans;

/// <summary>Makes an Orleans silo run Interplug processes.</summary>
public static class InterplugSiloBuilderExtensions
{
    /// <summary>
    /// Gives the silo one embedded <see cref="PluginHost"/> (a singleton of its services), whose
    /// catalog, policy and limits every process placed on this silo gets. Each silo resolves
    /// names from its own catalog and compiles each module once. When the silo begins to stop, the
    /// host is disposed first, so running calls fail at once with
    /// <see cref="Runtime.PluginErrorKind.Unavailable"/> instead of holding up the shutdown.
    /// Plugins whose policy rule says <c>placement: "spread"</c> are spawned on other silos when
    /// there are any; their parents reach them through grains, with the same ABI.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="configure">Builds the host's options, as for the embedded host.</param>
    /// <returns>The silo builder, for chaining.</returns>
    /// <example>
    /// <code>
    /// builder.UseOrleans(silo => silo
    ///     .UseLocalhostClustering()
    ///     .AddInterplug(_ => new PluginHostOptions
    ///     {
    ///         Catalog = new PluginCatalog().AddDirectory("plugins"),
    ///         Policy = PluginPolicy.FromFile("policy.json"),
    ///     }));
    /// </code>
    /// </example>
    public static ISiloBuilder AddInterplug(this ISiloBuilder builder, Func<IServiceProvider, PluginHostOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddInterplug(configure);
        builder.Services.TryAddSingleton<SiloShutdown>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloShutdown>());
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<GrainChildren>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, RemoteChildrenBinding>();
        builder.AddPlacementDirector<SpreadPlacement, SpreadPlacementDirector>();
        return builder;
    }

    /// <summary>Gives the silo one embedded <see cref="PluginHost"/> with these options; see <see cref="AddInterplug(ISiloBuilder, Func{IServiceProvider, PluginHostOptions})"/>.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="options">The host's options, as for the embedded host.</param>
    /// <returns>The silo builder, for chaining.</returns>
    public static ISiloBuilder AddInterplug(this ISiloBuilder builder, PluginHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return builder.AddInterplug(_ => options);
    }
}
