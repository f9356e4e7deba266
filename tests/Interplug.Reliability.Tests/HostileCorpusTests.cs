using Interplug.Reliability.Hostile;
using Interplug.Runtime;

namespace Interplug.Reliability.Tests;

/// <summary>Each hostile plugin gets its typed error; the host keeps serving and a sibling keeps its state.</summary>
public sealed class HostileCorpusTests : IDisposable
{
    private readonly string _preopen = Directory.CreateTempSubdirectory("interplug-hostile-").FullName;

    public static TheoryData<string> Names => [.. HostileCorpus.All.Select(p => p.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void A_hostile_plugin_gets_its_typed_error_and_harms_nobody(string name)
    {
        var hostile = HostileCorpus.All.Single(p => p.Name == name);
        using var host = HostileCorpus.CreateHost(_preopen);
        using var sibling = host.Start("sibling");
        Assert.Contains("\"total\":3", System.Text.Encoding.UTF8.GetString(sibling.Call("count_vowels", "Hello, World!"u8)));

        using var cancel = new CancellationTokenSource();
        if (hostile.CancelAfter50Ms)
            cancel.CancelAfter(50);
        byte[] Run() => host.Run(hostile.Name, hostile.Export, System.Text.Encoding.UTF8.GetBytes(hostile.Input), cancel.Token);
        if (hostile.Expected is { } expected)
        {
            var e = Assert.Throws<PluginException>(() => Run());
            Assert.True(e.Kind == expected, $"{hostile.Name} ({hostile.Abuse}): expected {expected}, got {e.Kind}: {e.Message}");
            Assert.Null(hostile.Check?.Invoke(e));
        }
        else
        {
            Assert.Equal(hostile.ExpectedOutput, System.Text.Encoding.UTF8.GetString(Run()));
        }
        Assert.Equal("still here", System.Text.Encoding.UTF8.GetString(host.Run("echo", "echo", "still here"u8)));
        Assert.Contains("\"total\":6", System.Text.Encoding.UTF8.GetString(sibling.Call("count_vowels", "Hello, World!"u8)));
        Assert.Equal(1, host.LiveInstances);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_preopen));
    }

    [Fact]
    public void The_corpus_covers_every_abuse_once()
    {
        Assert.Equal(HostileCorpus.All.Count, HostileCorpus.All.Select(p => p.Name).Distinct().Count());
        Assert.True(HostileCorpus.All.Count >= 20);
    }

    public void Dispose() => Directory.Delete(_preopen, recursive: true);
}
