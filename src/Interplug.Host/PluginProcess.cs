using Interplug.Host.Calls;
using Interplug.Host.Policy;
using Interplug.Runtime;

namespace Interplug.Host;

/// <summary>
/// A plugin instance living in the host's process table, like an OS process: it has a name, an
/// id, a parent (unless the host started it), the handles of the children it spawned, and the
/// rights its policy and ancestors leave it. Disposing it frees it and everything it spawned.
/// Its place in the tree (children, counts, liveness) is kept by its <see cref="ProcessTree"/>.
/// </summary>
public sealed class PluginProcess : IPluginProcess, IDisposable
{
    private volatile bool _alive = true;
    private ManualResetEventSlim? _callsEnded;
    private string? _key;

    internal PluginProcess(PluginHost host, ProcessTree tree, long id, string name, PluginProcess? parent, Rights rights)
    {
        Host = host;
        Tree = tree;
        Id = id;
        Name = name;
        Parent = parent;
        Rights = rights;
    }

    /// <summary>A host-wide number for traces and logs. Plugins never see it: they hold handles.</summary>
    public long Id { get; }

    /// <summary>The plugin's catalog name.</summary>
    public string Name { get; }

    /// <summary>Whether it still runs: not freed, and not stopped after a call left it in an unknown state.</summary>
    public bool IsAlive => _alive;

    /// <summary>Children it spawned and has not freed, a child stopped after a failed call included: it counts against <c>max_children</c> until freed.</summary>
    public int ChildCount { get; internal set; }

    /// <summary>Processes below it: its <see cref="ChildCount"/> children and the live processes below those.</summary>
    public int DescendantCount { get; internal set; }

    internal PluginHost Host { get; }

    internal ProcessTree Tree { get; }

    internal PluginProcess? Parent { get; }

    internal Rights Rights { get; }

    /// <summary>The instance; null for a child on another machine (<see cref="Remote"/>).</summary>
    internal PluginInstance Instance { get; set; } = null!;

    /// <summary>Set for a child placed on another machine once it started there: this process stands in for it in its parent's tree.</summary>
    internal Remote.IRemoteChild? Remote { get; set; }

    /// <summary>The process as chains that cross machines name it: unique in a cluster, unlike <see cref="Id"/>.</summary>
    internal string Key => _key ??= $"{Host.Key}/{Id}";

    internal HandleTable<PluginProcess> Handles { get; } = new("plugin handle", "already freed");

    /// <summary>Tickets of the calls this process started with <c>call_plugin_async</c> and has not awaited yet.</summary>
    internal HandleTable<ChildCall> Tickets { get; } = new("call ticket", "already awaited, or its call ended with the call that started it");

    /// <summary>The call its parent started on it with <c>call_plugin_async</c> and has not awaited yet; null when none.</summary>
    internal ChildCall? InFlight { get; set; }

    /// <summary>Set whenever a call this process started ends; its own thread waits on it in <c>await_call</c>.</summary>
    internal ManualResetEventSlim CallsEnded => LazyInitializer.EnsureInitialized(ref _callsEnded);

    /// <summary>The children spawned for its <c>plugin:</c> imports, by imported name; created on first use, used under its tree's lock.</summary>
    internal Dictionary<string, PluginProcess>? ImportedChildren { get; set; }

    /// <summary>Names of this process's exports as callers spell them, so a repeated call allocates no string.</summary>
    internal ExportNameCache ExportNames { get; } = new();

    /// <summary>The message of the last failed <c>try_*</c> call this process made, for <c>last_error</c>.</summary>
    internal string? LastError { get; set; }

    /// <summary>The output of this process's last <c>call_plugin_bytes</c> when it did not fit the destination, for <c>result_read</c>; empty otherwise.</summary>
    internal byte[] UnreadResult { get; set; } = [];

    /// <summary>While its parent's <c>call_plugin_bytes</c> into it runs: where the result goes, so that its <c>output_write</c> can place it there.</summary>
    internal ResultDestination? PendingResult { get; set; }

    /// <summary>Where this process's own <c>call_plugin_bytes</c> results go; created by its first such call.</summary>
    internal ResultDestination? ResultDestination { get; set; }

    /// <summary>
    /// Calls an export of a process the host started, as a top-level call: its deadline is the
    /// policy's timeout and covers every plugin this call reaches, and what it spawns is freed when
    /// it returns unless <see cref="PluginHostOptions.KeepChildrenBetweenCalls"/> is set.
    /// </summary>
    /// <param name="export">The export's name.</param>
    /// <param name="input">Input bytes.</param>
    /// <param name="cancellationToken">Cancels the whole call chain.</param>
    /// <exception cref="PluginException">The call failed; <see cref="PluginException.Kind"/> says why.</exception>
    /// <exception cref="InvalidOperationException">This process was spawned by a plugin; only its parent calls it.</exception>
    public byte[] Call(string export, ReadOnlySpan<byte> input, CancellationToken cancellationToken = default)
    {
        if (Parent is not null)
            throw new InvalidOperationException($"{Name} was spawned by {Parent.Name}; only its parent calls it, through its handle");
        return Host.CallTopLevel(this, export, input, cancellationToken);
    }

    /// <summary>Frees this process and everything it spawned, as <see cref="Dispose"/> does; it never waits.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// <see cref="Call"/> without blocking the caller's thread: the call waits in the host's queue
    /// for a call thread and runs there, as <see cref="PluginHost.RunAsync"/> describes. Its timeout
    /// counts from now; <paramref name="cancellationToken"/> ends it while it waits and while it runs.
    /// A call made while another runs in this process fails with <see cref="PluginErrorKind.Busy"/>
    /// when it starts.
    /// </summary>
    /// <param name="export">The export's name.</param>
    /// <param name="input">Input bytes; read when the call starts, so they must not change until the task ends.</param>
    /// <param name="cancellationToken">Cancels the call, queued or running, and its whole chain.</param>
    /// <returns>The output bytes; the task fails with the <see cref="PluginException"/> <see cref="Call"/> would throw.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="export"/> is null.</exception>
    /// <exception cref="InvalidOperationException">This process was spawned by a plugin; only its parent calls it.</exception>
    public Task<byte[]> CallAsync(string export, ReadOnlyMemory<byte> input, CancellationToken cancellationToken = default) =>
        CallTracedAsync(export, input, null, cancellationToken);

    /// <summary><see cref="CallAsync(string, ReadOnlyMemory{byte}, CancellationToken)"/>, recording every call of its chain in <paramref name="hops"/> when given.</summary>
    internal Task<byte[]> CallTracedAsync(string export, ReadOnlyMemory<byte> input, Remote.HopLog? hops, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(export);
        if (Parent is not null)
            throw new InvalidOperationException($"{Name} was spawned by {Parent.Name}; only its parent calls it, through its handle");
        return Host.Schedule(new Scheduling.TopLevelCall($"{Name}.{export}", Deadline.AfterMilliseconds(Rights.TimeoutMs),
            (until, token) => Host.CallTopLevel(this, export, input.Span, token, until, hops: hops), cancellationToken));
    }

    /// <summary>
    /// Frees this process and everything it spawned. Thread-safe. While a call runs in its tree,
    /// that call is cancelled (it fails with <see cref="PluginErrorKind.Disposed"/>) and frees the
    /// tree as it unwinds; this method does not wait for it. A process a plugin spawned is freed
    /// by its holder (<c>free_plugin</c>) or with its parent, not by this method.
    /// </summary>
    public void Dispose() => Host.Free(this);

    internal void MarkDead() => _alive = false;

    /// <summary>The process's place in the tree, for messages: <c>run#1</c>.</summary>
    public override string ToString() => $"{Name}#{Id}";
}
