using System.Diagnostics.CodeAnalysis;
using Interplug.Runtime;

namespace Interplug.Host;

/// <summary>
/// A top-level process that an <see cref="IPluginHost"/> started. Disposing it frees it and
/// everything it spawned; a call still running then fails with <see cref="PluginErrorKind.Disposed"/>.
/// </summary>
public interface IPluginProcess : IAsyncDisposable
{
    /// <summary>The plugin's catalog name.</summary>
    string Name { get; }

    /// <summary>
    /// Calls an export as a top-level call: the process's policy timeout is the deadline of the
    /// whole chain it starts. Calls are made one at a time per process.
    /// </summary>
    /// <param name="export">The export's name.</param>
    /// <param name="input">Input bytes; read before the returned task completes, and not after.</param>
    /// <param name="cancellationToken">Cancels the whole call chain; the task then fails with <see cref="PluginErrorKind.Cancelled"/>.</param>
    /// <returns>The export's output.</returns>
    /// <exception cref="PluginException">The call failed; <see cref="PluginException.Kind"/> says why, <see cref="PluginErrorKind.Unavailable"/> when the machine running the process stopped answering (the process is then gone).</exception>
    [SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "export is the Extism ABI's word, used by every call API of Interplug")]
    Task<byte[]> CallAsync(string export, ReadOnlyMemory<byte> input, CancellationToken cancellationToken = default);
}
