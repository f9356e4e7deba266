using System.Diagnostics;
using System.Text;
using Interplug.Host;
using Interplug.Orleans;
using Interplug.Runtime;

namespace Interplug.Orleans.Tests;

/// <summary>The same application code against the embedded host and against a cluster of three silos.</summary>
[Collection(SharedCluster.Name)]
public sealed class ClusterHostTests(ClusterFixture cluster)
{
    private static readonly TimeSpan Patience = ClusterFixture.Patience;

    /// <summary>Application code that knows only <see cref="IPluginHost"/>: the seed demo, then two calls on one process.</summary>
    private static async Task<string[]> Demo(IPluginHost host)
    {
        var demo = await host.RunAsync("run", "run", ReadOnlyMemory<byte>.Empty);
        await using var counter = await host.StartAsync("count_vowels");
        var first = await counter.CallAsync("count_vowels", "Hello"u8.ToArray());
        var second = await counter.CallAsync("count_vowels", "World"u8.ToArray());
        return [Encoding.UTF8.GetString(demo), Encoding.UTF8.GetString(first), Encoding.UTF8.GetString(second)];
    }

    [Fact]
    public async Task The_seed_demo_and_a_long_lived_process_give_the_same_outputs_on_the_cluster_as_embedded()
    {
        using var embedded = new PluginHost(ClusterFixture.Options);

        var expected = await Demo(embedded).WaitAsync(Patience);
        var actual = await Demo(cluster.Host).WaitAsync(Patience);

        Assert.Contains("\"count\":3", expected[0]);
        Assert.Contains("\"total\":3", expected[2]); // the process kept its var between calls
        Assert.Equal(expected, actual);
    }

    public static TheoryData<string, string, string, string> Failures => new()
    {
        { "relay", "chain", "trap", "ExportNotFound | relay → trap: " },
        { "relay", "chain", "relay,relay,nope", "NotFound | relay → relay → relay: " },
        { "relay", "self_call", "", "output: " }, // try_call_plugin turns the depth limit into output
        { "trap", "trap", "", "Trap | " },
        { "trap", "fail", "", "PluginError | deliberate failure" },
        { "trap", "exit_code", "", "NonZeroExitCode | " },
        { "nope", "run", "", "NotFound | " },
        { "no such name", "run", "", "InvalidArgument | " },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_failure_arrives_from_a_silo_as_the_embedded_host_reports_it(string plugin, string export, string input, string start)
    {
        using var embedded = new PluginHost(ClusterFixture.Options);

        var expected = await Outcome(embedded, plugin, export, input);
        var actual = await Outcome(cluster.Host, plugin, export, input);

        Assert.StartsWith(start, expected);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task A_call_chain_failure_keeps_its_kind_chain_and_message_across_the_grain_boundary()
    {
        var e = await Assert.ThrowsAsync<PluginException>(() => cluster.Host.RunAsync("relay", "chain", "relay,trap"u8.ToArray()).WaitAsync(Patience));

        Assert.Equal(PluginErrorKind.ExportNotFound, e.Kind);
        Assert.Equal("relay → relay → trap", e.CallChain);
        Assert.StartsWith("relay → relay → trap: ", e.Message);
    }

    [Fact]
    public async Task The_policy_timeout_of_a_top_level_call_holds_on_the_cluster()
    {
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<PluginException>(() => cluster.Host.RunAsync("loop_forever", "loop_forever", ReadOnlyMemory<byte>.Empty).WaitAsync(Patience));

        Assert.Equal(PluginErrorKind.Timeout, e.Kind);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"a 500 ms deadline took {clock.Elapsed}");
    }

    [Fact]
    public async Task Cancelling_a_call_on_the_cluster_fails_it_as_cancelled_and_stops_the_plugin_on_its_silo()
    {
        await using var process = await cluster.Host.StartAsync("spin").WaitAsync(Patience);
        using var cancel = new CancellationTokenSource();
        var call = process.CallAsync("loop_forever", ReadOnlyMemory<byte>.Empty, cancel.Token);
        await WaitUntil(() => cluster.Running.Of("spin") == 1, "the call runs");

        await cancel.CancelAsync();

        var e = await Assert.ThrowsAsync<PluginException>(() => call.WaitAsync(Patience));
        Assert.Equal(PluginErrorKind.Cancelled, e.Kind);
        await WaitUntil(() => cluster.Running.Of("spin") == 0, "the silo stopped the plugin");
    }

    [Fact]
    public async Task Freeing_a_process_frees_it_on_its_silo_and_fails_its_running_call_as_disposed()
    {
        var process = await cluster.Host.StartAsync("spin").WaitAsync(Patience);
        var call = process.CallAsync("loop_forever", ReadOnlyMemory<byte>.Empty);
        await WaitUntil(() => cluster.Running.Of("spin") == 1, "the call runs");

        await process.DisposeAsync().AsTask().WaitAsync(Patience);

        var e = await Assert.ThrowsAsync<PluginException>(() => call.WaitAsync(Patience));
        Assert.Equal(PluginErrorKind.Disposed, e.Kind);
        var after = await Assert.ThrowsAsync<PluginException>(() => process.CallAsync("loop_forever", ReadOnlyMemory<byte>.Empty).WaitAsync(Patience));
        Assert.Equal(PluginErrorKind.Disposed, after.Kind);
        await WaitUntil(() => cluster.LiveInstances == 0, "every silo freed its instances");
    }

    [Fact]
    public async Task A_hundred_concurrent_runs_all_complete_with_the_embedded_output()
    {
        using var embedded = new PluginHost(ClusterFixture.Options);
        var expected = await embedded.RunAsync("run", "run", ReadOnlyMemory<byte>.Empty).WaitAsync(Patience);

        var runs = Enumerable.Range(0, 100).Select(_ => cluster.Host.RunAsync("run", "run", ReadOnlyMemory<byte>.Empty));
        var outputs = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromMinutes(3));

        Assert.All(outputs, output => Assert.Equal(expected, output));
        await WaitUntil(() => cluster.LiveInstances == 0, "every silo freed its instances");
    }

    private static async Task<string> Outcome(IPluginHost host, string plugin, string export, string input)
    {
        try
        {
            return "output: " + Encoding.UTF8.GetString(await host.RunAsync(plugin, export, Encoding.UTF8.GetBytes(input)).WaitAsync(Patience));
        }
        catch (PluginException e)
        {
            return $"{e.Kind} | {e.Message} | chain {e.CallChain} | export {e.ExportName} | import {e.ImportName} | exit {e.ExitCode}";
        }
    }

    /// <summary>Polls until the condition holds; a hang guard, not a timing assertion.</summary>
    internal static async Task WaitUntil(Func<bool> condition, string what)
    {
        var guard = Stopwatch.StartNew();
        while (!condition())
        {
            if (guard.Elapsed > Patience)
                throw new TimeoutException($"gave up waiting until {what}");
            await Task.Delay(10);
        }
    }
}
