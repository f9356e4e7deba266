using System.Diagnostics;
using Interplug.Runtime;

namespace Interplug.Host.Scheduling;

/// <summary>
/// Takes queued work out of the queue when its token is cancelled or its deadline passes, so a
/// call that waits for a thread still ends on time. Only armed for work that has to wait: work an
/// idle thread takes at once checks both when it starts.
/// </summary>
internal sealed class QueueWait : IDisposable
{
    // System.Threading.Timer waits at most 2^32 - 2 ms; a deadline further away is none for a queue.
    private static readonly TimeSpan LongestWait = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private CancellationTokenRegistration _cancelled;
    private Timer? _deadline;

    private QueueWait()
    {
    }

    /// <summary>Arms the watch; null when the work has neither a cancellable token nor a deadline.</summary>
    public static QueueWait? Start(CallScheduler scheduler, ScheduledWork work)
    {
        var token = work.CancellationToken;
        var deadline = work.DeadlineTimestamp;
        var remaining = deadline == Deadline.None ? TimeSpan.MaxValue : Stopwatch.GetElapsedTime(Math.Min(Stopwatch.GetTimestamp(), deadline), deadline);
        if (!token.CanBeCanceled && remaining > LongestWait)
            return null;
        var wait = new QueueWait();
        if (remaining <= LongestWait)
            wait._deadline = new Timer(static state => Withdraw(state, PluginErrorKind.Timeout), (scheduler, work), remaining, Timeout.InfiniteTimeSpan);
        if (token.CanBeCanceled)
            wait._cancelled = token.UnsafeRegister(static state => Withdraw(state, PluginErrorKind.Cancelled), (scheduler, work));
        return wait;
    }

    public void Dispose()
    {
        _cancelled.Dispose();
        _deadline?.Dispose();
    }

    private static void Withdraw(object? state, PluginErrorKind why)
    {
        var (scheduler, work) = ((CallScheduler, ScheduledWork))state!;
        scheduler.Withdraw(work, why);
    }
}
