using Interplug.Host.Policy;
using Interplug.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Interplug.Host.Tests;

/// <summary>
/// <c>AddInterplug</c>: options bound from configuration or set in code, validated when the
/// application starts, paths relative to the content root, and a host built exactly as
/// <c>new PluginHost(options)</c> builds one (its own pooled runtime, fuel metered only when needed).
/// </summary>
public sealed class DependencyInjectionTests : IDisposable
{
    private readonly TempDir _root = new();

    public void Dispose() => _root.Dispose();

    /// <summary>An application whose configuration holds <paramref name="settings"/>, with <see cref="_root"/> as content root and Interplug bound from section "Interplug".</summary>
    private IHost App(params (string Key, string? Value)[] settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _root.Path, DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create("Interplug:" + s.Key, s.Value)));
        builder.Services.AddInterplug(builder.Configuration.GetSection("Interplug"));
        builder.Services.AddHealthChecks().AddInterplug();
        return builder.Build();
    }

    private static async Task<PluginHost> Started(IHost app)
    {
        await app.StartAsync();
        return app.Services.GetRequiredService<PluginHost>();
    }

    [Fact]
    public async Task A_configuration_section_sets_the_plugins_folder_the_policy_and_the_limits()
    {
        var policy = _root.Write("policy.json", """{ "plugins": { "run": { "spawn": ["count_vowels"] } } }""");
        using var app = App(("PluginsPath", TestHosts.Dist), ("PolicyPath", policy), ("MaxLiveInstances", "7"), ("KeepChildrenBetweenCalls", "true"));

        var host = await Started(app);

        Assert.Equal(7, host.MaxLiveInstances);
        Assert.True(host.Options.KeepChildrenBetweenCalls);
        Assert.Equal("""{"count":3,"total":3,"vowels":"aeiouAEIOU"}""", host.RunText("count_vowels", "count_vowels", "Hello World!").Replace(" ", "", StringComparison.Ordinal));
        Assert.Contains("\"count\":3", host.RunText("run", "run"), StringComparison.Ordinal);
        Assert.Same(host, app.Services.GetRequiredService<PluginHost>());
    }

    [Fact]
    public async Task Relative_paths_are_resolved_against_the_content_root()
    {
        var plugins = _root.Dir("plugins");
        File.Copy(TestHosts.DistPath("echo"), Path.Combine(plugins, "echo.wasm"));
        _root.Write("policy.json", """{ "plugins": { "echo": { "spawn": [] } } }""");
        using var app = App(("PluginsPath", "plugins"), ("PolicyPath", "policy.json"));

        var host = await Started(app);

        Assert.Equal("hi", host.RunText("echo", "echo", "hi"));
        var options = app.Services.GetRequiredService<IOptions<InterplugOptions>>().Value;
        Assert.Equal(plugins, options.PluginsPath);
        Assert.Equal(_root.File("policy.json"), options.PolicyPath);
    }

    [Theory]
    [InlineData("PluginsPath", null, "Interplug:PluginsPath is required")]
    [InlineData("PluginsPath", "no-such-folder", "Interplug:PluginsPath: the folder \"{root}/no-such-folder\" does not exist")]
    [InlineData("PolicyPath", "missing.json", "Interplug:PolicyPath: cannot read policy {root}/missing.json")]
    [InlineData("PolicyPath", "bad.json", "Interplug:PolicyPath: {root}/bad.json: invalid policy: in defaults, max_children")]
    [InlineData("MaxLiveInstances", "-1", "Interplug:MaxLiveInstances must be at least 1; it is -1")]
    [InlineData("MaxMemoryPages", "0", "Interplug:MaxMemoryPages must be between 1 and 65536; it is 0")]
    [InlineData("MaxModuleBytes", "-5", "Interplug:MaxModuleBytes must be at least 1; it is -5")]
    public async Task A_wrong_setting_stops_the_application_at_start_naming_the_setting_and_its_value(string setting, string? value, string expected)
    {
        _root.Write("bad.json", """{ "defaults": { "max_children": -3 } }""");
        var settings = new Dictionary<string, string?> { ["PluginsPath"] = TestHosts.Dist, [setting] = value };
        using var app = App([.. settings.Select(s => (s.Key, s.Value))]);

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains(expected.Replace("{root}", _root.Path, StringComparison.Ordinal), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_generic_host_options_are_validated_at_first_use_and_paths_are_relative_to_the_current_directory()
    {
        using var services = new ServiceCollection().AddInterplug(o => o.PluginsPath = "absent-plugins").BuildServiceProvider();

        var e = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<PluginHost>());

        var absent = Path.Combine(Directory.GetCurrentDirectory(), "absent-plugins");
        Assert.Contains($"InterplugOptions.PluginsPath: the folder \"{absent}\" does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_host_gets_its_own_pooled_runtime_sized_by_MaxMemoryPages()
    {
        // A module that declares 16 pages of memory up front: more than a pool slot of 8 pages holds.
        var plugins = _root.Dir("plugins");
        File.WriteAllText(Path.Combine(plugins, "sixteen_pages.wasm"), """(module (memory (export "memory") 16) (func (export "run") (result i32) (i32.const 0)))""");
        using var small = new ServiceCollection().AddInterplug(o => { o.PluginsPath = plugins; o.MaxMemoryPages = 8; }).BuildServiceProvider();
        using var large = new ServiceCollection().AddInterplug(o => o.PluginsPath = plugins).BuildServiceProvider();

        var e = TestHosts.Fails(PluginErrorKind.QuotaExceeded, () => small.GetRequiredService<PluginHost>().Run("sixteen_pages", "run", []));
        Assert.Contains("instance pool", e.Message, StringComparison.Ordinal);
        Assert.Empty(large.GetRequiredService<PluginHost>().Run("sixteen_pages", "run", []));
    }

    [Fact]
    public void Fuel_is_metered_when_the_policy_or_MeterFuel_asks_for_it_and_not_otherwise()
    {
        var fuelPolicy = _root.Write("fuel.json", """{ "plugins": { "loop_forever": { "fuel": 1000000 } } }""");
        using var byPolicy = new ServiceCollection().AddInterplug(o => { o.PluginsPath = TestHosts.Dist; o.PolicyPath = fuelPolicy; }).BuildServiceProvider();
        using var byOption = new ServiceCollection().AddInterplug(o => { o.PluginsPath = TestHosts.Dist; o.MeterFuel = true; }).BuildServiceProvider();
        using var unmetered = new ServiceCollection().AddInterplug(o => o.PluginsPath = TestHosts.Dist).BuildServiceProvider();
        var limit = new PolicyRule { Fuel = 1_000_000 };

        TestHosts.Fails(PluginErrorKind.OutOfFuel, () => byPolicy.GetRequiredService<PluginHost>().RunText("loop_forever", "loop_forever"));
        using (var looping = byOption.GetRequiredService<PluginHost>().Start("loop_forever", limit))
            TestHosts.Fails(PluginErrorKind.OutOfFuel, () => looping.Call("loop_forever", []));
        var e = Assert.Throws<ArgumentException>(() => unmetered.GetRequiredService<PluginHost>().Start("loop_forever", limit));
        Assert.Contains("MeterFuel", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_host_is_also_the_containers_IPluginHost_so_code_written_against_the_abstraction_runs_on_it()
    {
        using var services = new ServiceCollection().AddInterplug(_ => new PluginHostOptions { Catalog = TestHosts.Catalog() }).BuildServiceProvider();

        var abstraction = services.GetRequiredService<IPluginHost>();
        await using var process = await abstraction.StartAsync("echo");

        Assert.Same(services.GetRequiredService<PluginHost>(), abstraction);
        Assert.Equal("hi"u8.ToArray(), await process.CallAsync("echo", "hi"u8.ToArray()));
    }

    [Fact]
    public void Options_built_in_code_give_a_host_the_container_disposes()
    {
        var services = new ServiceCollection()
            .AddInterplug(_ => new PluginHostOptions { Catalog = TestHosts.Catalog(), MaxLiveInstances = 3 })
            .BuildServiceProvider();
        var host = services.GetRequiredService<PluginHost>();
        Assert.Equal(3, host.MaxLiveInstances);

        services.Dispose();

        Assert.Throws<ObjectDisposedException>(() => host.Start("echo"));
    }

    [Fact]
    public async Task The_health_check_is_healthy_with_room_degraded_near_the_instance_limit_and_unhealthy_once_disposed()
    {
        using var app = App(("PluginsPath", TestHosts.Dist), ("MaxLiveInstances", "10"));
        var host = await Started(app);
        var health = app.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>();
        async Task<(string Status, string? Description)> Check()
        {
            var entry = (await health.CheckHealthAsync()).Entries["interplug"];
            return (entry.Status.ToString(), entry.Description);
        }

        Assert.Equal(("Healthy", "0 of 10 plugin instances live"), await Check());
        var processes = Enumerable.Range(0, 9).Select(_ => host.Start("echo")).ToList();
        Assert.Equal(("Degraded", "9 of 10 plugin instances live"), await Check());
        processes.ForEach(p => p.Dispose());
        Assert.Equal("Healthy", (await Check()).Status);
        host.Dispose();
        Assert.Equal(("Unhealthy", "the plugin host was disposed"), await Check());
    }
}
