using Interplug.Host.Policy;
using Interplug.Runtime;

namespace Interplug.Host.Tests;

/// <summary>
/// The try_* functions turn failures into negative statuses (the PluginErrorKind numbers, negated)
/// and last_error into the message, so a plugin can handle them; the plain ones fail its call.
/// </summary>
public class PluginErrorHandlingTests
{
    public static TheoryData<string, PluginPolicy, PluginErrorKind, string> Failures => new()
    {
        { "nope", PluginPolicy.AllowAll, PluginErrorKind.NotFound, "no plugin named \"nope\" in the catalog" },
        { "../x", PluginPolicy.AllowAll, PluginErrorKind.InvalidArgument, "invalid plugin name \"../x\": it contains \"..\"" },
        { "echo", PluginPolicy.AllowAll, PluginErrorKind.ExportNotFound, "relay → echo: echo has no export named try_chain" },
        {
            "echo", TestHosts.Policy(("relay", new PolicyRule { Spawn = ["relay"] })), PluginErrorKind.PermissionDenied,
            "relay may not spawn echo: policy rule \"relay\" lets \"relay\" spawn [relay], not \"echo\""
        },
        {
            "echo", TestHosts.Policy(("relay", TestHosts.SpawnAll with { MaxChildren = 0 })), PluginErrorKind.QuotaExceeded,
            "relay may not spawn echo: it already holds 0 children, its limit (max_children)"
        },
        {
            "relay", TestHosts.Policy(("relay", TestHosts.SpawnAll with { MaxDepth = 1 })), PluginErrorKind.DepthExceeded,
            "call depth 2 exceeds the limit of 1: relay → relay"
        },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Try_chain_reports_a_failing_child_as_error_code_and_last_error_message(string input, PluginPolicy policy, PluginErrorKind kind, string message)
    {
        using var host = TestHosts.Host(policy);

        var output = host.RunText("relay", "try_chain", input);

        Assert.Equal($"error {-(int)kind}: {message}", output);
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void The_status_numbers_are_the_stable_PluginErrorKind_numbers_negated()
    {
        Assert.Equal(
            [1, 2, 3, 4, 5, 6, 13, 15, 18, 19, 20, 21, 22, 23],
            new[]
            {
                PluginErrorKind.Trap, PluginErrorKind.Timeout, PluginErrorKind.Cancelled, PluginErrorKind.OutOfMemory,
                PluginErrorKind.OutOfFuel, PluginErrorKind.ExportNotFound, PluginErrorKind.InvalidArgument,
                PluginErrorKind.PermissionDenied, PluginErrorKind.NotFound, PluginErrorKind.InvalidHandle,
                PluginErrorKind.CallCycle, PluginErrorKind.DepthExceeded, PluginErrorKind.QuotaExceeded, PluginErrorKind.Unavailable,
            }.Select(k => (int)k));
    }

    [Fact]
    public void A_failure_below_a_try_chain_is_reported_at_the_level_that_saw_it()
    {
        using var host = TestHosts.Host();

        Assert.Equal("relay(relay(error -18: no plugin named \"nope\" in the catalog))", host.RunText("relay", "try_chain", "relay,relay,nope"));
    }

    [Fact]
    public void A_child_call_that_failed_without_being_cut_off_leaves_the_child_usable()
    {
        using var host = TestHosts.Host();

        // The second call goes through the same handle: the child was not stopped (that would be -19).
        Assert.Equal(
            "error -6: driver → echo: echo has no export named nope|error -6: driver → echo: echo has no export named nope",
            host.RunText("driver", "twice", "echo nope"));
    }

    [Fact]
    public void Last_error_is_0_until_something_fails()
    {
        using var host = TestHosts.Host(keepChildren: true);
        using var driver = host.Start("driver");

        Assert.Equal("0", driver.CallText("last_error"));
        Assert.StartsWith("error -18: ", driver.CallText("try_chain", "nope x"));
        Assert.NotEqual("0", driver.CallText("last_error"));
    }

    [Fact]
    public void A_failed_free_sets_last_error_too()
    {
        using var host = TestHosts.Host(keepChildren: true);
        using var driver = host.Start("driver");

        Assert.Equal("-19", driver.CallText("free", "42"));
        Assert.Equal("error -19: driver holds no plugin handle 42 (never issued to it, or already freed)", driver.CallText("call", "42 x y"));
    }

    [Fact]
    public void The_plain_functions_fail_the_callers_call_with_the_same_kind()
    {
        using var host = TestHosts.Host();

        var top = TestHosts.Fails(PluginErrorKind.NotFound, () => host.RunText("relay", "chain", "nope"));
        Assert.Equal("relay", top.CallChain); // relay itself failed to spawn: its call is the chain
        var nested = TestHosts.Fails(PluginErrorKind.NotFound, () => host.RunText("relay", "chain", "relay,nope"));
        Assert.Equal("relay → relay", nested.CallChain);
        Assert.Contains("no plugin named \"nope\"", nested.Message);
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void Handled_failures_leave_the_plugin_free_to_carry_on()
    {
        using var host = TestHosts.Host(keepChildren: true);
        using var relay = host.Start("relay");

        Assert.StartsWith("error -18: ", relay.CallText("try_chain", "nope"));
        Assert.Equal("relay(end)", relay.CallText("try_chain", "relay"));
        Assert.Equal(1, host.LiveInstances);
        Assert.True(relay.IsAlive);
    }
}
