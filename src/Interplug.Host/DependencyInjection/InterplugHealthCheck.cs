using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Interplug.Host;

/// <summary>
/// Reports the state of the application's <see cref="PluginHost"/>: healthy while it has room,
/// degraded once its live instances reach <see cref="DegradedFraction"/> of
/// <see cref="PluginHost.MaxLiveInstances"/> (new starts and spawns may soon be refused), and the
/// registration's failure status (unhealthy by default) once it was disposed. Register it with
/// <c>services.AddHealthChecks().AddInterplug()</c>.
/// </summary>
/// <param name="host">The host to report on.</param>
public sealed class InterplugHealthCheck(PluginHost host) : IHealthCheck
{
    /// <summary>The share of <see cref="PluginHost.MaxLiveInstances"/> live at which the host reports itself degraded.</summary>
    public const double DegradedFraction = 0.9;

    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (host.IsDisposed)
            return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, "the plugin host was disposed"));
        var (live, max) = (host.LiveInstances, host.MaxLiveInstances);
        var data = new Dictionary<string, object> { ["live_instances"] = live, ["max_live_instances"] = max };
        var description = $"{live} of {max} plugin instances live";
        return Task.FromResult(live >= max * DegradedFraction
            ? HealthCheckResult.Degraded(description, data: data)
            : HealthCheckResult.Healthy(description, data));
    }
}
