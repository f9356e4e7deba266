using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Interplug.Runtime;

/// <summary>
/// Keeps wasm from running off the end of the native stack. Wasmtime gives each store
/// <see cref="WasmStackBytes"/> of native stack below the point where the store is first entered,
/// and a plugin that calls another plugin enters a new store: every level of a call chain takes a
/// fresh budget, so a deep enough chain (or a caller on a thread with a small stack) would overflow
/// the thread's stack, which ends the whole process. Before wasm is entered, the runtime checks
/// that the wasm budget and <see cref="HostReserveBytes"/> still fit on this thread; when they do
/// not, the call runs on a new thread with a <see cref="FreshStackBytes"/> stack while the caller's
/// thread waits. A chain may move to a fresh stack at most <see cref="MaxFreshStacks"/> times;
/// past that it fails with <see cref="PluginErrorKind.DepthExceeded"/>.
/// </summary>
internal static partial class NativeStack
{
    /// <summary>Native stack Wasmtime lets one store's wasm frames use (the engine is configured with it).</summary>
    public const int WasmStackBytes = 512 * 1024;

    /// <summary>
    /// Room kept below the wasm frames for the host: Wasmtime's trampolines and every host
    /// function a plugin calls (logging, HTTP, the inter-plugin functions) run beneath the
    /// deepest wasm frame, outside Wasmtime's budget.
    /// </summary>
    public const int HostReserveBytes = 256 * 1024;

    /// <summary>Stack size of a thread that continues a chain: room for about 20 levels that each use their whole wasm budget.</summary>
    public const int FreshStackBytes = 16 * 1024 * 1024;

    /// <summary>How often one chain may move to a fresh stack: bounds the threads one chain can hold at once.</summary>
    public const int MaxFreshStacks = 16;

    private const long NeededBytes = WasmStackBytes + HostReserveBytes;

    [ThreadStatic]
    private static nuint t_lowestAddress;

    // How many fresh stacks the chain running on this thread has taken so far.
    [ThreadStatic]
    private static int t_freshStacks;

    /// <summary>Whether another wasm entry, with its whole budget and the host's reserve, fits on this thread's stack.</summary>
    public static unsafe bool HasRoom()
    {
        var low = t_lowestAddress;
        if (low == 0)
            t_lowestAddress = low = LowestAddress();
        byte probe = 0;
        var here = (nuint)(&probe);
        return here > low && here - low > NeededBytes;
    }

    /// <summary>Runs <paramref name="work"/> on a new thread with a fresh stack and waits for it; exceptions reach the caller unchanged.</summary>
    /// <exception cref="PluginException"><see cref="PluginErrorKind.DepthExceeded"/> when the chain already took <see cref="MaxFreshStacks"/> fresh stacks.</exception>
    public static TResult OnFreshStack<TResult>(Func<TResult> work, string what)
    {
        var taken = t_freshStacks;
        if (taken >= MaxFreshStacks)
            throw new PluginException(PluginErrorKind.DepthExceeded,
                $"{what}: the call chain is too deep for the native stack ({taken} threads of {FreshStackBytes >> 20} MiB already hold it)");
        TResult result = default!;
        ExceptionDispatchInfo? failure = null;
        // Thread.Start flows the caller's ExecutionContext, so Activity.Current and AsyncLocals carry over.
        var thread = new Thread(() =>
        {
            t_freshStacks = taken + 1;
            try
            {
                result = work();
            }
#pragma warning disable CA1031 // every exception goes back to the waiting caller, which rethrows it
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        }, FreshStackBytes)
        {
            IsBackground = true,
            Name = "interplug-fresh-stack",
        };
        try
        {
            thread.Start();
        }
        catch (OutOfMemoryException e)
        {
            throw new PluginException(PluginErrorKind.DepthExceeded, $"{what}: the call chain needs a fresh stack and no thread could be started", e);
        }
        thread.Join();
        failure?.Throw();
        return result;
    }

    /// <summary>The lowest usable address of the current thread's stack; 0 where it cannot be found (no check is then possible).</summary>
    private static nuint LowestAddress()
    {
        try
        {
            if (OperatingSystem.IsLinux())
                return LinuxLowestAddress();
            if (OperatingSystem.IsMacOS())
                return MacLowestAddress();
            if (OperatingSystem.IsWindows())
            {
                GetCurrentThreadStackLimits(out var low, out _);
                return low;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
        return 0;
    }

    private static unsafe nuint LinuxLowestAddress()
    {
        // pthread_attr_t is 56 bytes on x86-64 and 64 on arm64 (glibc, musl); leave room.
        var attr = stackalloc byte[256];
        if (pthread_getattr_np(pthread_self(), attr) != 0)
            return 0;
        try
        {
            return pthread_attr_getstack(attr, out var address, out _) == 0 ? address : 0;
        }
        finally
        {
            _ = pthread_attr_destroy(attr);
        }
    }

    private static nuint MacLowestAddress()
    {
        var self = pthread_self();
        return pthread_get_stackaddr_np(self) - pthread_get_stacksize_np(self);
    }

    [LibraryImport("libc")]
    private static partial nint pthread_self();

    [LibraryImport("libc")]
    private static unsafe partial int pthread_getattr_np(nint thread, byte* attr);

    [LibraryImport("libc")]
    private static unsafe partial int pthread_attr_getstack(byte* attr, out nuint address, out nuint size);

    [LibraryImport("libc")]
    private static unsafe partial int pthread_attr_destroy(byte* attr);

    [LibraryImport("libc")]
    private static partial nuint pthread_get_stackaddr_np(nint thread);

    [LibraryImport("libc")]
    private static partial nuint pthread_get_stacksize_np(nint thread);

    [LibraryImport("kernel32")]
    private static partial void GetCurrentThreadStackLimits(out nuint low, out nuint high);
}
