using Interplug.Host.Policy;
using Interplug.Runtime;

namespace Interplug.Host.Tests;

/// <summary>Policy key <c>placement</c>: parsed and checked like every key; the embedded host runs every child locally.</summary>
public sealed class PlacementTests
{
    [Fact]
    public void Placement_parses_local_and_spread_and_defaults_to_unset()
    {
        var policy = PluginPolicy.Parse("""
            { "defaults": { "placement": "local" },
              "plugins": { "a": { "placement": "spread" }, "b": { "placement": "local" }, "c": {} } }
            """);

        Assert.Equal(PluginPlacement.Local, policy.Defaults.Placement);
        Assert.Equal(PluginPlacement.Spread, policy.Plugins["a"].Placement);
        Assert.Equal(PluginPlacement.Local, policy.Plugins["b"].Placement);
        Assert.Null(policy.Plugins["c"].Placement);
    }

    [Theory]
    [InlineData("\"far\"", "far")]
    [InlineData("\"Spread\"", "Spread")]
    [InlineData("1", "Number")]
    [InlineData("true", "True")]
    public void A_placement_other_than_local_or_spread_fails_to_parse_naming_the_rule_the_key_and_the_value(string value, string shown)
    {
        var e = TestHosts.Fails(PluginErrorKind.InvalidArgument, () => PluginPolicy.Parse($$"""{ "plugins": { "count_vowels": { "placement": {{value}} } } }"""));

        Assert.StartsWith("invalid policy: in plugins[\"count_vowels\"], placement must be \"local\" or \"spread\"", e.Message);
        Assert.Contains($"Actual value was {shown}.", e.Message);
    }

    [Fact]
    public void A_policy_file_with_a_bad_placement_is_refused_naming_the_file()
    {
        using var dir = new TempDir();
        var path = dir.File("policy.json");
        File.WriteAllText(path, """{ "plugins": { "run": { "placement": "elsewhere" } } }""");

        var e = TestHosts.Fails(PluginErrorKind.InvalidArgument, () => PluginPolicy.FromFile(path));

        Assert.StartsWith($"{path}: invalid policy: in plugins[\"run\"], placement must be", e.Message);
        Assert.Contains("elsewhere", e.Message);
    }

    [Fact]
    public void The_embedded_host_runs_a_spread_child_locally_with_the_same_output()
    {
        using var host = TestHosts.Host(PluginPolicy.Parse("""
            { "plugins": { "run": { "spawn": ["count_vowels"] }, "count_vowels": { "placement": "spread" } } }
            """));

        var output = host.RunText("run", "run");

        Assert.Contains("\"count\":3", output);
        Assert.Equal(0, host.LiveInstances);
    }
}
