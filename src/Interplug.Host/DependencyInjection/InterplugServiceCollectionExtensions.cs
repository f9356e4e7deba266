using Interplug.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Interplug.Host.DependencyInjection;

/// <summary>Registers Interplug with Microsoft.Extensions.DependencyInjection.</summary>
public static class InterplugServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="PluginRuntime"/> and <see cref="PluginHost"/>, logging through the
    /// container's <see cref="ILoggerFactory"/> when it has one.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Builds the host's options (catalog, policy, limits).</param>
    /// <returns>The service collection, for chaining.</returns>
    /// <example>
    /// <code>
    /// services.AddLogging().AddInterplug(sp => new PluginHostOptions
    /// {
    ///     Catalog = new PluginCatalog().AddDirectory("plugins"),
    ///     Policy = PluginPolicy.FromFile("policy.json"),
    /// });
    /// </code>
    /// </example>
    public static IServiceCollection AddInterplug(this IServiceCollection services, Func<IServiceProvider, PluginHostOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.TryAddSingleton(sp => new PluginRuntime(new PluginRuntimeOptions { LoggerFactory = sp.GetService<ILoggerFactory>() }));
        services.TryAddSingleton(sp =>
        {
            var options = configure(sp);
            if (options.LoggerFactory is null && sp.GetService<ILoggerFactory>() is { } loggers)
                options = options with { LoggerFactory = loggers };
            return new PluginHost(options, sp.GetRequiredService<PluginRuntime>());
        });
        return services;
    }
}
