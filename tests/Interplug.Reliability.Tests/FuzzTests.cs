using Xunit.Abstractions;

namespace Interplug.Reliability.Tests;

/// <summary>The short fuzz run of CI; `make fuzz` runs the long one.</summary>
public class FuzzTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Random_boundary_calls_only_ever_end_in_a_return_or_a_typed_error(int seed)
    {
        var report = Fuzzer.Run(new FuzzOptions(seed, Runs: 600));
        output.WriteLine(report.ToString());

        Assert.Empty(report.Unexpected);
        Assert.Equal(600, report.Runs);
        Assert.Equal(report.Runs, report.Succeeded + report.FailedByKind.Values.Sum());
        // The programs must get past their first steps, or the fuzzer tests nothing.
        Assert.True(report.StepsCompleted > report.StepsGenerated / 10, report.ToString());
        Assert.True(report.Succeeded > 0 && report.FailedByKind.Count > 0, report.ToString());
    }

    [Fact]
    public void A_seed_replays_the_same_outcome()
    {
        var first = Fuzzer.Run(new FuzzOptions(7, Runs: 100));
        var second = Fuzzer.Run(new FuzzOptions(7, Runs: 100));
        Assert.Equal(first.StepsCompleted, second.StepsCompleted);
        Assert.Equal(first.FailedByKind, second.FailedByKind);
    }
}
