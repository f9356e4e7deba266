using Interplug.Orleans.Grains;
using Interplug.Runtime;

namespace Interplug.Orleans;

/// <summary>
/// Waits for a call to a process grain, asking the grain every <see cref="ProbeInterval"/> whether it
/// still holds the process. Orleans tells a caller that a silo died only for calls it sent to that
/// silo itself; a call forwarded by another gateway would wait for the response timeout. A failed
/// or late answer (<see cref="ProbeTimeout"/>), or an answer from a new activation, fails the call
/// with <see cref="PluginErrorKind.Unavailable"/>.
/// </summary>
internal static class GrainWatch
{
    /// <summary>How long a call runs before its process is first asked whether it is still there, and how often after that.</summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long an answer to that question may take before the silo counts as lost.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    /// <param name="call">The call, its Orleans failures already turned into <see cref="PluginException"/>s (<see cref="ClusterFailures.Await"/>).</param>
    /// <param name="grain">The grain that runs it.</param>
    /// <param name="what">The call, for messages: <c>call to run.run on 127.0.0.1:11111</c>.</param>
    /// <param name="export">The export called.</param>
    public static async Task<PluginReply> Await(Task<PluginReply> call, IProcessHolderGrain grain, string what, string export)
    {
        while (!await Ends(call).ConfigureAwait(false))
        {
            // A call that frees its process ends its activation right after answering: the answer
            // may still be on its way when a question finds the activation gone.
            if (await WhyLost(grain).ConfigureAwait(false) is { } why && !await Ends(call).ConfigureAwait(false))
                throw new PluginException(PluginErrorKind.Unavailable, $"{what} failed: {why}") { ExportName = export };
        }
        return await call.ConfigureAwait(false);
    }

    /// <summary>
    /// Whether the call ends within one <see cref="ProbeInterval"/>. WaitAsync drops its timer as
    /// soon as the call ends, where a Task.Delay beside it would keep one alive for a second after
    /// every call, thousands at once under load.
    /// </summary>
    private static async Task<bool> Ends(Task<PluginReply> call)
    {
        try
        {
            await call.WaitAsync(ProbeInterval).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!call.IsCompleted)
        {
            return false;
        }
        catch when (call.IsCompleted)
        {
            // The call's own failure: its caller sees it from the call itself.
        }
        return true;
    }

    /// <summary>Why the process counts as lost, or null while its grain still holds it.</summary>
    private static async Task<string?> WhyLost(IProcessHolderGrain grain)
    {
        using var timeout = new CancellationTokenSource(ProbeTimeout);
        try
        {
            return await grain.StartedProcess(timeout.Token).ConfigureAwait(false)
                ? null
                : "the silo that ran it stopped; its grain came back without it";
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return $"its silo did not answer within {ProbeTimeout.TotalSeconds:0} s";
        }
        catch (Exception e) when (ClusterFailures.IsUnavailable(e))
        {
            return $"its silo stopped answering ({e.Message})";
        }
    }
}
