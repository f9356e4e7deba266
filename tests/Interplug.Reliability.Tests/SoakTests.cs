using Interplug.Runtime;
using Xunit.Abstractions;

namespace Interplug.Reliability.Tests;

/// <summary>The short soak of CI; `make soak` runs the long one, which holds memory to 5%.</summary>
public class SoakTests(ITestOutputHelper output)
{
    [Fact]
    public void Two_threads_of_spawns_calls_frees_and_injected_faults_end_every_call_as_expected()
    {
        var report = Soak.Run(new SoakOptions(TimeSpan.FromSeconds(12)));
        output.WriteLine(report.ToString());

        Assert.Empty(report.Unexpected);
        Assert.False(report.Stalled);
        Assert.Equal(0, report.LiveInstancesAtEnd);
        Assert.Equal(report.Total, report.AsExpected);
        Assert.Equal(10, report.Calls.Count); // every scenario ran
        Assert.True(report.ExpectedFailures > 0);
        // Twelve seconds are too short for the allocators to settle, so CI only catches a gross
        // leak here; the long run checks the 5% bound.
        Assert.InRange(report.ResidentGrowth, -0.25, 0.25);
    }

    [Fact]
    public void Injected_faults_really_fail_with_their_kinds()
    {
        using var host = Soak.CreateHost();
        Assert.Equal(PluginErrorKind.Trap, Assert.Throws<PluginException>(() => host.Run("relay", "chain", "relay,faulty"u8)).Kind);
        Assert.Equal(PluginErrorKind.Timeout, Assert.Throws<PluginException>(() => host.Run("relay", "chain", "relay,sleepy"u8)).Kind);
        Assert.Equal(PluginErrorKind.OutOfMemory, Assert.Throws<PluginException>(() => host.Run("relay", "chain", "hungry"u8)).Kind);
        Assert.Equal(PluginErrorKind.PermissionDenied, Assert.Throws<PluginException>(() => host.Run("relay", "chain", "forbidden"u8)).Kind);
        Assert.Equal(0, host.LiveInstances);
    }
}
