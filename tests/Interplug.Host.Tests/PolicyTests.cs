using Interplug.Host.Catalog;
using Interplug.Host.Policy;
using Interplug.Runtime;

namespace Interplug.Host.Tests;

/// <summary>Who may spawn and call whom, within which limits; rights only narrow down the tree.</summary>
public class PolicyTests
{
    private static PolicyRule Rule(params string[] spawn) => new() { Spawn = spawn };

    // ---- spawn -----------------------------------------------------------------------------

    [Fact]
    public void An_exact_spawn_rule_allows_that_plugin_and_denies_others_naming_the_rule()
    {
        using var host = TestHosts.Host(TestHosts.Policy(("relay", Rule("echo"))));

        Assert.Equal("spawned 1", host.RunText("relay", "spawn_many", "1 echo"));
        Assert.Equal(
            "spawned 0; error -15: relay may not spawn count_vowels: policy rule \"relay\" lets \"relay\" spawn [echo], not \"count_vowels\"",
            host.RunText("relay", "spawn_many", "1 count_vowels"));
    }

    [Fact]
    public void A_glob_spawn_rule_allows_matching_names_only()
    {
        using var host = TestHosts.Host(TestHosts.Policy(("relay", Rule("count_*"))));

        Assert.Equal("spawned 1", host.RunText("relay", "spawn_many", "1 count_vowels"));
        var denied = host.RunText("relay", "spawn_many", "1 echo");
        Assert.StartsWith("spawned 0; error -15: ", denied);
        Assert.Contains("policy rule \"relay\" lets \"relay\" spawn [count_*], not \"echo\"", denied);
    }

    [Fact]
    public void A_rule_key_can_be_a_glob_and_an_exact_key_beats_an_earlier_glob()
    {
        using (var host = TestHosts.Host(TestHosts.Policy(("rel*", Rule("echo")))))
        {
            Assert.Equal("spawned 1", host.RunText("relay", "spawn_many", "1 echo"));
            Assert.Contains("policy rule \"rel*\"", host.RunText("relay", "spawn_many", "1 trap"));
        }
        using (var host = TestHosts.Host(TestHosts.Policy(("*", Rule()), ("relay", Rule("echo")))))
        {
            Assert.Equal("spawned 1", host.RunText("relay", "spawn_many", "1 echo"));
        }
    }

    [Fact]
    public void Without_a_rule_spawning_is_denied_and_the_message_says_no_rule_covers_it()
    {
        using var host = TestHosts.Host(TestHosts.Policy(("echo", TestHosts.SpawnAll)));

        Assert.Equal(
            "spawned 0; error -15: relay may not spawn echo: no policy rule covers \"relay\", and spawning is denied unless a rule allows it",
            host.RunText("relay", "spawn_many", "1 echo"));
    }

    [Fact]
    public void A_rule_with_an_empty_spawn_list_denies_every_spawn()
    {
        using var host = TestHosts.Host(TestHosts.Policy(("relay", Rule())));

        var e = TestHosts.Fails(PluginErrorKind.PermissionDenied, () => host.RunText("relay", "chain", "relay"));

        Assert.Contains("spawn [], not \"relay\"", e.Message);
    }

    // ---- call ------------------------------------------------------------------------------

    [Fact]
    public void A_call_map_allows_the_listed_exports_and_denies_others_naming_the_rule()
    {
        var rule = Rule("relay") with { Call = new Dictionary<string, IReadOnlyList<string>> { ["relay"] = ["chain"] } };
        using var host = TestHosts.Host(TestHosts.Policy(("relay", rule)));

        Assert.Equal("relay(end)", host.RunText("relay", "chain", "relay"));
        Assert.Equal(
            "error -15: relay may not call relay.try_chain: policy rule \"relay\" does not let \"relay\" call relay.try_chain",
            host.RunText("relay", "try_chain", "relay"));
    }

    [Fact]
    public void A_call_map_denies_callees_it_does_not_list_even_when_spawning_them_is_allowed()
    {
        var rule = TestHosts.SpawnAll with { Call = new Dictionary<string, IReadOnlyList<string>> { ["echo"] = ["echo"] } };
        using var host = TestHosts.Host(TestHosts.Policy(("relay", rule)));

        var e = TestHosts.Fails(PluginErrorKind.PermissionDenied, () => host.RunText("relay", "chain", "relay"));

        Assert.Contains("relay may not call relay.chain", e.Message);
    }

    [Fact]
    public void Export_globs_in_a_call_map_match_several_exports()
    {
        var rule = Rule("relay") with { Call = new Dictionary<string, IReadOnlyList<string>> { ["rel*"] = ["*chain"] } };
        using var host = TestHosts.Host(TestHosts.Policy(("relay", rule)));

        Assert.Equal("relay(end)", host.RunText("relay", "chain", "relay"));
        Assert.Equal("relay(end)", host.RunText("relay", "try_chain", "relay"));
    }

    // ---- limits ----------------------------------------------------------------------------

    [Fact]
    public void Max_depth_allows_chains_up_to_it_and_refuses_deeper_ones()
    {
        using (var host = TestHosts.Host(TestHosts.Policy(("relay", TestHosts.SpawnAll with { MaxDepth = 3 }))))
            Assert.Equal("relay(relay(end))", host.RunText("relay", "chain", "relay,relay"));

        using (var host = TestHosts.Host(TestHosts.Policy(("relay", TestHosts.SpawnAll with { MaxDepth = 2 }))))
        {
            var e = TestHosts.Fails(PluginErrorKind.DepthExceeded, () => host.RunText("relay", "chain", "relay,relay"));
            Assert.Contains("call depth 3 exceeds the limit of 2: relay → relay → relay", e.Message);
            Assert.Equal("relay → relay → relay", e.CallChain);
        }
    }

    [Fact]
    public void Memory_max_pages_lets_a_child_run_within_its_budget()
    {
        using var host = TestHosts.Host(TestHosts.Policy(("echo", new PolicyRule { MemoryMaxPages = 16 }), ("*", TestHosts.SpawnAll)));

        Assert.Equal("hi", host.RunText("driver", "chain", "echo echo hi"));
    }

    [Fact]
    public void A_child_whose_budget_cannot_hold_its_start_fails_with_OutOfMemory_at_spawn()
    {
        // echo needs 3 pages at start: its own memory and the kernel's.
        using var host = TestHosts.Host(TestHosts.Policy(("echo", new PolicyRule { MemoryMaxPages = 2 }), ("*", TestHosts.SpawnAll)));

        var e = TestHosts.Fails(PluginErrorKind.OutOfMemory, () => host.RunText("driver", "chain", "echo echo hi"));

        Assert.Contains("2 pages", e.Message);
        Assert.StartsWith("spawned 0; error -4: ", host.RunText("relay", "spawn_many", "1 echo"));
        Assert.Equal(0, host.LiveInstances);
    }

    [Fact]
    public void A_child_that_outgrows_its_budget_fails_with_OutOfMemory_at_call()
    {
        using var host = TestHosts.Host(TestHosts.Policy(("memory_bomb", new PolicyRule { MemoryMaxPages = 32 }), ("*", TestHosts.SpawnAll)));

        var e = TestHosts.Fails(PluginErrorKind.OutOfMemory, () => host.RunText("driver", "chain", "memory_bomb grow"));

        Assert.Contains("budget of 32 pages", e.Message);
        Assert.Equal("driver → memory_bomb", e.CallChain);
    }

    [Fact]
    public void Timeout_ms_lets_a_quick_child_finish_and_stops_a_looping_one()
    {
        var policy = TestHosts.Policy(
            ("echo", new PolicyRule { TimeoutMs = 60_000 }),
            ("loop_forever", new PolicyRule { TimeoutMs = 200 }),
            ("*", TestHosts.SpawnAll));
        using var host = TestHosts.Host(policy);

        Assert.Equal("hi", host.RunText("driver", "chain", "echo echo hi"));
        var e = TestHosts.Fails(PluginErrorKind.Timeout, () => host.RunText("driver", "chain", "loop_forever loop_forever"));
        Assert.Equal("driver → loop_forever", e.CallChain);
    }

    [Fact]
    public void Timeout_ms_of_a_top_level_plugin_bounds_its_call()
    {
        using var host = TestHosts.Host(TestHosts.Policy(("loop_forever", new PolicyRule { TimeoutMs = 200 })));

        TestHosts.Fails(PluginErrorKind.Timeout, () => host.RunText("loop_forever", "loop_forever"));
    }

    [Fact]
    public void Fuel_lets_a_cheap_child_finish_and_stops_a_looping_one()
    {
        var policy = TestHosts.Policy(
            ("echo", new PolicyRule { Fuel = 10_000_000 }),
            ("loop_forever", new PolicyRule { Fuel = 1_000_000 }),
            ("*", TestHosts.SpawnAll));
        using var host = TestHosts.Host(policy);

        Assert.Equal("hi", host.RunText("driver", "chain", "echo echo hi"));
        var e = TestHosts.Fails(PluginErrorKind.OutOfFuel, () => host.RunText("driver", "chain", "loop_forever loop_forever"));
        Assert.Equal("driver → loop_forever", e.CallChain);
    }

    // ---- rights only narrow ----------------------------------------------------------------

    [Fact]
    public void A_child_may_spawn_only_what_its_ancestors_may_spawn_too()
    {
        var narrow = TestHosts.Policy(("a", Rule("b")), ("b", Rule("c")), ("c", Rule()));
        using (var host = TestHosts.Host(narrow, TestHosts.CatalogWithRelayAs("a", "b", "c")))
        {
            var e = TestHosts.Fails(PluginErrorKind.PermissionDenied, () => host.RunText("a", "chain", "b,c"));
            Assert.Contains("b may not spawn c", e.Message);
            Assert.Contains("rights only narrow", e.Message);
            Assert.Contains("ancestor \"a\"", e.Message);
        }

        var wide = TestHosts.Policy(("a", Rule("b", "c")), ("b", Rule("c")), ("c", Rule()));
        using (var host = TestHosts.Host(wide, TestHosts.CatalogWithRelayAs("a", "b", "c")))
            Assert.Equal("b(c(end))", host.RunText("a", "chain", "b,c"));
    }

    [Fact]
    public void A_parents_call_map_also_binds_its_children()
    {
        var calls = new Dictionary<string, IReadOnlyList<string>> { ["b"] = ["chain"] };
        var policy = TestHosts.Policy(("a", Rule("b", "c") with { Call = calls }), ("b", Rule("c")), ("c", Rule()));
        using var host = TestHosts.Host(policy, TestHosts.CatalogWithRelayAs("a", "b", "c"));

        Assert.Equal("b(end)", host.RunText("a", "chain", "b"));
        var e = TestHosts.Fails(PluginErrorKind.PermissionDenied, () => host.RunText("a", "chain", "b,c"));
        Assert.Contains("b may not call c.chain", e.Message);
        Assert.Contains("rights only narrow", e.Message);
    }

    [Fact]
    public void A_child_with_more_memory_than_its_parent_gets_the_parents_budget()
    {
        var policy = TestHosts.Policy(
            ("driver", TestHosts.SpawnAll with { MemoryMaxPages = 16 }),
            ("memory_bomb", new PolicyRule { MemoryMaxPages = 1000 }),
            ("*", TestHosts.SpawnAll));
        using var host = TestHosts.Host(policy);

        var e = TestHosts.Fails(PluginErrorKind.OutOfMemory, () => host.RunText("relay", "chain", "driver,memory_bomb grow"));

        Assert.Contains("budget of 16 pages", e.Message);
        Assert.Equal("relay → driver → memory_bomb", e.CallChain);
    }

    [Fact]
    public void A_child_with_a_longer_timeout_than_its_parent_gets_the_parents()
    {
        var policy = TestHosts.Policy(
            ("relay", TestHosts.SpawnAll with { TimeoutMs = 600_000 }),
            ("driver", TestHosts.SpawnAll with { TimeoutMs = 1_000 }),
            ("loop_forever", new PolicyRule { TimeoutMs = 600_000 }));
        using var host = TestHosts.Host(policy);
        host.Start("loop_forever").Dispose(); // compiled ahead, so the driver's second goes to loop_forever
        // A hang guard: if loop_forever kept its own ten minutes, this would end the call as Cancelled.
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var e = TestHosts.Fails(PluginErrorKind.Timeout,
            () => host.RunText("relay", "chain", "driver,loop_forever loop_forever", guard.Token));

        Assert.StartsWith("relay → driver", e.CallChain);
    }

    [Fact]
    public void A_child_with_more_fuel_than_its_parent_gets_the_parents()
    {
        var policy = TestHosts.Policy(
            ("driver", TestHosts.SpawnAll with { Fuel = 1_000_000 }),
            ("loop_forever", new PolicyRule { Fuel = 1_000_000_000_000 }),
            ("*", TestHosts.SpawnAll));
        using var host = TestHosts.Host(policy);

        var e = TestHosts.Fails(PluginErrorKind.OutOfFuel, () => host.RunText("relay", "chain", "driver,loop_forever loop_forever"));

        Assert.Equal("relay → driver → loop_forever", e.CallChain);
    }

    [Fact]
    public void A_childs_rights_are_the_tighter_of_its_rule_and_its_parents()
    {
        var policy = TestHosts.Policy(
            ("a", new PolicyRule { MemoryMaxPages = 16, TimeoutMs = 1_000, Fuel = 1_000_000, MaxDepth = 3 }),
            ("b", new PolicyRule { MemoryMaxPages = 1_000, TimeoutMs = 60_000, Fuel = 1_000_000_000, MaxDepth = 8 }),
            ("c", new PolicyRule { MemoryMaxPages = 8, TimeoutMs = 100, Fuel = 1_000, MaxDepth = 2 }));
        var a = Rights.ForRoot(policy, "a");
        var b = a.ForChild(policy, "b");
        var c = b.ForChild(policy, "c");

        Assert.Equal((16L, 1_000L, 1_000_000L, 3), (b.MemoryMaxPages!.Value, b.TimeoutMs!.Value, b.Fuel!.Value, b.MaxDepth));
        Assert.Equal((8L, 100L, 1_000L, 2), (c.MemoryMaxPages!.Value, c.TimeoutMs!.Value, c.Fuel!.Value, c.MaxDepth));
    }

    [Fact]
    public void Limits_given_to_Start_narrow_a_top_level_process_and_cannot_widen_it()
    {
        using var host = TestHosts.Host(TestHosts.Policy(("relay", TestHosts.SpawnAll with { MaxDepth = 2 }), ("*", TestHosts.SpawnAll)));

        using (var relay = host.Start("relay", new PolicyRule { MaxDepth = 8 }))
            TestHosts.Fails(PluginErrorKind.DepthExceeded, () => relay.CallText("chain", "relay,relay"));
        using (var driver = host.Start("driver", new PolicyRule { MaxDepth = 1 }))
            TestHosts.Fails(PluginErrorKind.DepthExceeded, () => driver.CallText("chain", "echo echo hi"));
        using (var looping = host.Start("loop_forever", new PolicyRule { Fuel = 1_000_000 }))
            TestHosts.Fails(PluginErrorKind.OutOfFuel, () => looping.CallText("loop_forever"));
    }

    // ---- JSON ------------------------------------------------------------------------------

    [Fact]
    public void Parse_reads_snake_case_keys()
    {
        var policy = PluginPolicy.Parse("""
            {
              // comments and trailing commas are fine
              "defaults": { "max_children": 4, "max_depth": 5 },
              "plugins": {
                "relay": {
                  "spawn": ["echo", "count_*"],
                  "call": { "echo": ["echo"] },
                  "max_children": 2,
                  "max_descendants": 3,
                  "memory_max_pages": 100,
                  "timeout_ms": 1500,
                  "fuel": 123456789,
                  "max_depth": 6,
                },
              },
            }
            """);

        Assert.Equal(4, policy.Defaults.MaxChildren);
        Assert.Equal(5, policy.Defaults.MaxDepth);
        var rule = policy.Plugins["relay"];
        Assert.Equal(new[] { "echo", "count_*" }, rule.Spawn);
        Assert.Equal(new[] { "echo" }, rule.Call!["echo"]);
        Assert.Equal(2, rule.MaxChildren);
        Assert.Equal(3, rule.MaxDescendants);
        Assert.Equal(100, rule.MemoryMaxPages);
        Assert.Equal(1500, rule.TimeoutMs);
        Assert.Equal(123456789, rule.Fuel);
        Assert.Equal(6, rule.MaxDepth);
    }

    [Fact]
    public void A_parsed_policy_governs_the_host_and_unset_limits_fall_back_to_defaults()
    {
        var policy = PluginPolicy.Parse("""{ "defaults": { "max_children": 2 }, "plugins": { "relay": { "spawn": ["echo"] } } }""");
        using var host = TestHosts.Host(policy);

        var output = host.RunText("relay", "spawn_many", "5 echo");

        Assert.StartsWith("spawned 2; error -22: ", output);
        Assert.Contains("(max_children)", output);
        Assert.Same(PluginPolicy.BuiltInDefaults, PluginPolicy.Parse("""{ "plugins": {} }""").Defaults);
        Assert.Empty(PluginPolicy.Parse("""{ "plugins": { "x": { "max_depth": 1 } } }""").Plugins["x"].Spawn);
    }

    [Theory]
    [InlineData("""{ "plugins": { "relay": { "spwan": ["echo"] } } }""")]
    [InlineData("""{ "plugins": { "relay": { "maxChildren": 2 } } }""")]
    [InlineData("""{ "plugin": {} }""")]
    [InlineData("""{ "defaults": { "timeout": 5 } }""")]
    [InlineData("""{ "plugins": { "relay": { "spawn": null } } }""")]
    [InlineData("""{ "plugins": null }""")]
    [InlineData("""{ "plugins": { "relay": null } }""")]
    [InlineData("""{ "plugins": """)]
    [InlineData("null")]
    public void Parse_rejects_unknown_keys_and_malformed_json_with_InvalidArgument(string json)
    {
        TestHosts.Fails(PluginErrorKind.InvalidArgument, () => PluginPolicy.Parse(json));
    }

    [Fact]
    public void FromFile_reads_a_policy_and_reports_a_missing_file_as_InvalidArgument()
    {
        using var dir = new TempDir();
        var path = dir.File("policy.json");
        File.WriteAllText(path, """{ "plugins": { "run": { "spawn": ["count_vowels"] } } }""");

        Assert.Equal(new[] { "count_vowels" }, PluginPolicy.FromFile(path).Plugins["run"].Spawn);
        TestHosts.Fails(PluginErrorKind.InvalidArgument, () => PluginPolicy.FromFile(dir.File("missing.json")));
    }

    [Fact]
    public void Policy_globs_match_plugin_names_and_exports_case_sensitively()
    {
        var catalog = TestHosts.CatalogWithRelayAs("TARGET");
        using var host = TestHosts.Host(TestHosts.Policy(
            ("driver", new PolicyRule { Spawn = ["target", "relay"], Call = new Dictionary<string, IReadOnlyList<string>> { ["relay"] = ["chain"] } })), catalog);

        TestHosts.Fails(PluginErrorKind.PermissionDenied, () => host.RunText("driver", "chain", "TARGET chain"));
        TestHosts.Fails(PluginErrorKind.PermissionDenied, () => host.RunText("driver", "chain", "relay CHAIN"));
        Assert.Equal("end", host.RunText("driver", "chain", "relay chain"));
    }

    [Theory]
    [InlineData("timeout_ms", "0")]
    [InlineData("timeout_ms", "-1")]
    [InlineData("max_children", "-1")]
    [InlineData("max_descendants", "-1")]
    [InlineData("max_depth", "0")]
    [InlineData("memory_max_pages", "0")]
    [InlineData("memory_max_pages", "140737488355328")]
    [InlineData("fuel", "-1")]
    public void A_limit_out_of_range_fails_to_parse_with_InvalidArgument_naming_it(string key, string value)
    {
        foreach (var (json, where) in new[]
        {
            ($$"""{ "defaults": { "{{key}}": {{value}} } }""", "defaults"),
            ($$"""{ "plugins": { "echo": {}, "relay*": { "{{key}}": {{value}} } } }""", "plugins[\"relay*\"]"),
        })
        {
            var e = TestHosts.Fails(PluginErrorKind.InvalidArgument, () => PluginPolicy.Parse(json));
            Assert.StartsWith($"invalid policy: in {where}, {key} must be between ", e.Message);
            Assert.Contains($"Actual value was {value}.", e.Message);
        }
    }

    [Fact]
    public void A_policy_file_out_of_range_is_refused_when_read_naming_the_file_the_rule_the_key_and_the_value()
    {
        using var dir = new TempDir();
        var path = dir.File("policy.json");
        File.WriteAllText(path, """{ "defaults": { "memory_max_pages": 64 }, "plugins": { "run": { "spawn": ["*"], "max_children": -3 } } }""");

        var e = TestHosts.Fails(PluginErrorKind.InvalidArgument, () => PluginPolicy.FromFile(path));

        Assert.StartsWith($"{path}: invalid policy: in plugins[\"run\"], max_children must be between 0 and 2147483647", e.Message);
        Assert.Contains("-3", e.Message);
    }

    [Theory]
    [InlineData("""{ "defaults": { "spawn": ["*"] } }""", "\"defaults\" sets only limits")]
    [InlineData("""{ "defaults": { "call": {} } }""", "\"defaults\" sets only limits")]
    [InlineData("""{ "plugins": { "a": {}, "a": {} } }""", "plugins[\"a\"] appears twice")]
    [InlineData("""{ "plugins": { "a": { "spawn": ["b", null] } } }""", "cannot be null")]
    [InlineData("""{ "plugins": { "a": { "call": { "b": null } } } }""", "cannot be null")]
    [InlineData("""[]""", "a policy is a JSON object")]
    [InlineData("""{ "plugins": [] }""", "\"plugins\" is an object")]
    [InlineData("""{ "plugins": { "a": { "max_depth": "deep" } } }""", "in plugins[\"a\"], ")]
    public void A_policy_that_cannot_mean_what_it_says_is_refused_when_parsed(string json, string problem)
    {
        var e = TestHosts.Fails(PluginErrorKind.InvalidArgument, () => PluginPolicy.Parse(json));

        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_limit_out_of_range_set_in_code_throws_ArgumentOutOfRangeException()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolicyRule { TimeoutMs = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolicyRule { MaxChildren = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolicyRule { MemoryMaxPages = 1L << 47 });
        Assert.Throws<ArgumentOutOfRangeException>(() => TestHosts.SpawnAll with { Fuel = -1 });
    }

    [Fact]
    public void The_largest_limits_parse_and_mean_no_effective_limit()
    {
        var policy = PluginPolicy.Parse($$"""{ "defaults": { "timeout_ms": {{long.MaxValue}}, "max_children": {{int.MaxValue}} }, "plugins": { "*": { "spawn": ["*"] } } }""");
        using var host = TestHosts.Host(policy);

        Assert.Equal("relay(end)", host.RunText("relay", "chain", "relay"));
    }
}
