namespace Interplug.Runtime;

/// <summary>
/// Why a plugin operation failed. Every failure Interplug reports carries exactly one kind, so a
/// caller can switch on it instead of parsing messages.
/// </summary>
public enum PluginErrorKind
{
    /// <summary>The plugin trapped: unreachable code, an out-of-bounds access, a stack overflow and the like.</summary>
    Trap,

    /// <summary>The call ran past its deadline (the manifest's <c>timeout_ms</c> or the caller's deadline).</summary>
    Timeout,

    /// <summary>The caller's <see cref="System.Threading.CancellationToken"/> was cancelled while the call ran.</summary>
    Cancelled,

    /// <summary>The plugin needed more memory than its page budget allows.</summary>
    OutOfMemory,

    /// <summary>The call used up its fuel.</summary>
    OutOfFuel,

    /// <summary>The plugin has no callable export of the requested name.</summary>
    ExportNotFound,

    /// <summary>The plugin reported an error through <c>error_set</c>; the message is the plugin's.</summary>
    PluginError,

    /// <summary>The export returned a non-zero code without reporting an error; see <see cref="PluginException.ExitCode"/>.</summary>
    NonZeroExitCode,

    /// <summary>The module is not valid WebAssembly, or cannot be instantiated.</summary>
    BadModule,

    /// <summary>The module imports a function the host does not provide; see <see cref="PluginException.ImportName"/>.</summary>
    MissingImport,

    /// <summary>The manifest is malformed, names a source that cannot be read, or its hash does not match.</summary>
    InvalidManifest,

    /// <summary>The instance is already running a call: re-entry, or use from a second thread.</summary>
    Busy,

    /// <summary>A plugin passed the host an argument it cannot accept: a bad handle, invalid UTF-8 or JSON, an output range outside memory.</summary>
    InvalidArgument,

    /// <summary>A size limit other than the memory budget was exceeded, such as <c>max_var_bytes</c> or <c>max_http_response_bytes</c>.</summary>
    LimitExceeded,

    /// <summary>The plugin asked for something its manifest or policy does not allow, such as HTTP to a host that is not allowed.</summary>
    PermissionDenied,

    /// <summary>An HTTP request a plugin was allowed to make failed in transport.</summary>
    HttpFailed,

    /// <summary>The instance was disposed.</summary>
    Disposed,
}
