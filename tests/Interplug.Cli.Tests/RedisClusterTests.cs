using static Interplug.Cli.Tests.ClusterProcesses;

namespace Interplug.Cli.Tests;

/// <summary>
/// <c>--cluster redis://HOST:PORT</c>: silos and clients that find each other through a real
/// redis-server (installed and started by scripts/redis.sh), every process on loopback.
/// </summary>
public sealed class RedisClusterTests
{
    [Fact]
    public async Task Two_silos_on_Redis_serve_the_seed_demo_across_both_and_the_survivor_serves_it_alone_after_the_other_is_killed()
    {
        // The demo's policy: count_vowels is placed "spread", on the other silo when there is one.
        var policy = Path.Combine(RepoPaths.Root, "scripts", "cluster", "policy.json");
        using var redis = await RedisServer.StartAsync();
        var (firstPort, secondPort) = (FreePort(), FreePort());
        using var first = await StartSilo(redis.Cluster, firstPort, FreePort(), "--policy", policy);
        using var second = await StartSilo(redis.Cluster, secondPort, FreePort(), "--policy", policy);
        try
        {
            var before = await Cli.Run("run", "run", "--cluster", redis.Cluster, "--trace");

            Assert.True(before.ExitCode == 0, before.ToString());
            Assert.Contains("\"count\":3", before.StdoutText);
            var (runSilo, childSilo) = (SiloOf(before.StderrLines, "run.run "), SiloOf(before.StderrLines, "count_vowels.count_vowels "));
            Assert.Equal(new[] { firstPort, secondPort }.Order(), new[] { runSilo, childSilo }.Order());

            // The silo that ran `run` dies without a word; Redis still lists it as active.
            var (killed, survivorPort) = runSilo == firstPort ? (first, secondPort) : (second, firstPort);
            killed.Kill(entireProcessTree: true);
            await killed.WaitForExitAsync().WaitAsync(Patience);

            var after = await Cli.Run("run", "run", "--cluster", redis.Cluster, "--trace");

            Assert.True(after.ExitCode == 0, after.ToString());
            Assert.Contains("\"count\":3", after.StdoutText);
            Assert.Equal(survivorPort, SiloOf(after.StderrLines, "run.run "));
            Assert.Equal(survivorPort, SiloOf(after.StderrLines, "count_vowels.count_vowels "));
        }
        finally
        {
            KillAll(first, second);
        }
    }

    // The silo port --trace names for the call that starts with `call`, such as "└─ count_vowels.count_vowels  on 127.0.0.1:PORT".
    private static int SiloOf(IReadOnlyList<string> trace, string call)
    {
        var line = Assert.Single(trace, l => l.TrimStart('└', '─', ' ', '│').StartsWith(call, StringComparison.Ordinal));
        return int.Parse(line[(line.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_cluster_run_whose_Redis_does_not_answer_fails_as_unavailable_in_one_line()
    {
        var port = FreePort();

        var result = await Cli.Run("run", "run", "--cluster", $"redis://127.0.0.1:{port}");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal([$"error (unavailable): cannot reach the cluster: Redis at 127.0.0.1:{port} does not answer (UnableToConnect; tried for at most 5 s)"], result.StderrLines);
    }

    [Fact]
    public async Task A_silo_whose_Redis_does_not_answer_does_not_start_and_says_why()
    {
        var port = FreePort();

        var result = await Cli.Run("silo", "--plugins", RepoPaths.PluginsDist, "--cluster", $"redis://127.0.0.1:{port}",
            "--port", $"{FreePort()}", "--gateway-port", $"{FreePort()}", "--log-level", "off");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal([$"error: the silo did not start: Redis at 127.0.0.1:{port} does not answer (UnableToConnect; tried for at most 5 s)"], result.StderrLines);
    }

    [Theory]
    [InlineData("redis://", "expected redis://HOST[:PORT]")]
    [InlineData("redis://127.0.0.1:6379/0", "expected redis://HOST[:PORT]")]
    [InlineData("redis://user:secret@127.0.0.1:6379", "expected redis://HOST[:PORT]")]
    [InlineData("redis://127.0.0.1:0", "expected a port between 1 and 65535")]
    [InlineData("rediss://127.0.0.1:6379", "expected localhost[:PORT] or redis://HOST[:PORT]")]
    public async Task A_bad_cluster_connection_is_refused_before_anything_starts(string connection, string expected)
    {
        foreach (var command in new[] { new[] { "run", "run" }, ["silo", "--plugins", RepoPaths.PluginsDist] })
        {
            var result = await Cli.Run([.. command, "--cluster", connection]);

            Assert.Equal(2, result.ExitCode);
            Assert.Equal([$"error: --cluster: {expected}, got \"{connection}\""], result.StderrLines);
        }
    }

    [Fact]
    public async Task A_cluster_run_on_Redis_refuses_gateway_ports_which_Redis_lists()
    {
        var result = await Cli.Run("run", "run", "--cluster", "redis://127.0.0.1:6379", "--gateway-port", "30000");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["error: --gateway-port does not apply with --cluster redis://: the silos' gateways are read from Redis"], result.StderrLines);
    }
}
