using System.Diagnostics.CodeAnalysis;
using Interplug.Runtime;

namespace Interplug.Host;

/// <summary>
/// Where an application starts plugin processes and calls them, whether they run in this process
/// (<see cref="PluginHost"/>) or on a cluster (Interplug.Orleans' <c>ClusterPluginHost</c>): code
/// written against this interface runs unchanged on either. Every method is asynchronous, since a
/// cluster answers over the network. Thread-safe.
/// </summary>
/// <example>
/// <code>
/// IPluginHost host = new PluginHost(options);          // or services.GetRequiredService&lt;IPluginHost&gt;() on a cluster client
/// byte[] output = await host.RunAsync("run", "run", ReadOnlyMemory&lt;byte&gt;.Empty);
///
/// await using var process = await host.StartAsync("count_vowels");
/// byte[] counted = await process.CallAsync("count_vowels", "Hello"u8.ToArray());
/// </code>
/// </example>
public interface IPluginHost
{
    /// <summary>Starts a process, makes one top-level call and frees the process and everything it spawned.</summary>
    /// <param name="name">The plugin's catalog name.</param>
    /// <param name="export">The export to call.</param>
    /// <param name="input">Input bytes; read before the returned task completes, and not after.</param>
    /// <param name="cancellationToken">Cancels the whole call chain; the task then fails with <see cref="PluginErrorKind.Cancelled"/>.</param>
    /// <returns>The export's output.</returns>
    /// <exception cref="PluginException">Starting or calling failed; <see cref="PluginException.Kind"/> says why, <see cref="PluginErrorKind.Unavailable"/> when the machine running it stopped answering.</exception>
    [SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "export is the Extism ABI's word, used by every call API of Interplug")]
    Task<byte[]> RunAsync(string name, string export, ReadOnlyMemory<byte> input, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a top-level process that lives until it is disposed, so that several calls share its
    /// state (vars, and what it spawned when children are kept between calls).
    /// </summary>
    /// <param name="name">The plugin's catalog name.</param>
    /// <param name="cancellationToken">Stops waiting for the start; the process, if it started anyway, is freed.</param>
    /// <returns>The process; dispose it to free it and everything it spawned.</returns>
    /// <exception cref="PluginException">The name is invalid or unknown, the plugin does not compile or instantiate, the host is full, or (<see cref="PluginErrorKind.Unavailable"/>) the machine chosen for it stopped answering.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the process started.</exception>
    Task<IPluginProcess> StartAsync(string name, CancellationToken cancellationToken = default);
}
