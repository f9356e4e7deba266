using System.Globalization;
using System.Text;
using Interplug.Runtime;
using Interplug.Runtime.Manifests;

namespace Interplug.Host.Tests;

/// <summary>Compiling is bounded: by the caller's deadline (the compile goes on in the background), and by a module-size cap.</summary>
public sealed class CompileBoundTests
{
    /// <summary>
    /// A module whose one function keeps <paramref name="locals"/> values live across as many
    /// branches: register allocation grows quadratically. Measured on the 2-core test machine:
    /// 1,000 locals compile in 0.9 s, 3,000 in 4.5 s, 4,000 in 15.7 s (600 KB of text).
    /// </summary>
    private static Manifest SlowToCompile(int locals)
    {
        var wat = new StringBuilder("(module (func (export \"run\") (result i32)");
        for (var i = 0; i < locals; i++)
            wat.Append(" (local i64)");
        for (var i = 0; i < locals; i++)
            wat.Append(CultureInfo.InvariantCulture, $" (if (i64.eqz (local.get {i * 7 % locals})) (then (local.set {i} (i64.const {i}))) (else (local.set {i * 13 % locals} (local.get {i * 3 % locals}))))");
        wat.Append(" (i64.const 0)");
        for (var i = 0; i < locals; i++)
            wat.Append(CultureInfo.InvariantCulture, $" (local.get {i}) (i64.add)");
        wat.Append(" (drop) (i32.const 0)))");
        return Manifest.FromBytes(Encoding.UTF8.GetBytes(wat.ToString()));
    }

    [Fact]
    public void A_spawn_that_must_compile_a_hostile_module_fails_with_Timeout_at_its_callers_deadline()
    {
        using var host = TestHosts.Host(
            TestHosts.Policy(("driver", TestHosts.SpawnAll with { TimeoutMs = 300 })),
            TestHosts.Catalog().Add("hostile", SlowToCompile(4_000)));

        var e = TestHosts.FailsWithin(TimeSpan.FromSeconds(5), PluginErrorKind.Timeout, () => host.RunText("driver", "chain", "hostile run"));

        Assert.Contains("compiling hostile", e.Message);
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void A_module_larger_than_MaxModuleBytes_is_refused_before_compiling()
    {
        var options = new PluginHostOptions
        {
            Catalog = TestHosts.Catalog().Add("tiny", Manifest.FromBytes(Encoding.UTF8.GetBytes("(module)"))),
            MaxModuleBytes = 1024,
        };
        using var host = new PluginHost(options, TestHosts.Runtime);

        var e = TestHosts.Fails(PluginErrorKind.LimitExceeded, () => host.Start("echo"));
        Assert.Contains("MaxModuleBytes", e.Message);
        using var tiny = host.Start("tiny");
        Assert.True(tiny.IsAlive);
        Assert.Throws<ArgumentOutOfRangeException>(() => options with { MaxModuleBytes = 0 });
    }
}
