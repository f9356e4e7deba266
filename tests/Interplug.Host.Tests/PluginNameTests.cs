using System.Text;
using Interplug.Host.Catalog;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Host.Tests;

/// <summary>A plugin name becomes part of a file path, so a name can never reach outside the catalog's folder.</summary>
public sealed class PluginNameTests : IDisposable
{
    private static readonly string LongName = new('a', 200);

    private readonly TempDir _dir = new();
    private readonly string _folder;

    public PluginNameTests()
    {
        // <tmp>/plugins is the catalog. Plugins named like the traversals sit outside it or in a
        // subfolder: had one loaded, relay would fail to find its `chain` export (ExportNotFound).
        _folder = Directory.CreateDirectory(_dir.File("plugins")).FullName;
        File.Copy(TestHosts.DistPath("relay"), Path.Combine(_folder, "relay.wasm"));
        File.Copy(TestHosts.DistPath("echo"), _dir.File("x.wasm"));
        File.Copy(TestHosts.DistPath("echo"), _dir.File(".wasm"));
        Directory.CreateDirectory(Path.Combine(_folder, "a"));
        File.Copy(TestHosts.DistPath("echo"), Path.Combine(_folder, "a", "b.wasm"));
        File.Copy(TestHosts.DistPath("echo"), Path.Combine(_folder, "...wasm"));
        File.Copy(TestHosts.DistPath("echo"), Path.Combine(_folder, LongName[..100] + ".wasm"));
    }

    public void Dispose() => _dir.Dispose();

    private PluginHost Host() => TestHosts.Host(catalog: new PluginCatalog().AddDirectory(_folder).Add("driver", TestHosts.Driver));

    public static TheoryData<string> Traversals => new()
    {
        "../x", "a/b", "..", "../", "/etc/passwd", "..\\x", "a\\b", ".wasm", "x/../relay", "\0", "relay\0", LongName,
    };

    [Theory]
    [MemberData(nameof(Traversals))]
    public void A_plugin_spawning_a_path_gets_InvalidArgument(string name)
    {
        using var host = Host();

        var e = TestHosts.Fails(PluginErrorKind.InvalidArgument, () => host.RunText("relay", "chain", name));
        Assert.StartsWith("relay: invalid plugin name", e.Message);
        Assert.Equal(PluginErrorOrigin.Plugin, e.Origin);
        Assert.StartsWith("error -13: invalid plugin name", host.RunText("relay", "try_chain", name));
        Assert.Equal(0, host.LiveInstances);
    }

    [Theory]
    [MemberData(nameof(Traversals))]
    public void The_application_starting_a_path_gets_InvalidArgument_and_configuring_one_is_a_bad_argument(string name)
    {
        using var host = Host();

        TestHosts.Fails(PluginErrorKind.InvalidArgument, () => host.Start(name));
        Assert.Throws<ArgumentException>(() => new PluginCatalog().Add(name, TestHosts.Driver));
        Assert.Throws<ArgumentException>(() => new PluginCatalog().Pin(name, "00"));
        TestHosts.Fails(PluginErrorKind.InvalidArgument, () => new PluginCatalog().AddDirectory(_folder).Contains(name));
    }

    [Fact]
    public void A_name_that_is_not_UTF8_gets_InvalidArgument()
    {
        using var host = Host();
        byte[] input = [0xff, 0xfe, (byte)'.', (byte)'.', (byte)'/', (byte)'x', (byte)' ', (byte)'e'];

        var e = Assert.Throws<PluginException>(() => host.Run("driver", "chain", input));
        Assert.Equal(PluginErrorKind.InvalidArgument, e.Kind);
        var output = Encoding.UTF8.GetString(host.Run("driver", "try_chain", input));
        Assert.StartsWith("error -13: ", output);
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void A_valid_name_still_resolves_inside_the_folder()
    {
        using var host = Host();

        Assert.Equal("relay(end)", host.RunText("relay", "chain", "relay"));
    }

    [Theory]
    [InlineData("echo")]
    [InlineData("relay_rs")]
    [InlineData("count-vowels.v2")]
    [InlineData("A1")]
    [InlineData("x.")]
    [InlineData("_")]
    public void Validate_accepts_letters_digits_underscore_dash_and_dot(string name)
    {
        PluginName.Validate(name);
    }

    [Fact]
    public void Validate_accepts_exactly_128_characters()
    {
        PluginName.Validate(new string('a', PluginName.MaxLength));
        var e = TestHosts.Fails(PluginErrorKind.InvalidArgument, () => PluginName.Validate(new string('a', PluginName.MaxLength + 1)));
        Assert.Contains("longer than 128 characters", e.Message);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("..", "contains \"..\"")]
    [InlineData("a..b", "contains \"..\"")]
    [InlineData("../x", "contains \"..\"")]
    [InlineData(".hidden", "starts with \".\"")]
    [InlineData("a/b", "contains a path separator")]
    [InlineData("a\\b", "contains a path separator")]
    [InlineData("/etc", "contains a path separator")]
    [InlineData("a b", "may only contain")]
    [InlineData("é", "may only contain")]
    [InlineData("a\0", "may only contain")]
    [InlineData("a:b", "may only contain")]
    [InlineData("*", "may only contain")]
    public void Validate_rejects_names_naming_the_rule_broken(string name, string problem)
    {
        var e = TestHosts.Fails(PluginErrorKind.InvalidArgument, () => PluginName.Validate(name));

        Assert.Contains(problem, e.Message);
        Assert.DoesNotContain("\0", e.Message);
    }

    [Fact]
    public void The_directory_source_itself_stays_inside_its_folder_for_valid_names()
    {
        var source = new DirectoryPluginSource(_folder);

        Assert.True(source.TryResolve("relay", out var manifest));
        var path = Assert.Single(manifest.Wasm).Path!;
        Assert.Equal(_folder, Path.GetDirectoryName(path));
        Assert.False(source.TryResolve("missing", out _));
        Assert.IsType<Manifest>(manifest);
    }
}
