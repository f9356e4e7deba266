using Interplug.Host;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the <see cref="InterplugHealthCheck"/> of the application's <see cref="PluginHost"/>.</summary>
public static class InterplugHealthChecksBuilderExtensions
{
    /// <summary>Adds <see cref="InterplugHealthCheck"/>, which reports on the <see cref="PluginHost"/> registered by <c>AddInterplug</c>.</summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name in health reports.</param>
    /// <param name="failureStatus">What a disposed host reports; <see cref="HealthStatus.Unhealthy"/> when null.</param>
    /// <param name="tags">Tags to filter checks by, for example in health endpoints.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IHealthChecksBuilder AddInterplug(this IHealthChecksBuilder builder, string name = "interplug", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null) =>
        builder.AddCheck<InterplugHealthCheck>(name, failureStatus, tags ?? []);
}
