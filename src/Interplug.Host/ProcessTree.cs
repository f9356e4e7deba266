using Interplug.Runtime;

namespace Interplug.Host;

/// <summary>
/// The bookkeeping of one process tree, a top-level process and everything below it: who holds
/// which handle, child and descendant counts, which processes are alive, and whether a call runs.
/// </summary>
/// <remarks>
/// <para>
/// One rule: every read and change of that state takes the tree's lock. Calls in one tree run one
/// at a time (<see cref="BeginCall"/>), so the lock is uncontended except when another thread
/// frees the root. If a call is running then, the tree is only marked and that call cancelled
/// (<see cref="CancellationToken"/>); the call frees the tree as it unwinds, in
/// <see cref="EndCall"/>. Otherwise the tree is freed at once. So no instance is disposed under a
/// running call, and each instance is released to the host exactly once, when it turns dead
/// under the lock.
/// </para>
/// <para>
/// A child counts against its parent's <c>max_children</c> and its ancestors'
/// <c>max_descendants</c> from its spawn until its handle is freed, also after it was stopped
/// (<see cref="Stop"/>): so a plugin cannot pile up stopped children. The descendants of a
/// stopped child are freed with it.
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

    /// <summary>The process <paramref name="holder"/> holds under <paramref name="handle"/>.</summary>
    /// <exception cref="PluginException"><see cref="PluginErrorKind.InvalidHandle"/> when it holds none.</exception>
    public PluginProcess Child(PluginProcess holder, long handle)
    {
        lock (_lock)
            return holder.Handles.Get(handle, holder.Name);
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
                FreeSubtree(child);
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
            for (var ancestor = child.Parent; ancestor is not null; ancestor = ancestor.Parent)
                ancestor.DescendantCount -= child.DescendantCount;
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
        for (var ancestor = parent; ancestor is not null; ancestor = ancestor.Parent)
            if (ancestor.DescendantCount >= ancestor.Rights.MaxDescendants)
                throw new PluginException(PluginErrorKind.QuotaExceeded,
                    $"{parent.Name} may not spawn {name}: {ancestor.Name} already has {ancestor.DescendantCount} descendants, its limit (max_descendants)");
    }

    private void Link(PluginProcess parent, PluginProcess child)
    {
        try
        {
            CheckRoomLocked(parent, child.Name);
        }
        catch
        {
            FreeSubtree(child);
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
        var gone = 1 + child.DescendantCount;
        for (var ancestor = parent; ancestor is not null; ancestor = ancestor.Parent)
            ancestor.DescendantCount -= gone;
        FreeSubtree(child);
    }

    private void FreeChildren(PluginProcess process)
    {
        foreach (var child in process.Handles.Processes)
            FreeSubtree(child);
        process.Handles.Clear();
        if (process.ImportedChildren is { } imported)
        {
            foreach (var child in imported.Values)
                FreeSubtree(child);
            imported.Clear();
        }
        process.ChildCount = 0;
        process.DescendantCount = 0;
    }

    private void FreeSubtree(PluginProcess process)
    {
        FreeChildren(process);
        if (!process.IsAlive)
            return;
        process.MarkDead();
        process.Instance.Dispose();
        host.ReleaseInstance();
    }
}
