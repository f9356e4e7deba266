using System.Diagnostics;
using Interplug.Runtime;

namespace Interplug.Host.Scheduling;

/// <summary>
/// One job for a <see cref="CallScheduler"/>. It is claimed exactly once, by a scheduler thread,
/// by a thread that waits for it and runs it inline, or by its own cancellation or deadline while
/// it still waits in the queue; then it either runs or is abandoned, never both.
/// </summary>
internal abstract class ScheduledWork
{
    private int _claimed;
    private QueueWait? _wait;

    /// <summary>When the work must be done, as a Stopwatch timestamp; it runs while it waits in the queue.</summary>
    public abstract long DeadlineTimestamp { get; }

    /// <summary>Cancels the work, while it waits and while it runs.</summary>
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>Whether a thread (or the work's cancellation) has taken it out of the queue.</summary>
    public bool IsClaimed => Volatile.Read(ref _claimed) != 0;

    /// <summary>Whether every thread was busy when the work was queued, so none was woken for it.</summary>
    internal bool QueuedWithoutThread { get; set; }

    /// <summary>When the work was queued, as a Stopwatch timestamp.</summary>
    internal long QueuedAt { get; set; }

    /// <summary>The work's place in its scheduler's queue; only read and written under the scheduler's lock.</summary>
    internal LinkedListNode<ScheduledWork>? Node { get; set; }

    /// <summary>The context of the thread that queued the work (activity, async locals), to run it in.</summary>
    internal ExecutionContext? Context { get; set; }

    /// <summary>Does the work on the current thread; must not throw.</summary>
    protected abstract void Execute();

    /// <summary>Ends work that will never run, with <paramref name="reason"/>; must not throw.</summary>
    protected internal abstract void Abandon(PluginException reason);

    /// <summary>Takes the work out of the queue's reach; true only for the first caller. Only under the scheduler's lock.</summary>
    internal bool TryClaim() => Interlocked.Exchange(ref _claimed, 1) == 0;

    /// <summary>Runs claimed work in the context of whoever queued it, unless its deadline passed or it was cancelled while it waited.</summary>
    internal void Run()
    {
        ReleaseWait();
        if (Stopwatch.GetTimestamp() >= DeadlineTimestamp)
            Abandon(new PluginException(PluginErrorKind.Timeout, $"{this} timed out while it waited for a call thread"));
        else if (CancellationToken.IsCancellationRequested)
            Abandon(new PluginException(PluginErrorKind.Cancelled, $"{this} was cancelled while it waited for a call thread"));
        else if (Context is { } context)
            ExecutionContext.Run(context, static work => ((ScheduledWork)work!).Execute(), this);
        else
            Execute();
    }

    /// <summary>Watches the work's cancellation and deadline while it waits in the queue.</summary>
    internal void WatchWhileQueued(CallScheduler scheduler)
    {
        var wait = QueueWait.Start(scheduler, this);
        if (wait is null)
            return;
        Volatile.Write(ref _wait, wait);
        // Claimed meanwhile: whoever claimed it saw no watch to release.
        if (IsClaimed)
            ReleaseWait();
    }

    internal void ReleaseWait() => Interlocked.Exchange(ref _wait, null)?.Dispose();
}
