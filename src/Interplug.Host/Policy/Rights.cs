namespace Interplug.Host.Policy;

/// <summary>
/// The rights and limits one process actually has: its own rule, narrowed by everything its
/// ancestors have. A child never gets more than its parent.
/// </summary>
internal sealed class Rights
{
    private Rights(string name, string? ruleKey, PolicyRule rule, PolicyRule defaults, Rights? parent)
    {
        Name = name;
        RuleKey = ruleKey;
        Rule = rule;
        Parent = parent;
        MaxChildren = Tighter(rule.MaxChildren ?? defaults.MaxChildren ?? PluginPolicy.BuiltInDefaults.MaxChildren!.Value, null);
        MaxDescendants = Tighter(rule.MaxDescendants ?? defaults.MaxDescendants ?? PluginPolicy.BuiltInDefaults.MaxDescendants!.Value, null);
        MaxDepth = Tighter(rule.MaxDepth ?? defaults.MaxDepth ?? PluginPolicy.BuiltInDefaults.MaxDepth!.Value, parent?.MaxDepth);
        MaxParallel = Tighter(rule.MaxParallel ?? defaults.MaxParallel ?? PluginPolicy.BuiltInDefaults.MaxParallel!.Value, parent?.MaxParallel);
        MemoryMaxPages = Tighter(rule.MemoryMaxPages ?? defaults.MemoryMaxPages ?? PluginPolicy.BuiltInDefaults.MemoryMaxPages, parent?.MemoryMaxPages);
        TimeoutMs = Tighter(rule.TimeoutMs ?? defaults.TimeoutMs ?? PluginPolicy.BuiltInDefaults.TimeoutMs, parent?.TimeoutMs);
        Fuel = Tighter(rule.Fuel ?? defaults.Fuel, parent?.Fuel);
        Placement = rule.Placement ?? defaults.Placement ?? PluginPlacement.Local;
    }

    public string Name { get; }

    /// <summary>The policy key of the governing rule; null when no rule matched.</summary>
    public string? RuleKey { get; }

    public PolicyRule Rule { get; }

    public Rights? Parent { get; }

    public int MaxChildren { get; }

    public int MaxDescendants { get; }

    public int MaxDepth { get; }

    /// <summary>Calls started with <c>call_plugin_async</c> and not yet awaited it may have at once; never more than its parent's.</summary>
    public int MaxParallel { get; }

    public long? MemoryMaxPages { get; }

    public long? TimeoutMs { get; }

    public long? Fuel { get; }

    /// <summary>Where the process runs when spawned: its own rule's, not narrowed by its ancestors.</summary>
    public PluginPlacement Placement { get; }

    /// <summary>
    /// The names from the top-level process down to this one, from which <see cref="ForLineage"/>
    /// computes these rights again on another machine. Limits a host set with
    /// <see cref="PluginHost.Start"/> are not among them: only the embedded host sets those, and it places every child locally.
    /// </summary>
    public IReadOnlyList<string> Lineage()
    {
        var names = new List<string>();
        for (var r = this; r is not null; r = r.Parent)
            if (!r.IsCap)
                names.Add(r.Name);
        names.Reverse();
        return names;
    }

    /// <summary>The rights of the last of <paramref name="lineage"/>, computed down from the first exactly as its spawns did.</summary>
    public static Rights ForLineage(PluginPolicy policy, IReadOnlyList<string> lineage)
    {
        var rights = Create(policy, lineage[0], null);
        for (var i = 1; i < lineage.Count; i++)
            rights = rights.ForChild(policy, lineage[i]);
        return rights;
    }

    public static Rights ForRoot(PluginPolicy policy, string name, PolicyRule? narrowing = null)
    {
        var root = Create(policy, name, null);
        return narrowing is null ? root : new Rights(name, root.RuleKey, root.Rule, policy.Defaults, Cap(narrowing, root));
    }

    public Rights ForChild(PluginPolicy policy, string name) => Create(policy, name, this);

    /// <summary>Null when this process may spawn <paramref name="child"/>; otherwise why not, naming the rule.</summary>
    public string? WhyNotSpawn(string child)
    {
        for (var r = this; r is not null; r = r.Parent)
        {
            if (r.IsCap)
                continue;
            if (r.RuleKey is null)
                return Narrowed(r, $"no policy rule covers \"{r.Name}\", and spawning is denied unless a rule allows it");
            if (!AnyMatches(r.Rule.Spawn, child))
                return Narrowed(r, $"policy rule \"{r.RuleKey}\" lets \"{r.Name}\" spawn [{string.Join(", ", r.Rule.Spawn)}], not \"{child}\"");
        }
        return null;
    }

    /// <summary>Null when this process may call <paramref name="export"/> on <paramref name="callee"/>; otherwise why not.</summary>
    public string? WhyNotCall(string callee, string export)
    {
        for (var r = this; r is not null; r = r.Parent)
        {
            if (r.IsCap || r.Rule.Call is not { } calls)
                continue;
            if (!MayCall(calls, callee, export))
                return Narrowed(r, $"policy rule \"{r.RuleKey}\" does not let \"{r.Name}\" call {callee}.{export}");
        }
        return null;
    }

    private bool IsCap { get; init; }

    // Loops rather than LINQ: these run on every spawn and call, and lambdas capturing a parameter
    // make C# allocate their closure on entry to the method, even when no lambda runs.
    private static bool MayCall(IReadOnlyDictionary<string, IReadOnlyList<string>> calls, string callee, string export)
    {
        foreach (var (calleeGlob, exports) in calls)
            if (NameGlob.Matches(callee, calleeGlob) && AnyMatches(exports, export))
                return true;
        return false;
    }

    private static bool AnyMatches(IReadOnlyList<string> globs, string name)
    {
        for (var i = 0; i < globs.Count; i++)
            if (NameGlob.Matches(name, globs[i]))
                return true;
        return false;
    }

    private string Narrowed(Rights denier, string reason) =>
        ReferenceEquals(denier, this) ? reason : $"{reason} (rights only narrow: \"{Name}\" inherits the limits of its ancestor \"{denier.Name}\")";

    private static Rights Create(PluginPolicy policy, string name, Rights? parent)
    {
        var found = policy.RuleFor(name);
        return new Rights(name, found?.Key, found?.Rule ?? new PolicyRule(), policy.Defaults, parent);
    }

    // Limits the host sets for a top-level process (say from the command line) act as an invisible parent.
    private static Rights Cap(PolicyRule narrowing, Rights root) =>
        new("(host)", null, narrowing, new PolicyRule
        {
            MaxChildren = root.MaxChildren, MaxDescendants = root.MaxDescendants, MaxDepth = root.MaxDepth, MaxParallel = root.MaxParallel,
            MemoryMaxPages = root.MemoryMaxPages, TimeoutMs = root.TimeoutMs, Fuel = root.Fuel,
        }, null) { IsCap = true };

    private static int Tighter(int own, int? parent) => parent is { } p ? Math.Min(own, p) : own;

    private static long? Tighter(long? own, long? parent) => (own, parent) switch
    {
        ({ } a, { } b) => Math.Min(a, b),
        (var a, var b) => a ?? b,
    };
}
