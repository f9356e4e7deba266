using Microsoft.Extensions.Logging;
using Interplug.Runtime.Kernel;
using Wasmtime;

namespace Interplug.Runtime.Env;

/// <summary>
/// The <c>extism:host/env</c> imports that need .NET: config, vars, logging and HTTP. The block
/// memory imports are served by the kernel module itself. Handles passed to these functions are
/// owned by the host once the call is made, so each one is freed after it is read and after
/// any result block is written (see <see cref="KernelInstance.FreeAfterResult"/>).
/// </summary>
internal static partial class EnvFunctions
{
    public const string Module = "extism:host/env";

    /// <summary>The names defined here; with the kernel's exports they make up the whole env namespace.</summary>
    public static readonly IReadOnlySet<string> Names = new HashSet<string>
    {
        "config_get", "var_get", "var_set", "http_request", "http_status_code", "http_headers",
        "log_trace", "log_debug", "log_info", "log_warn", "log_error", "get_log_level",
    };

    public static void Define(Linker linker)
    {
        linker.DefineFunction(Module, "config_get", (Caller c, long key) => ConfigGet(State(c), key));
        linker.DefineFunction(Module, "var_get", (Caller c, long key) => VarGet(State(c), key));
        linker.DefineFunction(Module, "var_set", (Caller c, long key, long value) => VarSet(State(c), key, value));
        linker.DefineFunction(Module, "http_request", (Caller c, long request, long body) => HttpFunctions.Request(State(c), request, body));
        linker.DefineFunction(Module, "http_status_code", (Caller c) => State(c).Http.StatusCode);
        linker.DefineFunction(Module, "http_headers", (Caller c) => HttpFunctions.Headers(State(c)));
        DefineLog(linker, "log_trace", LogLevel.Trace);
        DefineLog(linker, "log_debug", LogLevel.Debug);
        DefineLog(linker, "log_info", LogLevel.Information);
        DefineLog(linker, "log_warn", LogLevel.Warning);
        DefineLog(linker, "log_error", LogLevel.Error);
        linker.DefineFunction(Module, "get_log_level", (Caller c) => LogLevelOf(State(c).Plugin.Logger));
    }

    private static InstanceState State(Caller caller) => (InstanceState)caller.GetData()!;

    private static long ConfigGet(InstanceState state, long keyHandle)
    {
        var value = state.Plugin.Config.Get(state.Kernel.Read(keyHandle)) is { } bytes ? state.Kernel.Write(bytes) : 0;
        return state.Kernel.FreeAfterResult(keyHandle, value);
    }

    private static long VarGet(InstanceState state, long keyHandle)
    {
        var value = state.Vars.Get(state.Kernel.Read(keyHandle)) is { } bytes ? state.Kernel.Write(bytes) : 0;
        return state.Kernel.FreeAfterResult(keyHandle, value);
    }

    private static void VarSet(InstanceState state, long keyHandle, long valueHandle)
    {
        try
        {
            if (keyHandle == 0)
                throw new PluginException(PluginErrorKind.InvalidArgument, "var_set: the key handle is 0");
            var key = state.Kernel.Read(keyHandle);
            if (valueHandle == 0)
                state.Vars.Remove(key);
            else
                state.Vars.Set(key, state.Kernel.Read(valueHandle));
        }
        finally
        {
            // The value was allocated after the key: freeing it first lets both give their space back to the bump pointer.
            state.Kernel.Free(valueHandle);
            state.Kernel.Free(keyHandle);
        }
    }

    private static void DefineLog(Linker linker, string name, LogLevel level) =>
        linker.DefineFunction(Module, name, (Caller c, long message) =>
        {
            var state = State(c);
            var logger = state.Plugin.Logger;
            if (logger.IsEnabled(level))
            {
                var text = LogText(state.Kernel.Read(message), state.Plugin.Options.MaxLogMessageBytes);
                LogFromPlugin(logger, level, state.Plugin.Name, text);
            }
            state.Kernel.Free(message);
        });

    /// <summary>
    /// A log message as text, cut to <paramref name="maxBytes"/> before it is decoded so that a flood costs the
    /// host no more than the cap. A log line is worth keeping even when it is not clean UTF-8.
    /// </summary>
    internal static string LogText(ReadOnlySpan<byte> message, int maxBytes) =>
        message.Length <= maxBytes
            ? Utf8.Lossy(message)
            : $"{Utf8.Lossy(message[..maxBytes])}… [log message truncated: {message.Length - maxBytes} of {message.Length} bytes dropped]";

    /// <summary>The Extism log level: the lowest enabled of trace=0 … error=4, or int.MaxValue when logging is off.</summary>
    internal static int LogLevelOf(ILogger logger)
    {
        for (var level = LogLevel.Trace; level <= LogLevel.Error; level++)
            if (logger.IsEnabled(level))
                return (int)level;
        return int.MaxValue;
    }

    [LoggerMessage(Message = "{Plugin}: {Message}")]
    private static partial void LogFromPlugin(ILogger logger, LogLevel level, string plugin, string message);
}
