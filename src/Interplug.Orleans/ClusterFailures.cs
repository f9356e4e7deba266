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
