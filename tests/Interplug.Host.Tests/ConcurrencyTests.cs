using Interplug.Runtime;

namespace Interplug.Host.Tests;

/// <summary>Independent top-level calls run in parallel; one process tree runs one call at a time.</summary>
public class ConcurrencyTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Two_threads_running_independent_chains_at_once_all_get_their_answers()
    {
        using var host = TestHosts.Host();
        using var bothReady = new Barrier(2);

        string[] Chains()
        {
            bothReady.SignalAndWait(HangGuard);
            var outputs = new string[200];
            for (var i = 0; i < outputs.Length; i++)
                outputs[i] = host.RunText("relay", "chain", "relay,relay");
            return outputs;
        }

        var results = await Task.WhenAll(
            Task.Factory.StartNew(Chains, TaskCreationOptions.LongRunning),
            Task.Factory.StartNew(Chains, TaskCreationOptions.LongRunning)).WaitAsync(HangGuard);

        Assert.All(results.SelectMany(r => r), output => Assert.Equal("relay(relay(end))", output));
        Assert.Equal(400, results.Sum(r => r.Length));
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public async Task Started_processes_on_different_threads_keep_their_own_children()
    {
        using var host = TestHosts.Host(keepChildren: true);

        string Work(int n)
        {
            using var relay = host.Start("relay");
            Assert.Equal("spawned 1", relay.CallText("spawn_many", "1 echo"));
            var last = "";
            for (var i = 0; i < 100; i++)
                last = relay.CallText("call_id", $"1 echo {n}:{i}");
            return last;
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(n => Task.Run(() => Work(n)))).WaitAsync(HangGuard);

        Assert.Equal(["0:99", "1:99", "2:99", "3:99"], results);
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public async Task A_second_call_into_a_busy_process_fails_with_Busy_and_leaves_the_running_call_alone()
    {
        using var host = TestHosts.Host();
        using var driver = host.Start("driver");
        using var cancel = new CancellationTokenSource();
        var running = Task.Run(() => driver.CallText("chain", "loop_forever loop_forever", cancel.Token));
        // LiveInstances counts the child's slot before it is instantiated and linked, so wait for the link itself.
        TestHosts.WaitUntil(() => driver.ChildCount == 1 || running.IsCompleted, "the driver spawned loop_forever");

        TestHosts.Fails(PluginErrorKind.Busy, () => driver.CallText("chain", "echo echo hi"));

        Assert.Equal(2, host.LiveInstances); // the running call's child is untouched
        Assert.Equal(1, driver.ChildCount);
        await cancel.CancelAsync();
        var e = await Assert.ThrowsAsync<PluginException>(() => running.WaitAsync(HangGuard));
        Assert.Equal(PluginErrorKind.Cancelled, e.Kind);
        Assert.Equal(1, host.LiveInstances);
        Assert.Equal(0, driver.ChildCount);
        Assert.Equal(0, driver.DescendantCount);
        Assert.Equal("hi", driver.CallText("chain", "echo echo hi"));
    }
}
