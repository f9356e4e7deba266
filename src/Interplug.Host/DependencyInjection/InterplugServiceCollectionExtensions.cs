using Interplug.Host;
using Interplug.Host.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers one <see cref="PluginHost"/> singleton, disposed with the container. The host creates
/// and owns its runtime, exactly as <c>new PluginHost(options)</c> does: an instance pool sized by
/// <see cref="InterplugOptions.MaxLiveInstances"/> and <see cref="InterplugOptions.MaxMemoryPages"/>,
/// fuel metered only when needed. It logs through the container's <see cref="ILoggerFactory"/> when
/// it has one. Only the first call registers a host; a later call of an options overload still
/// configures <see cref="InterplugOptions"/>.
/// </summary>
public static class InterplugServiceCollectionExtensions
{
    /// <summary>
    /// Adds a <see cref="PluginHost"/> configured by a configuration section bound to
    /// <see cref="InterplugOptions"/>, validated when the application starts: a wrong setting stops
    /// it with an <see cref="OptionsValidationException"/> naming the setting (for example
    /// <c>Interplug:PluginsPath</c>) and its value.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section to bind, for example <c>builder.Configuration.GetSection("Interplug")</c>.</param>
    /// <returns>The service collection, for chaining.</returns>
    /// <example>
    /// <code>
    /// builder.Services.AddInterplug(builder.Configuration.GetSection("Interplug"));
    /// builder.Services.AddHealthChecks().AddInterplug();
    /// </code>
    /// </example>
    public static IServiceCollection AddInterplug(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var prefix = configuration is IConfigurationSection section ? section.Path + ":" : "";
        services.AddOptions<InterplugOptions>().Bind(configuration);
        return services.AddInterplugFromOptions(prefix);
    }

    /// <summary>
    /// Adds a <see cref="PluginHost"/> configured in code, with the same validation at start-up as
    /// the configuration overload; messages name the setting as <c>InterplugOptions.PluginsPath</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The service collection, for chaining.</returns>
    /// <example>
    /// <code>
    /// services.AddInterplug(o =>
    /// {
    ///     o.PluginsPath = "plugins";
    ///     o.PolicyPath = "policy.json";
    /// });
    /// </code>
    /// </example>
    public static IServiceCollection AddInterplug(this IServiceCollection services, Action<InterplugOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<InterplugOptions>().Configure(configure);
        return services.AddInterplugFromOptions(nameof(InterplugOptions) + ".");
    }

    /// <summary>
    /// Adds a <see cref="PluginHost"/> (also as the container's <see cref="IPluginHost"/>, unless one is
    /// registered already) built from <see cref="PluginHostOptions"/>, for what
    /// <see cref="InterplugOptions"/> cannot say (a catalog or policy built in code).
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
        services.TryAddSingleton(sp =>
        {
            var options = configure(sp);
            if (options.LoggerFactory is null && sp.GetService<ILoggerFactory>() is { } loggers)
                options = options with { LoggerFactory = loggers };
            return new PluginHost(options);
        });
        // Application code that asks for the abstraction runs unchanged when a cluster client registers its own instead.
        services.TryAddSingleton<IPluginHost>(sp => sp.GetRequiredService<PluginHost>());
        return services;
    }

    private static IServiceCollection AddInterplugFromOptions(this IServiceCollection services, string settingPrefix)
    {
        services.AddOptions<InterplugOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<InterplugOptions>, InterplugPaths>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InterplugOptions>>(new InterplugOptionsValidator(settingPrefix)));
        return services.AddInterplug(sp => sp.GetRequiredService<IOptions<InterplugOptions>>().Value.ToHostOptions());
    }
}
