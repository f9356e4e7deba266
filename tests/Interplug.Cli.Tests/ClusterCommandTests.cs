using System.Diagnostics;
using static Interplug.Cli.Tests.ClusterProcesses;

namespace Interplug.Cli.Tests;

/// <summary><c>interplug silo</c> and <c>interplug run --cluster</c>, as separate processes on loopback.</summary>
public sealed class ClusterCommandTests
{
    [Fact]
    public async Task A_silo_serves_a_cluster_run_of_the_seed_demo_and_stops_on_SIGTERM()
    {
        var (siloPort, gatewayPort) = (FreePort(), FreePort());
        using var silo = Cli.Start("silo", "--plugins", RepoPaths.PluginsDist, "--cluster", $"localhost:{siloPort}",
            "--port", $"{siloPort}", "--gateway-port", $"{gatewayPort}");
        var stderr = silo.StandardError.ReadToEndAsync();
        try
        {
            var ready = await silo.StandardOutput.ReadLineAsync().WaitAsync(Patience);
            Assert.Equal($"ready 127.0.0.1:{siloPort}", ready);

            var run = await Cli.Run("run", "run", "--cluster", $"localhost:{siloPort}", "--gateway-port", $"{gatewayPort}", "--trace");

            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("\"count\":3", run.StdoutText);
            Assert.Equal([$"run on 127.0.0.1:{siloPort}", $"run.run  on 127.0.0.1:{siloPort}", $"└─ count_vowels.count_vowels  on 127.0.0.1:{siloPort}"], run.StderrLines);

            Signal(silo, "TERM");
            await silo.WaitForExitAsync().WaitAsync(Patience);
            Assert.True(silo.ExitCode == 0, $"exit {silo.ExitCode}: {await stderr}");
            Assert.Null(await silo.StandardOutput.ReadLineAsync()); // nothing but the ready line
        }
        finally
        {
            KillAll(silo);
        }
    }

    [Fact]
    public async Task A_silo_killed_during_a_run_fails_it_as_unavailable_and_the_silo_left_serves_the_next_run()
    {
        var (primaryPort, primaryGateway, otherPort, otherGateway) = (FreePort(), FreePort(), FreePort(), FreePort());
        var cluster = $"localhost:{primaryPort}";
        using var primary = await StartSilo(cluster, primaryPort, primaryGateway);
        using var other = await StartSilo(cluster, otherPort, otherGateway);
        try
        {
            // Only the other silo may die: the primary holds the development cluster's membership.
            var guard = Stopwatch.StartNew();
            while (true)
            {
                using var client = Cli.Start("run", "loop_forever", "loop_forever", "--cluster", cluster, "--gateway-port", $"{primaryGateway}", "--trace");
                var placed = await client.StandardError.ReadLineAsync().WaitAsync(Patience);
                if (placed != $"loop_forever on 127.0.0.1:{otherPort}")
                {
                    client.Kill(entireProcessTree: true);
                    Assert.True(guard.Elapsed < Patience, $"no run was placed on the other silo within {Patience}");
                    continue;
                }
                var clock = Stopwatch.StartNew();
                other.Kill(entireProcessTree: true);

                await client.WaitForExitAsync().WaitAsync(Patience);
                var error = await client.StandardError.ReadToEndAsync();
                Assert.Equal(1, client.ExitCode);
                Assert.StartsWith("error (unavailable): ", error);
                // loop_forever runs under the default policy's 30 s timeout: the loss is noticed well before.
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the run failed {clock.Elapsed} after its silo was killed");
                break;
            }

            var next = await Cli.Run("run", "run", "--cluster", cluster, "--gateway-port", $"{primaryGateway}");
            Assert.True(next.ExitCode == 0, next.ToString());
            Assert.Contains("\"count\":3", next.StdoutText);
        }
        finally
        {
            KillAll(primary, other);
        }
    }

    [Fact]
    public async Task A_cluster_run_without_a_silo_fails_as_unavailable_in_one_line()
    {
        var result = await Cli.Run("run", "run", "--cluster", "localhost", "--gateway-port", $"{FreePort()}");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.StderrLines);
        Assert.StartsWith("error (unavailable): cannot reach the cluster's gateways on ports ", line);
    }

    [Theory]
    [InlineData("--plugins", "plugins/dist")]
    [InlineData("--timeout", "100")]
    [InlineData("--wasi")]
    public async Task A_cluster_run_refuses_options_that_only_a_local_host_takes(params string[] option)
    {
        var result = await Cli.Run(["run", "run", "--cluster", "localhost", .. option]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal([$"error: {option[0]} does not apply with --cluster: the silos' own catalog, policy and limits do"], result.StderrLines);
    }

    [Theory]
    [InlineData("--cluster", "redis")]
    [InlineData("--port", "0")]
    [InlineData("--gateway-port", "70000")]
    public async Task A_silo_refuses_a_bad_cluster_or_port_naming_the_option(string option, string value)
    {
        var args = new Dictionary<string, string> { ["--plugins"] = RepoPaths.PluginsDist, ["--cluster"] = "localhost", [option] = value };
        var result = await Cli.Run(["silo", .. args.SelectMany(a => new[] { a.Key, a.Value })]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"error: {option}: ", Assert.Single(result.StderrLines));
    }

    private static void Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", $"-{signal} {process.Id}");
        kill.WaitForExit();
    }
}
