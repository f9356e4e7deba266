using Microsoft.Extensions.Logging;

namespace Interplug.Runtime;

/// <summary>Settings shared by every plugin a <see cref="PluginRuntime"/> compiles.</summary>
public sealed record PluginRuntimeOptions
{
    /// <summary>Where plugin log messages and runtime diagnostics go; none when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The client used for <c>http_request</c> and manifest URLs. When null the runtime creates one that never follows redirects (a redirect could leave the allowed hosts).</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>Instantiate from a pool of pre-reserved slots; null (the default) allocates each instance on demand, without caps.</summary>
    public InstancePoolOptions? InstancePool { get; init; }

    /// <summary>
    /// Whether compiled code counts fuel, so that calls can be given fuel limits (default true).
    /// Counting costs every call time: measured here, 10–20% on loops that call the kernel
    /// (a 1 MiB echo). A runtime without it rejects fuel limits.
    /// </summary>
    public bool MeterFuel { get; init; } = true;
}
