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
        HostFunction.FromMethod("register_plugin", (CurrentPlugin plugin, long name) => Raise(plugin, name, 0, 0, static (p, n, _, _) => Register(p, n))).WithModule(module),
        HostFunction.FromMethod("call_plugin", (CurrentPlugin plugin, long id, long func, long input) => Raise(plugin, id, func, input, Call)).WithModule(module),
        HostFunction.FromMethod<long, long>("free_plugin", Free).WithModule(module),
        HostFunction.FromMethod("try_register_plugin", (CurrentPlugin plugin, long name) => Try(plugin, name, 0, 0, static (p, n, _, _) => Register(p, n))).WithModule(module),
        HostFunction.FromMethod("try_call_plugin", (CurrentPlugin plugin, long id, long func, long input) => Try(plugin, id, func, input, Call)).WithModule(module),
        HostFunction.FromMethod<long>("last_error", LastError).WithModule(module),
        HostFunction.FromMethod("call_plugin_async", (CurrentPlugin plugin, long id, long func, long input) => Raise(plugin, id, func, input, CallAsync)).WithModule(module),
        HostFunction.FromMethod("try_call_plugin_async", (CurrentPlugin plugin, long id, long func, long input) => Try(plugin, id, func, input, CallAsync)).WithModule(module),
        HostFunction.FromMethod("await_call", (CurrentPlugin plugin, long ticket) => Raise(plugin, ticket, 0, 0, static (p, t, _, _) => Await(p, t))).WithModule(module),
        HostFunction.FromMethod("try_await_call", (CurrentPlugin plugin, long ticket) => Try(plugin, ticket, 0, 0, static (p, t, _, _) => Await(p, t))).WithModule(module),
        HostFunction.FromMethod("await_any", (CurrentPlugin plugin, long tickets, long count) => Raise(plugin, tickets, count, 0, static (p, t, n, _) => AwaitAny(p, t, n))).WithModule(module),
        HostFunction.FromMethod("try_await_any", (CurrentPlugin plugin, long tickets, long count) => Try(plugin, tickets, count, 0, static (p, t, n, _) => AwaitAny(p, t, n))).WithModule(module),
    ];

    /// <summary><c>register_plugin(name) -> id</c>: spawns a child; any failure fails the caller's call.</summary>
    private static long Register(CurrentPlugin plugin, long nameHandle)
    {
        var (process, chain) = Context(plugin);
        var name = plugin.ReadString(nameHandle);
        return process.Host.Spawn(process, chain, name);
    }

    /// <summary><c>call_plugin(id, func, input) -> output</c>: calls a child's export; any failure fails the caller's call.</summary>
    private static long Call(CurrentPlugin plugin, long id, long funcHandle, long inputHandle)
    {
        var (process, chain) = Context(plugin);
        var child = process.Tree.IdleChild(process, id);
        var export = child.ExportNames.Get(plugin.ReadBytes(funcHandle));
        return process.Host.CallChild(plugin, process, chain, child, export, inputHandle);
    }

    /// <summary><c>call_plugin_async(id, func, input) -> ticket</c>: starts a call on a child on another thread; any failure to start fails the caller's call.</summary>
    private static long CallAsync(CurrentPlugin plugin, long id, long funcHandle, long inputHandle)
    {
        var (process, chain) = Context(plugin);
        var child = process.Tree.IdleChild(process, id);
        var export = child.ExportNames.Get(plugin.ReadBytes(funcHandle));
        return process.Host.AsyncCalls.Start(plugin, process, chain, child, export, inputHandle);
    }

    /// <summary><c>await_call(ticket) -> output</c>: waits for a call and spends its ticket; the child's failure fails the caller's call.</summary>
    private static long Await(CurrentPlugin plugin, long ticket)
    {
        var (process, chain) = Context(plugin);
        return process.Host.AsyncCalls.Await(plugin, process, chain, ticket);
    }

    /// <summary><c>await_any(tickets, count) -> ticket</c>: waits until one of the tickets has ended and returns it, unspent.</summary>
    private static long AwaitAny(CurrentPlugin plugin, long ticketsHandle, long count)
    {
        var (process, chain) = Context(plugin);
        return process.Host.AsyncCalls.AwaitAny(plugin, process, chain, ticketsHandle, count);
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

    private static long Try(CurrentPlugin plugin, long a, long b, long c, Func<CurrentPlugin, long, long, long, long> body) =>
        Try(plugin, (body, a, b, c), static (p, t) => t.body(p, t.a, t.b, t.c));

    private static long Raise(CurrentPlugin plugin, long a, long b, long c, Func<CurrentPlugin, long, long, long, long> body) =>
        Raise(plugin, (body, a, b, c), static (p, t) => t.body(p, t.a, t.b, t.c));

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
