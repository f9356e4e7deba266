using Interplug.Runtime;

namespace Interplug.Host;

/// <summary>A catalog plugin that failed to compile during <see cref="PluginHost.WarmUp"/>.</summary>
/// <param name="Name">The plugin's catalog name.</param>
/// <param name="Error">Why it failed, as a start of it would have reported.</param>
public sealed record WarmUpFailure(string Name, PluginException Error);
