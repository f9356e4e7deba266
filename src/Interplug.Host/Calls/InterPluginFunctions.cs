using Interplug.Runtime;

namespace Interplug.Host.Calls;

/// <summary>
/// The host functions that make plugins processes, provided under <c>extism:host/user</c> and
/// under <c>env</c> (where a plain Rust <c>extern "C"</c> block or C declaration imports from).
/// Handles are i64 kernel blocks; the caller owns its argument blocks and receives ownership of
/// any block returned. See docs/design.md for the full contract.
/// </summary>
internal static class InterPluginFunctions
{
    private static readonly string[] Modules = [HostFunction.UserModule, "env"];

    public static IReadOnlyList<HostFunction> All { get; } = Modules.SelectMany(m => Define(m).Concat(BulkDataFunctions.Define(m))).ToArray();

    /// <summary>These functions followed by the application's own, which may not share a module and name with any other.</summary>
    /// <exception cref="ArgumentException">Two functions share a module and name.</exception>
    public static IReadOnlyList<HostFunction> With(IReadOnlyList<HostFunction> user, string paramName)
    {
        ArgumentNullException.ThrowIfNull(user, paramName);
        var taken = All.Select(f => f.ToString()).ToHashSet(StringComparer.Ordinal);
        foreach (var function in user)
        {
            ArgumentNullException.ThrowIfNull(function, paramName);
            if (!taken.Add(function.ToString()))
                throw new ArgumentException(All.Any(f => f.ToString() == function.ToString())
                    ? $"host function {function} is an inter-plugin function the host provides itself; give it another name or module"
                    : $"host function {function} is defined twice", paramName);
        }
        return [.. All, .. user];
    }

    private static IEnumerable<HostFunction> Define(string module) =>
    [
        .. WithTry(module, "register_plugin", Register),
        .. WithTry(module, "call_plugin", Call),
        .. WithTry(module, "call_plugin_async", CallAsync),
        .. WithTry(module, "await_call", Await),
        .. WithTry(module, "await_any", AwaitAny),
        HostFunction.FromMethod<long, long>("free_plugin", Free).WithModule(module),
        HostFunction.FromMethod<long>("last_error", LastError).WithModule(module),
    ];

    // Each function that can fail comes twice: as itself, whose failure fails the caller's call,
    // and as try_ itself, whose failure is a negative status (Raise and Try below).
    private static HostFunction[] WithTry(string module, string name, Func<CurrentPlugin, long, long> body) =>
    [
        HostFunction.FromMethod(name, (CurrentPlugin plugin, long a) => Raise(plugin, a, body)).WithModule(module),
        HostFunction.FromMethod("try_" + name, (CurrentPlugin plugin, long a) => Try(plugin, a, body)).WithModule(module),
    ];

    private static HostFunction[] WithTry(string module, string name, Func<CurrentPlugin, (long Tickets, long Count), long> body) =>
    [
        HostFunction.FromMethod(name, (CurrentPlugin plugin, long a, long b) => Raise(plugin, (a, b), body)).WithModule(module),
        HostFunction.FromMethod("try_" + name, (CurrentPlugin plugin, long a, long b) => Try(plugin, (a, b), body)).WithModule(module),
    ];

    private static HostFunction[] WithTry(string module, string name, Func<CurrentPlugin, (long Id, long Func, long Input), long> body) =>
    [
        HostFunction.FromMethod(name, (CurrentPlugin plugin, long a, long b, long c) => Raise(plugin, (a, b, c), body)).WithModule(module),
        HostFunction.FromMethod("try_" + name, (CurrentPlugin plugin, long a, long b, long c) => Try(plugin, (a, b, c), body)).WithModule(module),
    ];

    /// <summary><c>register_plugin(name) -> id</c>: spawns a child; any failure fails the caller's call.</summary>
    private static long Register(CurrentPlugin plugin, long nameHandle)
    {
        var (process, chain) = Context(plugin);
        var name = plugin.ReadString(nameHandle);
        return process.Host.Spawn(process, chain, name);
    }

    /// <summary><c>call_plugin(id, func, input) -> output</c>: calls a child's export; any failure fails the caller's call.</summary>
    private static long Call(CurrentPlugin plugin, (long Id, long Func, long Input) call)
    {
        var (process, chain, child, export) = Target(plugin, call.Id, call.Func);
        return process.Host.CallChild(plugin, process, chain, child, export, call.Input);
    }

    /// <summary><c>call_plugin_async(id, func, input) -> ticket</c>: starts a call on a child on another thread; any failure to start fails the caller's call.</summary>
    private static long CallAsync(CurrentPlugin plugin, (long Id, long Func, long Input) call)
    {
        var (process, chain, child, export) = Target(plugin, call.Id, call.Func);
        return process.Host.AsyncCalls.Start(plugin, process, chain, child, export, call.Input);
    }

    /// <summary>The caller, its chain, the idle child <paramref name="id"/> names and the export the block <paramref name="funcHandle"/> names.</summary>
    private static (PluginProcess Process, CallChain Chain, PluginProcess Child, string Export) Target(CurrentPlugin plugin, long id, long funcHandle)
    {
        var (process, chain) = Context(plugin);
        var child = process.Tree.IdleChild(process, id);
        return (process, chain, child, child.ExportNames.Get(plugin.ReadBytes(funcHandle)));
    }

    /// <summary><c>await_call(ticket) -> output</c>: waits for a call and spends its ticket; the child's failure fails the caller's call.</summary>
    private static long Await(CurrentPlugin plugin, long ticket)
    {
        var (process, chain) = Context(plugin);
        return process.Host.AsyncCalls.Await(plugin, process, chain, ticket);
    }

    /// <summary><c>await_any(tickets, count) -> ticket</c>: waits until one of the tickets has ended and returns it, unspent.</summary>
    private static long AwaitAny(CurrentPlugin plugin, (long Tickets, long Count) wait)
    {
        var (process, chain) = Context(plugin);
        return process.Host.AsyncCalls.AwaitAny(plugin, process, chain, wait.Tickets, wait.Count);
    }

    /// <summary><c>free_plugin(id) -> status</c>: frees a child and its subtree, cancelling its call in flight first; 0, or a negative status.</summary>
    private static long Free(CurrentPlugin plugin, long id)
    {
        var (process, _) = Context(plugin);
        try
        {
            process.Host.AsyncCalls.Free(process, id);
            return 0;
        }
        catch (PluginException e)
        {
            process.LastError = e.Message;
            return Status(e);
        }
    }

    /// <summary><c>last_error() -> message</c>: the message of this process's last failed <c>try_*</c> or <c>free_plugin</c>, or 0.</summary>
    private static long LastError(CurrentPlugin plugin)
    {
        var (process, _) = Context(plugin);
        return process.LastError is { } message ? plugin.WriteString(message) : 0;
    }

    /// <summary>Runs a <c>try_*</c> function: a failure becomes a negative status, and its message the process's <c>last_error</c>.</summary>
    internal static long Try<TArgs>(CurrentPlugin plugin, TArgs args, Func<CurrentPlugin, TArgs, long> body)
    {
        try
        {
            return body(plugin, args);
        }
        catch (PluginException e)
        {
            Context(plugin).Process.LastError = e.Message;
            return Status(e);
        }
    }

    // A failure of the host's work for the plugin fails the plugin's call; it names the chain down
    // to that plugin, whose request it was. Failures from deeper in the chain name theirs already.
    internal static long Raise<TArgs>(CurrentPlugin plugin, TArgs args, Func<CurrentPlugin, TArgs, long> body)
    {
        try
        {
            return body(plugin, args);
        }
        catch (PluginException e) when (e.CallChain is null && plugin.HostContext is CallChain chain)
        {
            throw ChainFailure.Of(e, chain.Describe());
        }
    }

    /// <summary>A failure as a plugin sees it from a <c>try_*</c> function: the negated <see cref="PluginErrorKind"/>.</summary>
    internal static long Status(PluginException e) => -(long)e.Kind;

    /// <summary>The process that called a host function, and the chain of its call.</summary>
    /// <exception cref="PluginException"><see cref="PluginErrorKind.PermissionDenied"/> outside a call made through the host.</exception>
    internal static (PluginProcess Process, CallChain Chain) Context(CurrentPlugin plugin) =>
        plugin.Instance.Context is PluginProcess process && plugin.HostContext is CallChain chain
            ? (process, chain)
            : throw new PluginException(PluginErrorKind.PermissionDenied, "inter-plugin functions work only inside a call made through the Interplug host");
}
