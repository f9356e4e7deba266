using static Interplug.Cli.Tests.ClusterProcesses;

namespace Interplug.Cli.Tests;

/// <summary>
/// <c>--cluster redis://HOST:PORT</c>: silos and clients that find each other through Redis.
/// </summary>
public sealed class RedisClusterTests
{
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
