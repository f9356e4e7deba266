using Interplug.Runtime;

namespace Interplug.Host.Scheduling;

/// <summary>
/// An asynchronous top-level call (<see cref="PluginHost.RunAsync"/>, <see cref="PluginProcess.CallAsync"/>)
/// waiting for, or running on, a scheduler thread; its task ends as the synchronous call would.
/// </summary>
/// <param name="description">The call as messages name it: <c>plugin.export</c>.</param>
/// <param name="deadlineTimestamp">The call's deadline, counted from when it was queued.</param>
/// <param name="call">The synchronous call, given the deadline and the token.</param>
/// <param name="cancellationToken">The caller's token.</param>
internal sealed class TopLevelCall(string description, long deadlineTimestamp, Func<long, CancellationToken, byte[]> call, CancellationToken cancellationToken)
    : ScheduledWork
{
    // Continuations run on the thread pool, never on a call thread that has work to take.
    private readonly TaskCompletionSource<byte[]> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<byte[]> Task => _result.Task;

    public override long DeadlineTimestamp => deadlineTimestamp;

    public override CancellationToken CancellationToken => cancellationToken;

    protected override void Execute()
    {
        try
        {
            _result.SetResult(call(deadlineTimestamp, cancellationToken));
        }
#pragma warning disable CA1031 // every failure belongs to the awaiting caller, as the synchronous call would have thrown it
        catch (Exception e)
#pragma warning restore CA1031
        {
            _result.SetException(e);
        }
    }

    protected internal override void Abandon(PluginException reason) => _result.SetException(reason);

    public override string ToString() => description;
}
