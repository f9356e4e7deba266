using Interplug.Host.Policy;
using Interplug.Runtime;
using Microsoft.Extensions.Options;

namespace Interplug.Host.DependencyInjection;

/// <summary>
/// Checks <see cref="InterplugOptions"/> before the host is built, so that a wrong setting stops
/// the application at start-up with a message naming the setting and its value, instead of
/// failing every call later.
/// </summary>
/// <param name="settingPrefix">How the settings are named to the user: <c>Interplug:</c> for a configuration section, <c>InterplugOptions.</c> in code.</param>
internal sealed class InterplugOptionsValidator(string settingPrefix) : IValidateOptions<InterplugOptions>
{
    // wasm32 memories hold at most 4 GiB.
    private const long Wasm32Pages = 65536;

    public ValidateOptionsResult Validate(string? name, InterplugOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.PluginsPath))
            failures.Add($"{settingPrefix}{nameof(InterplugOptions.PluginsPath)} is required: the folder of the plugins");
        else if (!Directory.Exists(options.PluginsPath))
            failures.Add($"{settingPrefix}{nameof(InterplugOptions.PluginsPath)}: the folder \"{options.PluginsPath}\" does not exist");
        // The policy's own messages name its path.
        if (options.PolicyPath is { } policy && WhyNotPolicy(policy) is { } why)
            failures.Add($"{settingPrefix}{nameof(InterplugOptions.PolicyPath)}: {why}");
        AtLeast(failures, nameof(InterplugOptions.MaxLiveInstances), options.MaxLiveInstances, 1);
        AtLeast(failures, nameof(InterplugOptions.MaxMemoryPages), options.MaxMemoryPages, 1, Wasm32Pages);
        AtLeast(failures, nameof(InterplugOptions.MaxModuleBytes), options.MaxModuleBytes, 1);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void AtLeast(List<string> failures, string setting, long value, long min, long max = long.MaxValue)
    {
        if (value < min || value > max)
            failures.Add(max == long.MaxValue
                ? $"{settingPrefix}{setting} must be at least {min}; it is {value}"
                : $"{settingPrefix}{setting} must be between {min} and {max}; it is {value}");
    }

    private static string? WhyNotPolicy(string path)
    {
        try
        {
            PluginPolicy.FromFile(path);
            return null;
        }
        catch (PluginException e)
        {
            return e.Message;
        }
    }
}
