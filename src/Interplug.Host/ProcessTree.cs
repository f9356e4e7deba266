using Interplug.Host.Calls;
using Interplug.Host.Remote;
using Interplug.Runtime;

namespace Interplug.Host;

/// <summary>
/// The bookkeeping of one process tree, a top-level process and everything below it: who holds
/// which handle, child and descendant counts, which processes are alive, and whether a call runs.
/// </summary>
/// <remarks>
/// <para>
/// One rule: every read and change of that state takes the tree's lock, and no lock is held
/// across a call into wasm. One top-level call runs in a tree at a time (<see cref="BeginCall"/>),
/// but inside it several processes may run at once on different threads: the children started
/// with <c>call_plugin_async</c>. So spawns, frees, stops and ticket changes of different
/// processes of one tree may race; each is one step under the lock. What keeps them apart is
/// who may act on what: only a process's own running call changes its handle and ticket tables,
/// and a process runs one call at a time; a child with a call in flight is never called or freed
/// until that call has ended (<see cref="IdleChild"/>, and <c>free_plugin</c> cancels and waits
/// first); and every call reaps the calls it started before it returns, so when a process is
/// idle, nothing below it runs. Hence the subtree of a process being freed or stopped is idle.
/// </para>
/// <para>
/// If the root is freed from another thread while a call runs, the tree is only marked and that
/// call cancelled (<see cref="CancellationToken"/>, which every chain token below links to); the
/// call frees the tree as it unwinds, in <see cref="EndCall"/>, after reaping. Otherwise the tree
/// is freed at once. So no instance is disposed under a running call, and each instance is
/// released to the host exactly once, when it turns dead under the lock.
/// </para>
/// <para>
/// A child counts against its parent's <c>max_children</c> and its ancestors'
/// <c>max_descendants</c> from its spawn until its handle is freed, also after it was stopped
/// (<see cref="Stop"/>): so a plugin cannot pile up stopped children. The descendants of a
/// stopped child are freed with it. The tree's <see cref="Memory"/> quota is shared by instances
/// that may now grow on several threads at once; it is thread-safe on its own (see <see cref="MemoryQuota"/>).
/// </para>
/// <para>
/// A tree rooted at a child placed on another machine has an <see cref="Upstream"/>: the root's
/// stand-in in its parent's tree. Its processes count there too, against the ancestors of the
/// stand-in: each spawn reserves one place upstream, outside the lock, before it is linked, and
/// every change that lowers the root's <see cref="PluginProcess.DescendantCount"/> gives as many
/// places back (a spawn refused after its reservation gives back its one). A stand-in here counts
/// the places the tree below it reserved (<see cref="ReserveBelowAsync"/>), so freeing the stand-in
/// frees its whole remote subtree's count at once.
/// </para>
/// </remarks>
/// <param name="host">The host, told of every instance that dies.</param>
/// <param name="cancellation">Cancelled when the tree must stop: linked to the host's own.</param>
internal sealed class ProcessTree(PluginHost host, CancellationTokenSource cancellation)
{
    private readonly Lock _lock = new();
    private bool _calling;
    private bool _freeRequested;

    /// <summary>
    /// The pages every instance of the tree may hold together: the root's memory budget, so that
    /// children, each within its own budget, cannot together hold more than their root may.
    /// </summary>
    public MemoryQuota? Memory { get; init; }

    /// <summary>For a tree rooted at a child placed on another machine, where its processes count too; null for a top-level tree.</summary>
    public IUpstream? Upstream { get; init; }

    /// <summary>The top-level process; set once, right after it was instantiated.</summary>
    public PluginProcess Root { get; set; } = null!;

    /// <summary>Cancelled when the tree is freed during a call, or the host is disposed.</summary>
    public CancellationToken CancellationToken => cancellation.Token;

    /// <summary>Whether the tree was freed, or asked to be, by its owner rather than by its own call.</summary>
    public bool FreeRequested
    {
        get
        {
            lock (_lock)
                return _freeRequested;
        }
    }

    /// <summary>Claims the tree for one top-level call.</summary>
    /// <exception cref="PluginException"><see cref="PluginErrorKind.Disposed"/> once the root was freed; <see cref="PluginErrorKind.Busy"/> while another call runs.</exception>
    public void BeginCall(string export)
    {
        lock (_lock)
        {
            if (!Root.IsAlive || _freeRequested)
                throw new PluginException(PluginErrorKind.Disposed, $"{Root} was freed") { ExportName = export, Origin = PluginErrorOrigin.Caller };
            if (_calling)
                throw new PluginException(PluginErrorKind.Busy, $"{Root} is already running a call; a process tree runs one call at a time") { ExportName = export, Origin = PluginErrorOrigin.Caller };
            _calling = true;
        }
    }

    /// <summary>Ends the call: frees the tree if that was asked for meanwhile, else the root's children unless they are kept.</summary>
    /// <returns>Whether the whole tree was freed.</returns>
    public bool EndCall(bool keepChildren)
    {
        lock (_lock)
        {
            _calling = false;
            if (!_freeRequested)
            {
                if (!keepChildren)
                    FreeChildren(Root);
                return false;
            }
            FreeSubtree(Root);
            cancellation.Dispose();
            return true;
        }
    }

    /// <summary>Frees the root and everything below it, or, while a call runs, cancels that call and leaves the freeing to it.</summary>
    /// <returns>Whether the tree is freed now (false: already freed, or left to the running call).</returns>
    public bool FreeRoot()
    {
        lock (_lock)
        {
            if (_freeRequested)
                return false;
            _freeRequested = true;
            // Under the lock, so that the call cannot end and dispose the source in between. The
            // callbacks this runs (tokens linked to this one, HTTP requests) never take the lock.
            cancellation.Cancel();
            if (_calling)
                return false;
            FreeSubtree(Root);
            cancellation.Dispose();
            return true;
        }
    }

    /// <summary>The child <paramref name="holder"/> holds under <paramref name="handle"/>, to call it: it must have no call in flight.</summary>
    /// <exception cref="PluginException"><see cref="PluginErrorKind.InvalidHandle"/> when it holds none, <see cref="PluginErrorKind.Busy"/> while a call started on it with <c>call_plugin_async</c> is not awaited.</exception>
    public PluginProcess IdleChild(PluginProcess holder, long handle)
    {
        lock (_lock)
        {
            var child = holder.Handles.Get(handle, holder.Name);
            if (child.InFlight is not null)
                throw Busy(holder, child);
            return child;
        }
    }

    /// <summary>Gives <paramref name="holder"/> a ticket for a call it starts on <paramref name="call"/>'s child.</summary>
    /// <exception cref="PluginException"><see cref="PluginErrorKind.Busy"/> while the child has a call in flight, <see cref="PluginErrorKind.QuotaExceeded"/> at <c>max_parallel</c>.</exception>
    public long Track(PluginProcess holder, ChildCall call)
    {
        lock (_lock)
        {
            if (call.Child.InFlight is not null)
                throw Busy(holder, call.Child);
            if (holder.Tickets.Count >= holder.Rights.MaxParallel)
                throw new PluginException(PluginErrorKind.QuotaExceeded,
                    $"{holder.Name} may not start a call on {call.Child.Name}: it already has {holder.Tickets.Count} calls in flight, its limit (max_parallel)");
            call.Child.InFlight = call;
            return holder.Tickets.Add(call);
        }
    }

    /// <summary>The call <paramref name="holder"/> holds under <paramref name="ticket"/>.</summary>
    /// <exception cref="PluginException"><see cref="PluginErrorKind.InvalidHandle"/> when it holds none.</exception>
    public ChildCall Ticket(PluginProcess holder, long ticket)
    {
        lock (_lock)
            return holder.Tickets.Get(ticket, holder.Name);
    }

    /// <summary>The calls <paramref name="holder"/> holds under <paramref name="tickets"/>, in their order.</summary>
    /// <exception cref="PluginException"><see cref="PluginErrorKind.InvalidHandle"/> when it holds one of them not.</exception>
    public ChildCall[] Tickets(PluginProcess holder, ReadOnlySpan<long> tickets)
    {
        var calls = new ChildCall[tickets.Length];
        lock (_lock)
        {
            for (var i = 0; i < tickets.Length; i++)
                calls[i] = holder.Tickets.Get(tickets[i], holder.Name);
        }
        return calls;
    }

    /// <summary>Every call <paramref name="holder"/> has in flight, to reap them; empty when none.</summary>
    public ChildCall[] InFlight(PluginProcess holder)
    {
        lock (_lock)
            return holder.Tickets.Count == 0 ? [] : [.. holder.Tickets.Values];
    }

    /// <summary>The call in flight on the child <paramref name="holder"/> holds under <paramref name="handle"/>, if any.</summary>
    /// <exception cref="PluginException"><see cref="PluginErrorKind.InvalidHandle"/> when it holds no such child.</exception>
    public ChildCall? InFlightOn(PluginProcess holder, long handle)
    {
        lock (_lock)
            return holder.Handles.Get(handle, holder.Name).InFlight;
    }

    /// <summary>Spends a ticket of a call that has ended: the number is gone for good, and the child may be called again.</summary>
    /// <exception cref="PluginException"><see cref="PluginErrorKind.InvalidHandle"/> when <paramref name="holder"/> holds no such ticket.</exception>
    public ChildCall Spend(PluginProcess holder, long ticket)
    {
        ChildCall call;
        lock (_lock)
        {
            call = holder.Tickets.Remove(ticket, holder.Name);
            ReleaseChild(call);
        }
        call.Dispose();
        return call;
    }

    /// <summary>Spends every ticket of <paramref name="holder"/>, whose calls have all ended.</summary>
    public void SpendAll(PluginProcess holder)
    {
        ChildCall[] calls;
        lock (_lock)
        {
            calls = [.. holder.Tickets.Values];
            foreach (var call in calls)
                ReleaseChild(call);
            holder.Tickets.Clear();
        }
        foreach (var call in calls)
            call.Dispose();
    }

    // Under _lock: a spent call no longer keeps its child busy (unless a newer call owns the mark).
    private static void ReleaseChild(ChildCall call)
    {
        if (call.Child.InFlight == call)
            call.Child.InFlight = null;
    }

    /// <summary>Throws unless <paramref name="parent"/> may take one more child now.</summary>
    /// <exception cref="PluginException"><see cref="PluginErrorKind.Disposed"/> when the parent is gone, <see cref="PluginErrorKind.QuotaExceeded"/> at a limit.</exception>
    public void CheckRoom(PluginProcess parent, string name)
    {
        lock (_lock)
            CheckRoomLocked(parent, name);
    }

    /// <summary>Links a newly instantiated child under <paramref name="parent"/> and returns its handle; frees the child instead if the parent is gone or full.</summary>
    public long Adopt(PluginProcess parent, PluginProcess child)
    {
        lock (_lock)
        {
            Link(parent, child);
            return parent.Handles.Add(child);
        }
    }

    /// <summary>The running child <paramref name="importer"/> calls its imports from <paramref name="name"/> through; null before the first such call.</summary>
    /// <remarks>A child stopped after a call left it in an unknown state is dropped here, with its place in the counts, so that the next import spawns a fresh one.</remarks>
    public PluginProcess? Imported(PluginProcess importer, string name)
    {
        lock (_lock)
        {
            if (importer.ImportedChildren?.TryGetValue(name, out var child) is not true)
                return null;
            if (child.IsAlive)
                return child;
            importer.ImportedChildren.Remove(name);
            Unlink(importer, child);
            return null;
        }
    }

    /// <summary>Links a newly instantiated child under <paramref name="parent"/> as the one it imports from; frees the child instead if the parent is gone or full, or already has one.</summary>
    /// <returns>The child to call: <paramref name="child"/>, or the one linked meanwhile.</returns>
    public PluginProcess AdoptImport(PluginProcess parent, PluginProcess child)
    {
        lock (_lock)
        {
            if (parent.ImportedChildren?.TryGetValue(child.Name, out var linked) is true && linked.IsAlive)
            {
                DiscardLocked(parent, child);
                return linked;
            }
            Link(parent, child);
            (parent.ImportedChildren ??= new(StringComparer.Ordinal))[child.Name] = child;
            return child;
        }
    }

    /// <summary>Frees the child <paramref name="holder"/> holds under <paramref name="handle"/>, with its subtree, and the handle with it.</summary>
    /// <exception cref="PluginException"><see cref="PluginErrorKind.InvalidHandle"/> when it holds none.</exception>
    public void Free(PluginProcess holder, long handle)
    {
        lock (_lock)
            Unlink(holder, holder.Handles.Remove(handle, holder.Name));
    }

    /// <summary>Frees a child whose state is unknown, with its subtree, but keeps its handle (and its place in the counts) so its holder learns what happened.</summary>
    public void Stop(PluginProcess child)
    {
        lock (_lock)
        {
            if (!child.IsAlive)
                return;
            Uncount(child.Parent, child.DescendantCount);
            FreeSubtree(child);
        }
    }

    private void CheckRoomLocked(PluginProcess parent, string name)
    {
        if (!parent.IsAlive || _freeRequested)
            throw new PluginException(PluginErrorKind.Disposed, $"{parent.Name} may not spawn {name}: it was freed, or its tree is being freed");
        if (parent.ChildCount >= parent.Rights.MaxChildren)
            throw new PluginException(PluginErrorKind.QuotaExceeded,
                $"{parent.Name} may not spawn {name}: it already holds {parent.ChildCount} children, its limit (max_children)");
        CheckDescendants(parent, parent.Name, name);
    }

    private static void CheckDescendants(PluginProcess from, string spawner, string name)
    {
        for (var ancestor = from; ancestor is not null; ancestor = ancestor.Parent)
            if (ancestor.DescendantCount >= ancestor.Rights.MaxDescendants)
                throw new PluginException(PluginErrorKind.QuotaExceeded,
                    $"{spawner} may not spawn {name}: {ancestor.Name} already has {ancestor.DescendantCount} descendants, its limit (max_descendants)");
    }

    /// <summary>
    /// Counts one process that a tree on another machine spawned below <paramref name="standIn"/>
    /// against it and its ancestors, as a local spawn counts, then reserves it further up when this
    /// tree has an upstream itself; refused there, the count here is taken back.
    /// </summary>
    /// <exception cref="PluginException"><see cref="PluginErrorKind.QuotaExceeded"/> naming the ancestor at its limit, <see cref="PluginErrorKind.Disposed"/> once the stand-in or its tree is freed, or the upstream's refusal.</exception>
    public async Task ReserveBelowAsync(PluginProcess standIn, string spawner, string name, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!standIn.IsAlive || _freeRequested)
                throw new PluginException(PluginErrorKind.Disposed, $"{spawner} may not spawn {name}: {standIn.Name}, the process it descends from on another machine, was freed");
            CheckDescendants(standIn, spawner, name);
            for (var ancestor = standIn; ancestor is not null; ancestor = ancestor.Parent)
                ancestor.DescendantCount++;
        }
        if (Upstream is not { } upstream)
            return;
        try
        {
            await upstream.ReserveAsync(spawner, name, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_lock)
            {
                if (standIn.IsAlive)
                    for (var ancestor = standIn; ancestor is not null; ancestor = ancestor.Parent)
                        ancestor.DescendantCount--;
            }
            throw;
        }
    }

    /// <summary>Takes back <paramref name="count"/> places below <paramref name="standIn"/>, and further up; nothing once the stand-in is freed, as its count left with it.</summary>
    public void ReleaseBelow(PluginProcess standIn, int count)
    {
        lock (_lock)
        {
            if (standIn.IsAlive)
                Uncount(standIn, count);
        }
    }

    /// <summary>
    /// Waits until the places this tree gave back are counted upstream, so that a plugin that
    /// freed a child finds the room back at its ancestors on other machines when <c>free_plugin</c>
    /// returns; stops waiting when the tree is cancelled.
    /// </summary>
    public void AwaitReleases()
    {
        if (Upstream is not { Released: { IsCompleted: false } released })
            return;
        try
        {
            released.Wait(CancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The tree is being freed: its whole count goes with it.
        }
    }

    /// <summary>Drops the stand-in of a child that failed to start on another machine: what its start-up code reserved leaves the counts, and reservations that arrive later are refused.</summary>
    public void DropStandIn(PluginProcess standIn)
    {
        lock (_lock)
        {
            Uncount(standIn.Parent, standIn.DescendantCount);
            standIn.MarkDead();
        }
    }

    // Under _lock: a child spawned but refused a link; what its start-up code spawned leaves the counts, and its own reserved place goes back upstream.
    private void DiscardLocked(PluginProcess parent, PluginProcess child)
    {
        for (var ancestor = parent; ancestor is not null; ancestor = ancestor.Parent)
            ancestor.DescendantCount -= child.DescendantCount;
        Upstream?.Release(1 + child.DescendantCount);
        FreeSubtree(child);
    }

    // Under _lock: processes below from left the tree; the root counts them upstream too.
    private void Uncount(PluginProcess? from, int gone)
    {
        for (var ancestor = from; ancestor is not null; ancestor = ancestor.Parent)
            ancestor.DescendantCount -= gone;
        if (gone > 0)
            Upstream?.Release(gone);
    }

    private void Link(PluginProcess parent, PluginProcess child)
    {
        try
        {
            CheckRoomLocked(parent, child.Name);
        }
        catch
        {
            DiscardLocked(parent, child);
            throw;
        }
        parent.ChildCount++;
        for (var ancestor = parent; ancestor is not null; ancestor = ancestor.Parent)
            ancestor.DescendantCount++;
    }

    // The child has left its parent's handles or imports: it and its subtree leave the counts, and are freed.
    private void Unlink(PluginProcess parent, PluginProcess child)
    {
        parent.ChildCount--;
        Uncount(parent, 1 + child.DescendantCount);
        FreeSubtree(child);
    }

    private static PluginException Busy(PluginProcess holder, PluginProcess child) =>
        new(PluginErrorKind.Busy, $"{holder.Name} may not call {child.Name}: a call it started on {child.Name} with call_plugin_async is still in flight; await it first");

    private void FreeChildren(PluginProcess process)
    {
        foreach (var child in process.Handles.Values)
            FreeSubtree(child);
        process.Handles.Clear();
        if (process.ImportedChildren is { } imported)
        {
            foreach (var child in imported.Values)
                FreeSubtree(child);
            imported.Clear();
        }
        if (process == Root && process.DescendantCount > 0)
            Upstream?.Release(process.DescendantCount);
        process.ChildCount = 0;
        process.DescendantCount = 0;
    }

    private void FreeSubtree(PluginProcess process)
    {
        FreeChildren(process);
        if (!process.IsAlive)
            return;
        process.MarkDead();
        if (process.Remote is { } remote)
        {
            host.StandIns.Remove(process);
            remote.Free();
            return;
        }
        process.Instance.Dispose();
        host.ReleaseInstance();
    }
}
