using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Interplug.Host.DependencyInjection;

/// <summary>Makes the paths of <see cref="InterplugOptions"/> absolute, relative to the content root when the application has one, else to the current directory.</summary>
/// <param name="environment">The application's environment, when it runs in a generic host.</param>
internal sealed class InterplugPaths(IHostEnvironment? environment = null) : IPostConfigureOptions<InterplugOptions>
{
    public void PostConfigure(string? name, InterplugOptions options)
    {
        var root = environment?.ContentRootPath ?? Directory.GetCurrentDirectory();
        options.PluginsPath = Resolve(root, options.PluginsPath);
        options.PolicyPath = Resolve(root, options.PolicyPath);
    }

    private static string? Resolve(string root, string? path) =>
        string.IsNullOrWhiteSpace(path) ? path : Path.GetFullPath(path, root);
}
