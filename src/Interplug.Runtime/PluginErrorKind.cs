namespace Interplug.Runtime;

/// <summary>
/// Why a plugin operation failed. Every failure Interplug reports carries exactly one kind, so a
/// caller can switch on it instead of parsing messages.
/// </summary>
/// <remarks>
/// The numbers are stable: plugins see them, negated, as the status of the host's <c>try_*</c>
/// functions. New kinds are only ever appended.
/// </remarks>
public enum PluginErrorKind
{
    /// <summary>The plugin trapped: unreachable code, an out-of-bounds access, a stack overflow and the like.</summary>
    Trap = 1,

    /// <summary>The call ran past its deadline (the manifest's <c>timeout_ms</c> or the caller's deadline).</summary>
    Timeout = 2,

    /// <summary>The caller's <see cref="System.Threading.CancellationToken"/> was cancelled while the call ran.</summary>
    Cancelled = 3,

    /// <summary>The plugin needed more memory than its page budget allows.</summary>
    OutOfMemory = 4,

    /// <summary>The call used up its fuel.</summary>
    OutOfFuel = 5,

    /// <summary>The plugin has no callable export of the requested name.</summary>
    ExportNotFound = 6,

    /// <summary>The plugin reported an error through <c>error_set</c>; the message is the plugin's.</summary>
    PluginError = 7,

    /// <summary>The export returned a non-zero code without reporting an error; see <see cref="PluginException.ExitCode"/>.</summary>
    NonZeroExitCode = 8,

    /// <summary>The module is not valid WebAssembly, or cannot be instantiated.</summary>
    BadModule = 9,

    /// <summary>The module imports a function the host does not provide; see <see cref="PluginException.ImportName"/>.</summary>
    MissingImport = 10,

    /// <summary>The manifest is malformed, names a source that cannot be read, or its hash does not match.</summary>
    InvalidManifest = 11,

    /// <summary>The instance is already running a call: re-entry, or use from a second thread.</summary>
    Busy = 12,

    /// <summary>A plugin passed the host an argument it cannot accept: a bad handle, invalid UTF-8 or JSON, an output range outside memory.</summary>
    InvalidArgument = 13,

    /// <summary>A size limit other than the memory budget was exceeded, such as <c>max_var_bytes</c> or <c>max_http_response_bytes</c>.</summary>
    LimitExceeded = 14,

    /// <summary>The plugin asked for something its manifest or policy does not allow, such as HTTP to a host that is not allowed.</summary>
    PermissionDenied = 15,

    /// <summary>An HTTP request a plugin was allowed to make failed in transport.</summary>
    HttpFailed = 16,

    /// <summary>The instance was disposed.</summary>
    Disposed = 17,

    /// <summary>No plugin of the requested name exists in the host's catalog.</summary>
    NotFound = 18,

    /// <summary>A plugin handle that the holder never received, already freed, or forged.</summary>
    InvalidHandle = 19,

    /// <summary>A call would re-enter a plugin already on the call chain; the message shows the chain.</summary>
    CallCycle = 20,

    /// <summary>A call chain grew deeper than the policy allows.</summary>
    DepthExceeded = 21,

    /// <summary>A spawn would exceed a quota on live children or descendants.</summary>
    QuotaExceeded = 22,

    /// <summary>The machine running the process stopped answering during the call (a cluster silo that died or left); the process is gone.</summary>
    Unavailable = 23,
}
