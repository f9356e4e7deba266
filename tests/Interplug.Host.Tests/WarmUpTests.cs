using System.Text;
using Interplug.Host.Catalog;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Host.Tests;

/// <summary><see cref="PluginHost.WarmUp"/> compiles the catalog up front and reports the plugins that fail, without throwing for them.</summary>
public sealed class WarmUpTests
{
    [Fact]
    public void Warm_up_compiles_every_listed_plugin_and_reports_the_ones_that_fail()
    {
        using var dir = new TempDir();
        File.Copy(TestHosts.DistPath("echo"), dir.File("echo.wasm"));
        File.Copy(TestHosts.DistPath("count_vowels"), dir.File("count_vowels.wasm"));
        dir.Write("broken.wasm", "\0asm but not really"u8.ToArray());
        dir.Write("wants_clock.json", """{ "wasm": [{ "data": "KG1vZHVsZSAoaW1wb3J0ICJleHRpc206aG9zdC91c2VyIiAibm93X21zIiAoZnVuYyAocmVzdWx0IGk2NCkpKSk=" }] }""");
        var catalog = new PluginCatalog().AddDirectory(dir.Path).Add("inline", Manifest.FromBytes(Encoding.UTF8.GetBytes("(module)")));
        using var host = TestHosts.Host(catalog: catalog);

        var report = host.WarmUp();

        Assert.Equal(["count_vowels", "echo", "inline"], report.Compiled);
        Assert.Equal(["broken", "wants_clock"], report.Failures.Select(f => f.Name));
        Assert.Equal(PluginErrorKind.BadModule, report.Failures[0].Error.Kind);
        Assert.Equal(PluginErrorKind.MissingImport, report.Failures[1].Error.Kind);
        Assert.Equal("extism:host/user::now_ms", report.Failures[1].Error.ImportName);
    }

    [Fact]
    public void A_start_after_warm_up_finds_the_plugin_compiled()
    {
        using var dir = new TempDir();
        File.Copy(TestHosts.DistPath("echo"), dir.File("echo.wasm"));
        using var host = TestHosts.Host(catalog: new PluginCatalog().AddDirectory(dir.Path));

        Assert.Empty(host.WarmUp().Failures);
        File.Delete(dir.File("echo.wasm"));

        Assert.Equal("still here", host.RunText("echo", "echo", "still here"));
    }

    [Fact]
    public void A_plugin_that_failed_to_warm_up_compiles_again_once_fixed()
    {
        using var dir = new TempDir();
        dir.Write("echo.wasm", "not wasm"u8.ToArray());
        using var host = TestHosts.Host(catalog: new PluginCatalog().AddDirectory(dir.Path));

        Assert.Equal("echo", Assert.Single(host.WarmUp().Failures).Name);
        File.Copy(TestHosts.DistPath("echo"), dir.File("echo.wasm"), overwrite: true);

        Assert.Equal("fixed", host.RunText("echo", "echo", "fixed"));
    }

    [Fact]
    public void A_cancelled_warm_up_throws_OperationCanceledException()
    {
        using var host = TestHosts.Host();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => host.WarmUp(cancelled.Token));
    }

    [Fact]
    public void Warm_up_of_a_disposed_host_throws_ObjectDisposedException()
    {
        var host = TestHosts.Host();
        host.Dispose();

        Assert.Throws<ObjectDisposedException>(() => host.WarmUp());
    }

    [Fact]
    public void The_catalog_lists_folder_plugins_once_and_in_code_plugins_after_them()
    {
        using var dir = new TempDir();
        dir.Write("b.wasm", [0]);
        dir.Write("b.json", "{}");
        dir.Write("a.json", "{}");
        dir.Write(".hidden.wasm", [0]);
        dir.Write("notes.txt", "");
        var catalog = new PluginCatalog().AddDirectory(dir.Path).Add("c", Manifest.FromBytes(new byte[] { 0 })).Add("a", Manifest.FromBytes(new byte[] { 0 }));

        Assert.Equal(["a", "b", "c"], catalog.Names());
    }

    [Fact]
    public void A_missing_plugin_folder_is_refused_when_added_naming_it()
    {
        var missing = Path.Combine(Path.GetTempPath(), "interplug-no-such-folder-" + Guid.NewGuid().ToString("N"));

        var e = Assert.Throws<DirectoryNotFoundException>(() => new PluginCatalog().AddDirectory(missing));

        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }
}
