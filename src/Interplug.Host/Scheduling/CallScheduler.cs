using System.Diagnostics;
using Interplug.Runtime;

namespace Interplug.Host.Scheduling;

/// <summary>
/// A bounded set of threads that run a host's calls off the caller's thread (asynchronous
/// top-level calls and the children plugins start with <c>call_plugin_async</c>), with a bounded
/// queue in front. Each thread has a stack as large as the one <see cref="NativeStack"/> moves a
/// deep chain to, so a chain starting on it has room for about twenty levels before it needs
/// another. Threads start as work arrives, up to the limit, and stay until the scheduler is
/// disposed. Work that waits in the queue still honours its cancellation and its deadline
/// (<see cref="QueueWait"/>), and a thread that waits for queued work may run it itself
/// (<see cref="TryRunInline"/>), so work waiting for work never starves for threads. An idle
/// thread watches the queue for <see cref="SpinTime"/> before it sleeps, and leaves new work for
/// <see cref="GraceTime"/> to a thread that awaits it at once and can run it itself.
/// </summary>
/// <param name="threads">Most threads running work at once.</param>
/// <param name="queueLimit">Most pieces of work waiting at once; more is refused with <see cref="PluginErrorKind.QuotaExceeded"/>.</param>
internal sealed class CallScheduler(int threads, int queueLimit) : IDisposable
{
    /// <summary>How long an idle thread watches the queue before it sleeps.</summary>
    internal static readonly TimeSpan SpinTime = TimeSpan.FromMicroseconds(50);

    /// <summary>How long a spinning thread leaves new work to a thread that may be about to await it.</summary>
    internal static readonly TimeSpan GraceTime = TimeSpan.FromMicroseconds(5);

    private static readonly long SpinTicks = (long)(SpinTime.TotalSeconds * Stopwatch.Frequency);
    private static readonly long GraceTicks = (long)(GraceTime.TotalSeconds * Stopwatch.Frequency);

    // A monitor rather than System.Threading.Lock: idle threads wait on it.
    private readonly object _lock = new();
    private readonly LinkedList<ScheduledWork> _queue = [];
    private int _threads;
    // Idle threads, spinning or asleep: each takes one queued piece of work.
    private int _idle;
    // Idle threads still spinning before they sleep: they see new work without a wake-up.
    private int _spinning;
    // When the work at the head of the queue was queued (long.MaxValue: none), for spinning threads to watch without the lock.
    private long _headQueuedAt = long.MaxValue;
    private bool _disposed;

    /// <summary>Queues work for the next free thread, starting one if the limit allows.</summary>
    /// <exception cref="PluginException"><see cref="PluginErrorKind.QuotaExceeded"/> when the queue is full, <see cref="PluginErrorKind.Disposed"/> once disposed.</exception>
    public void Enqueue(ScheduledWork work)
    {
        work.Context = ExecutionContext.Capture();
        bool waits;
        lock (_lock)
        {
            if (_disposed)
                throw new PluginException(PluginErrorKind.Disposed, $"{work} cannot start: the host was disposed");
            waits = !WakeOrStartThread();
            // Work an idle thread is about to take does not wait.
            var waiting = _queue.Count - _idle;
            if (waits && waiting >= queueLimit)
                throw new PluginException(PluginErrorKind.QuotaExceeded,
                    $"{work} cannot start: {waiting} calls already wait for the host's {threads} call threads, its limit (PluginHostOptions.CallQueueLimit)");
            work.QueuedWithoutThread = waits;
            work.QueuedAt = Stopwatch.GetTimestamp();
            work.Node = _queue.AddLast(work);
            if (_queue.Count == 1)
                Volatile.Write(ref _headQueuedAt, work.QueuedAt);
        }
        if (waits)
            work.WatchWhileQueued(this);
    }

    /// <summary>Runs <paramref name="work"/> on this thread if it still waits in the queue: for a thread that would otherwise wait for it.</summary>
    /// <returns>Whether it ran here; false when a thread (or its cancellation) took it first.</returns>
    public bool TryRunInline(ScheduledWork work)
    {
        lock (_lock)
        {
            if (!Claim(work))
                return false;
        }
        work.Run();
        return true;
    }

    /// <summary>Abandons queued work whose token was cancelled or whose deadline passed; nothing if a thread took it first.</summary>
    public void Withdraw(ScheduledWork work, PluginErrorKind why)
    {
        lock (_lock)
        {
            if (!Claim(work))
                return;
        }
        work.ReleaseWait();
        work.Abandon(why == PluginErrorKind.Timeout
            ? new PluginException(why, $"{work} timed out while it waited for a call thread")
            : new PluginException(why, $"{work} was cancelled while it waited for a call thread"));
    }

    /// <summary>Abandons the queued work (<see cref="PluginErrorKind.Disposed"/>) and lets the threads end once their current work is done.</summary>
    public void Dispose()
    {
        List<ScheduledWork> abandoned = [];
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            while (_queue.First?.Value is { } work && Claim(work))
                abandoned.Add(work);
            Monitor.PulseAll(_lock);
        }
        foreach (var work in abandoned)
        {
            work.ReleaseWait();
            work.Abandon(new PluginException(PluginErrorKind.Disposed, $"{work} did not start: the host was disposed"));
        }
    }

    /// <summary>Wakes an idle thread, or starts one, for work about to be queued; false when every thread is busy. Under the lock.</summary>
    private bool WakeOrStartThread()
    {
        if (_idle > _queue.Count)
        {
            // Spinning threads take queued work by themselves; beyond them a sleeping one needs the pulse, a system call.
            if (_queue.Count >= _spinning)
                Monitor.Pulse(_lock);
            return true;
        }
        if (_threads >= threads)
            return false;
        try
        {
            var thread = new Thread(Work, NativeStack.FreshStackBytes) { IsBackground = true, Name = "interplug-call" };
            // Without the queuing caller's context: each piece of work runs in its own.
            thread.UnsafeStart();
        }
        catch (OutOfMemoryException)
        {
            // No thread to spare now: the work waits for a running one, or its deadline.
            return false;
        }
        _threads++;
        return true;
    }

    /// <summary>Takes work out of the queue if it is still there. Under the lock.</summary>
    private bool Claim(ScheduledWork work)
    {
        if (work.Node is not { } node || !work.TryClaim())
            return false;
        _queue.Remove(node);
        Volatile.Write(ref _headQueuedAt, _queue.First?.Value.QueuedAt ?? long.MaxValue);
        work.Node = null;
        return true;
    }

    private void Work()
    {
        while (Next() is { } work)
            work.Run();
    }

    /// <summary>
    /// The next queued work, waiting for it; null once the scheduler is disposed. A thread spins for
    /// <see cref="SpinTime"/> after it last saw new work before it sleeps: waking a sleeping thread
    /// costs the queuing thread a system call and the work a scheduler round trip, several times a
    /// short call (call_plugin_async + await_call in a loop).
    /// </summary>
    private ScheduledWork? Next()
    {
        var spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
        lock (_lock)
        {
            while (true)
            {
                if (_queue.First?.Value is { } work && Claim(work))
                    return work;
                if (_disposed)
                {
                    _threads--;
                    return null;
                }
                _idle++;
                if (Stopwatch.GetTimestamp() < spinUntil)
                {
                    spinUntil = SpinOutsideLock(spinUntil);
                }
                else
                {
                    Monitor.Wait(_lock);
                    spinUntil = Stopwatch.GetTimestamp() + SpinTicks;
                }
                _idle--;
            }
        }
    }

    /// <summary>
    /// Leaves the lock until work has waited in the queue for <see cref="GraceTime"/>, or until
    /// <paramref name="until"/>, pushed back by <see cref="SpinTime"/> whenever new work is queued,
    /// passes; returns that end. Under the lock, on entry and on return. The grace lets a thread
    /// that awaits the work at once (call_plugin_async + await_call) run it itself, which costs it
    /// less than waiting for the result from another thread.
    /// </summary>
    private long SpinOutsideLock(long until)
    {
        _spinning++;
        Monitor.Exit(_lock);
        try
        {
            var seen = long.MaxValue;
            var spinner = default(SpinWait);
            while (!Volatile.Read(ref _disposed))
            {
                var now = Stopwatch.GetTimestamp();
                var head = Volatile.Read(ref _headQueuedAt);
                if (head != seen && head != long.MaxValue)
                    (seen, until) = (head, now + SpinTicks);
                if (now >= until || now - head >= GraceTicks)
                    return until;
                spinner.SpinOnce(sleep1Threshold: -1);
            }
            return until;
        }
        finally
        {
            Monitor.Enter(_lock);
            _spinning--;
        }
    }
}
