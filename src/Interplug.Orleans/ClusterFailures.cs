using System.Diagnostics;
using Interplug.Runtime;
using Orleans.Runtime;

namespace Interplug.Orleans;

/// <summary>Turns what Orleans throws when a silo cannot answer into the <see cref="PluginException"/> an <see cref="Host.IPluginHost"/> promises.</summary>
internal static class ClusterFailures
{
    /// <summary>Awaits a grain call; a lost silo or connection becomes <see cref="PluginErrorKind.Unavailable"/>, the caller's cancellation <see cref="PluginErrorKind.Cancelled"/>.</summary>
    /// <param name="call">The grain call in flight.</param>
    /// <param name="what">The operation, for messages: <c>call to run.run</c>.</param>
    /// <param name="cancellationToken">The caller's token, passed to the grain call too.</param>
    public static async Task<T> Await<T>(Task<T> call, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new PluginException(PluginErrorKind.Cancelled, $"{what} was cancelled", e);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw new PluginException(PluginErrorKind.Unavailable, $"{what} failed: the silo running it stopped answering ({e.Message})", e);
        }
    }

    private static readonly TimeSpan MaxStartPause = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Starts something on a fresh grain. Until the cluster declares a dead silo dead, Orleans may
    /// still place a new grain on it; the start was then never delivered, so another fresh grain may
    /// try another silo, after a pause from 0.1 s doubling up to 2 s, for up to <paramref name="patience"/>.
    /// </summary>
    /// <param name="grains">Where the fresh grains come from.</param>
    /// <param name="start">The start, sent to one fresh grain.</param>
    /// <param name="what">The operation, for messages: <c>start of run</c>.</param>
    /// <param name="patience">How long undelivered starts are retried.</param>
    /// <param name="cancellationToken">The caller's token, passed to each start; during a pause it throws <see cref="OperationCanceledException"/>.</param>
    public static async Task<(TGrain Grain, T Reply)> StartOnFreshGrain<TGrain, T>(IGrainFactory grains, Func<TGrain, Task<T>> start, string what,
        TimeSpan patience, CancellationToken cancellationToken)
        where TGrain : IGrainWithGuidKey
    {
        var retrying = Stopwatch.StartNew();
        for (var pause = TimeSpan.FromMilliseconds(100); ; pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxStartPause.Ticks)))
        {
            var grain = grains.GetGrain<TGrain>(Guid.NewGuid());
            try
            {
                return (grain, await Await(start(grain), what, cancellationToken).ConfigureAwait(false));
            }
            catch (PluginException e) when (e.InnerException is { } cause && WasNotDelivered(cause) && retrying.Elapsed + pause < patience)
            {
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Whether Orleans could not deliver the call at all, so that nothing ran: the silo it chose is gone or refused it.</summary>
    public static bool WasNotDelivered(Exception e) =>
        e is OrleansMessageRejectionException or global::Orleans.Runtime.Messaging.ConnectionFailedException;

    /// <summary>
    /// Whether Orleans gave up on the silo: it was declared dead or its connection broke
    /// (<see cref="SiloUnavailableException"/> and the other rejections), or it sent no answer
    /// within the messaging options' response timeout (<see cref="TimeoutException"/>).
    /// </summary>
    public static bool IsUnavailable(Exception e) =>
        e is OrleansMessageRejectionException or TimeoutException or global::Orleans.Runtime.Messaging.ConnectionFailedException;
}
