using Interplug.Host;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Interplug.Orleans;

/// <summary>Lets an Orleans client run Interplug processes on the cluster.</summary>
public static class InterplugClientBuilderExtensions
{
    /// <summary>Registers <see cref="ClusterPluginHost"/> as the client's <see cref="IPluginHost"/>.</summary>
    /// <param name="builder">The client builder.</param>
    /// <returns>The client builder, for chaining.</returns>
    /// <example>
    /// <code>
    /// builder.UseOrleansClient(client => client.UseLocalhostClustering().AddInterplug());
    /// // then: IPluginHost host = services.GetRequiredService&lt;IPluginHost&gt;();
    /// </code>
    /// </example>
    public static IClientBuilder AddInterplug(this IClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<ClusterPluginHost>();
        builder.Services.TryAddSingleton<IPluginHost>(sp => sp.GetRequiredService<ClusterPluginHost>());
        return builder;
    }
}
