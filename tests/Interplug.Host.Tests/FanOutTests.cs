using Interplug.Host.Policy;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Host.Tests;

/// <summary>
/// Fan-out: <c>call_plugin_async</c> starts a call on a child that runs on another thread,
/// <c>await_call</c> and <c>await_any</c> collect it. Driven by the <c>fan_driver</c> plugin's
/// scripts (see plugins/as/fan_driver.ts): handles and tickets are numbered from 1 per process.
/// </summary>
public sealed class FanOutTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    private static string Busy => TestHosts.ErrorPrefix(PluginErrorKind.Busy);

    private static string InvalidHandle => TestHosts.ErrorPrefix(PluginErrorKind.InvalidHandle);

    private static PluginHost Host(PluginPolicy? policy = null, int threads = 2) => new(new PluginHostOptions
    {
        Catalog = TestHosts.Catalog()
            .Add("fan_driver", Manifest.FromWasmFile(TestHosts.DistPath("fan_driver")))
            .Add("spin", Manifest.FromWasmFile(TestHosts.DistPath("loop_forever"))),
        Policy = policy ?? PluginPolicy.AllowAll,
        CallThreads = threads,
    }, TestHosts.Runtime);

    private static string Script(PluginHost host, string script, CancellationToken cancellationToken = default) =>
        host.RunText("fan_driver", "script", script, cancellationToken);

    [Fact]
    public void A_started_call_is_collected_with_its_output_and_its_ticket_is_then_spent()
    {
        using var host = Host();

        Assert.Equal("1|1|hi|" + InvalidHandle + "fan_driver holds no call ticket 1 (never issued to it, or already awaited, or its call ended with the call that started it)",
            Script(host, ";spawn echo;start 1 echo hi;await 1;await 1"));
        Assert.Equal(0, host.LiveInstances);
    }
}
