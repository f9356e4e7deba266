using Interplug.Runtime;
using Xunit.Abstractions;

namespace Interplug.Reliability.Tests;

/// <summary>Tests that measure the whole process, so nothing else in it may run beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "serial";
}

/// <summary>The short soak of CI; `make soak` runs the long one, which holds resident memory to 5%.</summary>
[Collection(RunsAlone.Name)]
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
        // Resident memory does not settle in twelve seconds, least of all on a busy machine (a
        // slow warm-up touches less memory, so the later growth looks large): the long run holds
        // it to 5%. Here leaks are measured directly. An instance the host lost track of keeps
        // about 7 memory mappings (a leak injected in 1 of 50 calls added 776 in a run of 6,000
        // calls; a clean run adds 0-20, mostly thread stacks); managed objects kept per call would
        // add megabytes over thousands of calls.
        Assert.InRange(report.MappingsAtEnd - report.MappingsAfterWarmUp, -1_000, 64);
        Assert.InRange(report.ManagedAtEnd - report.ManagedAfterWarmUp, -64L << 20, 8L << 20);
        // Still a check against a gross native leak, which neither count above would show.
        Assert.InRange(report.ResidentAtEnd - report.ResidentAfterWarmUp, -1L << 30, 256L << 20);
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
