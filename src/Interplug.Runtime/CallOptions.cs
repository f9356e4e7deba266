namespace Interplug.Runtime;

/// <summary>Per-call settings for <see cref="PluginInstance.Call(string, ReadOnlySpan{byte}, in CallOptions)"/>.</summary>
public readonly record struct CallOptions
{
    /// <summary>Cancels the call while it runs; the call then fails with <see cref="PluginErrorKind.Cancelled"/>.</summary>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>
    /// An absolute deadline, combined with the manifest's <c>timeout_ms</c> (the earlier wins). One in the past
    /// times the call out at once; one too far away to represent (such as <see cref="DateTimeOffset.MaxValue"/>) means none.
    /// </summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>
    /// The same as <see cref="Deadline"/>, as a <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/> value:
    /// cheaper to pass down a chain of calls. When both are set, the earlier wins.
    /// </summary>
    public long? DeadlineTimestamp { get; init; }

    /// <summary>Fuel for this call, replacing <see cref="PluginOptions.FuelPerCall"/>; a negative value fails the call with <see cref="ArgumentOutOfRangeException"/>.</summary>
    public long? Fuel { get; init; }

    /// <summary>Any object host functions should see during this call, through <see cref="CurrentPlugin.HostContext"/>.</summary>
    public object? HostContext { get; init; }
}
