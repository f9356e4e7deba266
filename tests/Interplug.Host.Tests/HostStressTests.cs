using Interplug.Host.Policy;
using Interplug.Runtime;

namespace Interplug.Host.Tests;

/// <summary>
/// Several threads start, call and dispose shared top-level processes at random, while plugins
/// spawn, keep, free and lose children (a child that times out is stopped). After every round the
/// host's bookkeeping must match the processes actually alive, and after the last nothing may
/// remain. Seeded, so a failing round can be replayed.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class HostStressTests
{
    private const int Threads = 4;
    private const int Rounds = 4;
    private const int OperationsPerThread = 40;
    private const int MaxRoots = 24;
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    private static readonly PluginPolicy Policy = TestHosts.Policy(
        ("loop_forever", new PolicyRule { TimeoutMs = 30 }),
        ("*", TestHosts.SpawnAll));

    // Export and input per call, a root of the given plugin: spawns kept or freed, chains, frees, a child that times out.
    private static readonly (string Plugin, string Export, string Input)[] Calls =
    [
        ("relay", "spawn_many", "3 echo"),
        ("relay", "chain", "relay,echo"),
        ("relay", "free_id", "1"),
        ("relay", "call_id", "2 echo hi"),
        ("driver", "keep", "relay spawn_many 2 echo"),
        ("driver", "keep", "loop_forever loop_forever"),
        ("driver", "twice", "loop_forever loop_forever"),
        ("driver", "free", "1"),
    ];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Starting_calling_and_disposing_from_several_threads_keeps_the_books_and_leaks_nothing(bool keepChildren)
    {
        using var host = TestHosts.Host(Policy, keepChildren: keepChildren);
        var everStarted = new List<PluginProcess>();
        var unexpected = new System.Collections.Concurrent.ConcurrentQueue<Exception>();

        for (var round = 0; round < Rounds; round++)
        {
            var roots = new List<PluginProcess>();
            using var start = new Barrier(Threads);
            var workers = Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(
                () => Work(host, roots, new Random(round * Threads + t), start, unexpected), TaskCreationOptions.LongRunning));
            await Task.WhenAll(workers).WaitAsync(HangGuard);

            Assert.Empty(unexpected);
            everStarted.AddRange(roots);
            AssertBooksBalance(host, everStarted);
        }

        foreach (var root in everStarted)
            root.Dispose();
        Assert.Equal(0, host.LiveInstances);
        AssertBooksBalance(host, everStarted);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Disposing_the_host_while_threads_start_and_call_leaves_nothing_alive(bool keepChildren)
    {
        var host = TestHosts.Host(Policy, keepChildren: keepChildren);
        var unexpected = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        var started = new System.Collections.Concurrent.ConcurrentQueue<PluginProcess>();
        using var start = new Barrier(Threads + 1);

        void StartAndCall()
        {
            start.SignalAndWait(HangGuard);
            for (var disposed = false; !disposed;)
            {
                try
                {
                    var relay = host.Start("relay");
                    started.Enqueue(relay);
                    relay.CallText("spawn_many", "2 echo");
                }
                catch (ObjectDisposedException e) when (e.ObjectName == typeof(PluginHost).FullName)
                {
                    disposed = true;
                }
                catch (PluginException e) when (e.Kind is PluginErrorKind.Disposed or PluginErrorKind.Cancelled or PluginErrorKind.QuotaExceeded)
                {
                    // Cancelled: a start whose root was still instantiating when the host stopped.
                }
                catch (Exception e)
                {
                    unexpected.Enqueue(e);
                    disposed = true;
                }
            }
        }

        var workers = Enumerable.Range(0, Threads).Select(_ => Task.Factory.StartNew(StartAndCall, TaskCreationOptions.LongRunning)).ToArray();
        start.SignalAndWait(HangGuard);
        TestHosts.WaitUntil(() => started.Count >= 20, "the threads started some processes");
        host.Dispose();
        await Task.WhenAll(workers).WaitAsync(HangGuard);

        Assert.Empty(unexpected);
        Assert.Equal(0, host.LiveInstances);
        Assert.All(started, p => Assert.False(p.IsAlive));
    }

    private static void Work(PluginHost host, List<PluginProcess> roots, Random random, Barrier start, System.Collections.Concurrent.ConcurrentQueue<Exception> unexpected)
    {
        start.SignalAndWait(HangGuard);
        for (var i = 0; i < OperationsPerThread; i++)
        {
            try
            {
                var op = random.Next(10);
                PluginProcess? root;
                lock (roots)
                    root = roots.Count == 0 ? null : roots[random.Next(roots.Count)];
                if (root is null || (op < 2 && roots.Count < MaxRoots))
                {
                    var started = host.Start(random.Next(2) == 0 ? "relay" : "driver");
                    lock (roots)
                        roots.Add(started);
                }
                else if (op < 4)
                {
                    root.Dispose();
                }
                else
                {
                    var calls = Calls.Where(c => c.Plugin == root.Name).ToArray();
                    var (_, export, input) = calls[random.Next(calls.Length)];
                    root.CallText(export, input);
                }
            }
            catch (PluginException)
            {
                // Busy, Disposed, quotas, timeouts: all expected under this load. The host itself
                // stays up, so even an ObjectDisposedException would be a defect.
            }
            catch (Exception e)
            {
                unexpected.Enqueue(e);
            }
        }
    }

    /// <summary>
    /// The host counts exactly the instances alive in its trees; nothing below a dead process is
    /// alive; every live process's counts match its handle table.
    /// </summary>
    private static void AssertBooksBalance(PluginHost host, List<PluginProcess> roots)
    {
        var alive = 0;
        foreach (var root in roots)
            alive += CountAlive(root, parentAlive: true);
        Assert.Equal(alive, host.LiveInstances);
    }

    private static int CountAlive(PluginProcess process, bool parentAlive)
    {
        Assert.True(parentAlive || !process.IsAlive, $"{process} is alive below a dead process");
        var alive = process.IsAlive ? 1 : 0;
        var children = process.Handles.Values.ToArray();
        if (process.IsAlive)
            Assert.Equal(children.Length, process.ChildCount);
        var descendants = 0;
        foreach (var child in children)
        {
            var below = CountAlive(child, process.IsAlive);
            descendants += child.IsAlive ? below : 1; // a stopped child still counts until freed
            alive += below;
        }
        if (process.IsAlive)
            Assert.Equal(descendants, process.DescendantCount);
        return alive;
    }
}
