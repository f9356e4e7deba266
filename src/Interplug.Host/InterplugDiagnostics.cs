namespace Interplug.Host;

/// <summary>
/// The names under which a <see cref="PluginHost"/> reports traces and metrics: subscribe with
/// <see cref="ActivitySourceName"/> and <see cref="MeterName"/> (for OpenTelemetry,
/// <c>AddSource</c> and <c>AddMeter</c>; for <c>dotnet-counters</c>, <c>--counters Interplug.Host</c>).
/// Nothing is measured while nobody listens.
/// </summary>
/// <example>
/// <code>
/// builder.Services.AddOpenTelemetry()
///     .WithTracing(t => t.AddSource(InterplugDiagnostics.ActivitySourceName))
///     .WithMetrics(m => m.AddMeter(InterplugDiagnostics.MeterName));
/// </code>
/// </example>
public static class InterplugDiagnostics
{
    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> of every call, spawn and compile.</summary>
    public const string ActivitySourceName = "Interplug.Host";

    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> of the host's instruments.</summary>
    public const string MeterName = "Interplug.Host";

    /// <summary>Operation name of the activity of one call into a process, top-level or plugin to plugin; its display name is <c>callee.export</c>.</summary>
    public const string CallActivityName = "Interplug.Call";

    /// <summary>Operation name of the activity of one process start, by the application or by a plugin; its display name is <c>spawn name</c>.</summary>
    public const string SpawnActivityName = "Interplug.Spawn";

    /// <summary>Operation name of the activity of compiling one plugin, a child of the spawn that first needed it; its display name is <c>compile name</c>.</summary>
    public const string CompileActivityName = "Interplug.Compile";

    /// <summary>Names of the instruments of <see cref="MeterName"/>.</summary>
    public static class Instruments
    {
        /// <summary>Counter of calls, top-level or plugin to plugin, ended; tags <see cref="Tags.Callee"/> and <see cref="Tags.Outcome"/>.</summary>
        public const string Calls = "interplug.calls";

        /// <summary>Histogram of call durations in seconds; tags <see cref="Tags.Callee"/> and <see cref="Tags.Outcome"/>.</summary>
        public const string CallDuration = "interplug.call.duration";

        /// <summary>Counter of process starts, by the application or by plugins, tried; tags <see cref="Tags.Caller"/> and <see cref="Tags.Outcome"/>.</summary>
        public const string Spawns = "interplug.spawns";

        /// <summary>
        /// Counter of spawns and calls refused by the policy or a limit, once where refused (not
        /// again by every caller the failure crosses); tags <see cref="Tags.Caller"/>, <see cref="Tags.Operation"/> and
        /// <see cref="Tags.Outcome"/>, the kind of refusal (<c>PermissionDenied</c>,
        /// <c>QuotaExceeded</c>, <c>LimitExceeded</c>, <c>DepthExceeded</c>, <c>CallCycle</c>).
        /// </summary>
        public const string Refusals = "interplug.refusals";

        /// <summary>Observable up-down counter of plugin instances alive in every host of the process.</summary>
        public const string LiveInstances = "interplug.instances.live";
    }

    /// <summary>Tag names on the activities and instruments.</summary>
    public static class Tags
    {
        /// <summary>Who made a call or a spawn: the calling plugin's name, or <see cref="HostCaller"/> for the application.</summary>
        public const string Caller = "interplug.caller";

        /// <summary>The called process's plugin name.</summary>
        public const string Callee = "interplug.callee";

        /// <summary>The called process's host-wide id (<see cref="PluginProcess.Id"/>).</summary>
        public const string CalleeId = "interplug.callee_id";

        /// <summary>Set on a call into a child on another machine (a cluster's <c>placement: "spread"</c>): that machine, <c>host:port</c>.</summary>
        public const string CalleeSite = "interplug.callee_site";

        /// <summary>The export called.</summary>
        public const string Export = "interplug.export";

        /// <summary>Bytes of a call's input.</summary>
        public const string BytesIn = "interplug.bytes_in";

        /// <summary>Bytes of a call's output; 0 when it failed.</summary>
        public const string BytesOut = "interplug.bytes_out";

        /// <summary>How it ended: <see cref="Ok"/>, or the <see cref="Runtime.PluginErrorKind"/> of its failure by name.</summary>
        public const string Outcome = "interplug.outcome";

        /// <summary>The plugin spawned or compiled.</summary>
        public const string Plugin = "interplug.plugin";

        /// <summary>The process a spawn created: its host-wide id.</summary>
        public const string ProcessId = "interplug.process_id";

        /// <summary>What was refused: <see cref="SpawnOperation"/> or <see cref="CallOperation"/>.</summary>
        public const string Operation = "interplug.operation";
    }

    /// <summary>The <see cref="Tags.Outcome"/> of a success.</summary>
    public const string Ok = "ok";

    /// <summary>The <see cref="Tags.Caller"/> of what the application itself started or called.</summary>
    public const string HostCaller = "(host)";

    /// <summary>The <see cref="Tags.Operation"/> of a refused spawn.</summary>
    public const string SpawnOperation = "spawn";

    /// <summary>The <see cref="Tags.Operation"/> of a refused call.</summary>
    public const string CallOperation = "call";
}
