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
/// (<see cref="TryRunInline"/>), so work waiting for work never starves for threads.
/// </summary>
/// <param name="threads">Most threads running work at once.</param>
/// <param name="queueLimit">Most pieces of work waiting at once; more is refused with <see cref="PluginErrorKind.QuotaExceeded"/>.</param>
internal sealed class CallScheduler(int threads, int queueLimit) : IDisposable
{
    // A monitor rather than System.Threading.Lock: idle threads wait on it.
    private readonly object _lock = new();
    private readonly LinkedList<ScheduledWork> _queue = [];
    private int _threads;
    private int _idle;
    private int _woken;
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
            // Work a woken thread is about to take does not wait.
            var waiting = _queue.Count - _woken;
            if (waits && waiting >= queueLimit)
                throw new PluginException(PluginErrorKind.QuotaExceeded,
                    $"{work} cannot start: {waiting} calls already wait for the host's {threads} call threads, its limit (PluginHostOptions.CallQueueLimit)");
            work.QueuedWithoutThread = waits;
            work.Node = _queue.AddLast(work);
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

    /// <summary>Wakes an idle thread, or starts one; false when every thread is busy. Under the lock.</summary>
    private bool WakeOrStartThread()
    {
        if (_idle > _woken)
        {
            _woken++;
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
        work.Node = null;
        return true;
    }

    private void Work()
    {
        while (Next() is { } work)
            work.Run();
    }

    /// <summary>The next queued work, waiting for it; null once the scheduler is disposed.</summary>
    private ScheduledWork? Next()
    {
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
                Monitor.Wait(_lock);
                _idle--;
                if (_woken > 0)
                    _woken--;
            }
        }
    }
}
