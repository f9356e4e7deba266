using System.IO.Compression;
using System.Xml.Linq;

namespace Interplug.Packaging.Tests;

/// <summary>
/// The packages <c>make pack</c> produces work for a user who has nothing but them and NuGet: a
/// fresh console project runs a plugin through Interplug.Host, and the <c>interplug</c> tool
/// installs and calls one.
/// </summary>
public sealed class PackageTests(PackedRepository packed) : IClassFixture<PackedRepository>
{
    private static string CountVowels => Path.Combine(RepoPaths.PluginsDist, "count_vowels.wasm");

    [Theory]
    [InlineData("Interplug.Runtime")]
    [InlineData("Interplug.Host")]
    public void A_library_package_has_its_licence_readme_repository_docs_and_symbols(string id)
    {
        using var package = ZipFile.OpenRead(packed.Package(id));
        var nuspec = Nuspec(package, id);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;

        Assert.Equal("MIT", metadata.Element(ns + "license")?.Value);
        Assert.Equal("Interplug contributors", metadata.Element(ns + "authors")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value));
        Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
        Assert.Equal("git", metadata.Element(ns + "repository")?.Attribute("type")?.Value);
        Assert.Contains(package.Entries, e => e.FullName == "README.md");
        Assert.Contains(package.Entries, e => e.FullName == "LICENSE");
        Assert.Contains(package.Entries, e => e.FullName == $"lib/net10.0/{id}.dll");
        Assert.Contains(package.Entries, e => e.FullName == $"lib/net10.0/{id}.xml");
        using var symbols = ZipFile.OpenRead(packed.Package(id, "snupkg"));
        Assert.Contains(symbols.Entries, e => e.FullName == $"lib/net10.0/{id}.pdb");
    }

    [Fact]
    public void The_host_package_depends_on_the_runtime_package_of_the_same_version()
    {
        using var package = ZipFile.OpenRead(packed.Package("Interplug.Host"));
        var nuspec = Nuspec(package, "Interplug.Host");

        var runtime = nuspec.Descendants().Single(e => e.Name.LocalName == "dependency" && e.Attribute("id")?.Value == "Interplug.Runtime");
        Assert.Equal(packed.Version, runtime.Attribute("version")?.Value);
    }

    [Fact]
    public void A_fresh_console_project_references_Interplug_Host_from_the_packages_and_runs_a_plugin()
    {
        var app = packed.Dir("app");
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="interplug" value="{packed.Packages}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Interplug.Host" Version="{packed.Version}" />
                <PackageReference Include="Microsoft.Extensions.DependencyInjection" Version="{PackedRepository.MicrosoftExtensionsVersion}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using System.Text;
            using Interplug.Host;
            using Interplug.Host.Catalog;
            using Microsoft.Extensions.DependencyInjection;

            using (var host = new PluginHost(new PluginHostOptions { Catalog = new PluginCatalog().AddDirectory(args[0]) }))
                Console.WriteLine(Encoding.UTF8.GetString(host.Run("count_vowels", "count_vowels", "Hello World!"u8)));

            using var services = new ServiceCollection().AddInterplug(o => o.PluginsPath = args[0]).BuildServiceProvider();
            Console.WriteLine(Encoding.UTF8.GetString(services.GetRequiredService<PluginHost>().Run("count_vowels", "count_vowels", "Hello again"u8)));
            """);

        var run = DotnetProcess.Succeeds("dotnet", app, "run", "-c", "Release", "--", RepoPaths.PluginsDist);

        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("\"count\":3", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"count\":5", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void The_interplug_tool_installs_from_the_packages_and_calls_a_plugin()
    {
        var tools = packed.Dir("tools");
        DotnetProcess.Succeeds("dotnet", tools, "tool", "install", "interplug", "--tool-path", tools, "--add-source", packed.Packages, "--version", packed.Version);

        var call = DotnetProcess.Succeeds(Path.Combine(tools, "interplug"), tools, "call", CountVowels, "count_vowels", "--input", "Hello World!");

        Assert.Contains("\"count\":3", call.Stdout, StringComparison.Ordinal);
    }

    private static XDocument Nuspec(ZipArchive package, string id)
    {
        using var stream = package.GetEntry($"{id}.nuspec")!.Open();
        return XDocument.Load(stream);
    }
}
