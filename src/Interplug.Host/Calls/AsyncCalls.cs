using System.Buffers.Binary;
using System.Diagnostics;
using Interplug.Host.Scheduling;
using Interplug.Runtime;
using Interplug.Runtime.Kernel;

namespace Interplug.Host.Calls;

/// <summary>
/// Fan-out: the calls plugins start with <c>call_plugin_async</c>, run on the host's call threads
/// while the caller keeps working, and collect with <c>await_call</c> or <c>await_any</c>. Every
/// method runs on the thread of the calling process's own call, so a process's tickets and the
/// results copied into its memory are only ever touched by that thread. A thread that waits only
/// for calls still in the queue runs one of them itself, so waiting never starves for threads.
/// </summary>
/// <param name="scheduler">The host's call threads.</param>
internal sealed class AsyncCalls(CallScheduler scheduler)
{
    /// <summary><c>call_plugin_async</c>: starts a call on a child and returns its ticket.</summary>
    /// <exception cref="PluginException">As <c>call_plugin</c> fails before the callee runs, and <see cref="PluginErrorKind.Busy"/>, or <see cref="PluginErrorKind.QuotaExceeded"/> at <c>max_parallel</c> or a full queue.</exception>
    public long Start(CurrentPlugin caller, PluginProcess process, CallChain chain, PluginProcess child, string export, long inputHandle)
    {
        PluginHost.CheckCallable(process, chain, child, export);
        // The caller may free its input block as soon as this returns.
        var input = BlockCopy.ToArray(caller.ReadBytes(inputHandle));
        var call = new ChildCall(process.Host, process, child, export, input, chain, PluginHost.ChildFuel(caller, process, child));
        // Created before any child can signal it.
        _ = process.CallsEnded;
        long ticket;
        try
        {
            ticket = process.Tree.Track(process, call);
        }
        catch
        {
            call.Dispose();
            throw;
        }
        try
        {
            scheduler.Enqueue(call);
        }
        catch
        {
            process.Tree.Spend(process, ticket);
            throw;
        }
        return ticket;
    }

    /// <summary><c>await_call</c>: waits for a call, spends its ticket and copies its output into the caller's memory.</summary>
    /// <exception cref="PluginException">The callee's failure, with its chain; <see cref="PluginErrorKind.InvalidHandle"/> for a ticket the caller does not hold; the caller's own timeout or cancellation while it waits.</exception>
    public long Await(CurrentPlugin caller, PluginProcess process, CallChain chain, long ticket)
    {
        var call = process.Tree.Ticket(process, ticket);
        WaitForAny(process, chain, new ReadOnlySpan<ChildCall>(in call));
        process.Tree.Spend(process, ticket);
        if (call.Failure is { } failure)
            throw failure;
        return caller.WriteBytes(call.Output);
    }

    /// <summary><c>await_any</c>: waits until one of the tickets in a block of u64 little-endian numbers has ended, and returns it unspent.</summary>
    /// <exception cref="PluginException"><see cref="PluginErrorKind.InvalidArgument"/> for a count the block cannot hold, <see cref="PluginErrorKind.InvalidHandle"/> for a ticket the caller does not hold; the caller's own timeout or cancellation while it waits.</exception>
    public long AwaitAny(CurrentPlugin caller, PluginProcess process, CallChain chain, long ticketsHandle, long count)
    {
        var block = caller.ReadBytes(ticketsHandle);
        if (count < 1 || count > block.Length / sizeof(long))
            throw new PluginException(PluginErrorKind.InvalidArgument,
                $"await_any: count {count} must be from 1 to the {block.Length / sizeof(long)} tickets its block of {block.Length} bytes holds");
        var tickets = new long[count];
        for (var i = 0; i < tickets.Length; i++)
            tickets[i] = BinaryPrimitives.ReadInt64LittleEndian(block[(i * sizeof(long))..]);
        return tickets[WaitForAny(process, chain, process.Tree.Tickets(process, tickets))];
    }

    /// <summary><c>free_plugin</c>: cancels the child's call in flight, if any, waits for it to end, then frees the child.</summary>
    /// <exception cref="PluginException"><see cref="PluginErrorKind.InvalidHandle"/> when the caller holds no such child.</exception>
    public void Free(PluginProcess process, long handle)
    {
        if (process.Tree.InFlightOn(process, handle) is { } call)
        {
            call.Cancel();
            WaitUntilEnded(process, call);
        }
        process.Tree.Free(process, handle);
        process.Tree.AwaitReleases();
    }

    /// <summary>Cancels every call <paramref name="process"/> started and has not awaited, waits for them to end and spends their tickets: nothing outlives the call that started it.</summary>
    public void Reap(PluginProcess process)
    {
        var calls = process.Tree.InFlight(process);
        if (calls.Length == 0)
            return;
        foreach (var call in calls)
            call.Cancel();
        // Cancellation reaches a running call at the next epoch tick, a queued one at once.
        foreach (var call in calls)
            WaitUntilEnded(process, call);
        process.Tree.SpendAll(process);
    }

    /// <summary>The index of a call that has ended, waiting within the caller's deadline and cancellation.</summary>
    private int WaitForAny(PluginProcess process, CallChain chain, ReadOnlySpan<ChildCall> calls)
    {
        var signal = process.CallsEnded;
        while (true)
        {
            // Reset before looking, so an end signalled after the look wakes the wait below.
            signal.Reset();
            for (var i = 0; i < calls.Length; i++)
            {
                if (calls[i].IsDone)
                    return i;
            }
            // One call still queued: this thread would only wait for it, so it runs it itself.
            // Among several, it runs one only while none runs and one found no free thread when
            // it was queued (a thread may not come while this one waits): running one here
            // otherwise could hold the wait past the end of a shorter one.
            if ((calls.Length == 1 ? (scheduler.TryRunInline(calls[0]) ? 0 : null) : RanOneWithoutThread(calls)) is { } ran)
                return ran;
            if (chain.CancellationToken.IsCancellationRequested)
                throw Interrupted(PluginErrorKind.Cancelled, "was cancelled", process, chain, calls);
            var remaining = chain.DeadlineTimestamp == Deadline.None
                ? Timeout.InfiniteTimeSpan
                : Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), Math.Max(chain.DeadlineTimestamp, Stopwatch.GetTimestamp()));
            if (remaining == TimeSpan.Zero)
                throw Interrupted(PluginErrorKind.Timeout, "timed out", process, chain, calls);
            try
            {
                signal.Wait(remaining < LongestWait ? remaining : LongestWait, chain.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Reported by the check above, on the next round.
            }
        }
    }

    /// <summary>Runs one of the calls here if none runs and one waits for a thread; its index, or null.</summary>
    private int? RanOneWithoutThread(ReadOnlySpan<ChildCall> calls)
    {
        foreach (var call in calls)
        {
            if (call.IsClaimed)
                return null;
        }
        for (var i = 0; i < calls.Length; i++)
        {
            if (calls[i].QueuedWithoutThread && scheduler.TryRunInline(calls[i]))
                return i;
        }
        return null;
    }

    // ManualResetEventSlim.Wait takes at most int.MaxValue milliseconds; a longer wait just goes round again.
    private static readonly TimeSpan LongestWait = TimeSpan.FromMilliseconds(int.MaxValue);

    private static PluginException Interrupted(PluginErrorKind kind, string what, PluginProcess process, CallChain chain, ReadOnlySpan<ChildCall> calls) =>
        new(kind, $"{chain.Describe()}: {process.Name} {what} while it awaited {string.Join<ChildCall>(", ", calls.ToArray())}") { CallChain = chain.Describe() };

    /// <summary>Waits, without limit, for a cancelled call to end: cancellation ends it promptly wherever it is.</summary>
    private void WaitUntilEnded(PluginProcess process, ChildCall call)
    {
        if (call.IsDone || scheduler.TryRunInline(call))
            return;
        var signal = process.CallsEnded;
        while (true)
        {
            signal.Reset();
            if (call.IsDone)
                return;
            signal.Wait();
        }
    }
}
