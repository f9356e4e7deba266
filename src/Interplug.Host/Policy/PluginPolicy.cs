using System.Text.Json;
using System.Text.Json.Serialization;
using Interplug.Runtime;

namespace Interplug.Host.Policy;

/// <summary>
/// Who may spawn and call whom, and within which limits, by plugin name. Spawning is denied
/// unless a rule allows it. A plugin's rule is the one keyed by its exact name, else the first
/// key that matches it as a glob (<c>*</c>, <c>?</c>) in declaration order. Names, exports and
/// globs are compared case-sensitively (ordinal). Limits are range-checked as they are set
/// (see <see cref="PolicyRule"/>).
/// </summary>
/// <example>
/// <code>
/// {
///   "defaults": { "max_children": 16, "max_depth": 8, "memory_max_pages": 256, "timeout_ms": 30000 },
///   "plugins": {
///     "run":   { "spawn": ["count_vowels"], "call": { "count_vowels": ["count_vowels"] }, "max_children": 1 },
///     "relay*": { "spawn": ["relay*", "echo"], "max_descendants": 100 }
///   }
/// }
/// </code>
/// </example>
public sealed record PluginPolicy
{
    // Reflection-based on purpose: the source generator resets init-only properties that are
    // missing from the JSON to null instead of keeping their initialisers.
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>The limits used where a rule sets none.</summary>
    public static readonly PolicyRule BuiltInDefaults = new()
    {
        MaxChildren = 16,
        MaxDescendants = 64,
        MaxDepth = 8,
        MaxParallel = 16,
        MemoryMaxPages = 256,
        TimeoutMs = 30_000,
    };

    /// <summary>A policy with no rules: plugins run but may spawn nothing.</summary>
    public static PluginPolicy DenyAll { get; } = new();

    /// <summary>Every plugin may spawn every plugin of the catalog and call any export, within the default limits.</summary>
    public static PluginPolicy AllowAll { get; } = new()
    {
        Plugins = new Dictionary<string, PolicyRule> { ["*"] = new PolicyRule { Spawn = ["*"] } },
    };

    /// <summary>Limits for rules that set none; unset fields fall back to <see cref="BuiltInDefaults"/>.</summary>
    public PolicyRule Defaults { get; init; } = BuiltInDefaults;

    /// <summary>Rules by plugin name or name glob.</summary>
    public IReadOnlyDictionary<string, PolicyRule> Plugins { get; init; } = new Dictionary<string, PolicyRule>();

    /// <summary>Whether any rule, or the defaults, limits fuel: the host must then meter it.</summary>
    internal bool SetsFuel => Defaults.Fuel is not null || Plugins.Values.Any(r => r.Fuel is not null);

    /// <summary>Parses a policy from JSON (snake_case keys, as in the example).</summary>
    /// <exception cref="PluginException">Kind <see cref="PluginErrorKind.InvalidArgument"/> for malformed JSON or a limit out of range.</exception>
    public static PluginPolicy Parse(string json)
    {
        try
        {
            var policy = JsonSerializer.Deserialize<PluginPolicy>(json, Json)
                ?? throw new PluginException(PluginErrorKind.InvalidArgument, "policy JSON is null");
            if (policy.Plugins is null || policy.Plugins.Values.Any(r => r is null || r.Spawn is null))
                throw new PluginException(PluginErrorKind.InvalidArgument, "policy: \"plugins\" and each rule's \"spawn\" cannot be null");
            return policy with { Defaults = policy.Defaults ?? BuiltInDefaults };
        }
        catch (JsonException e)
        {
            throw new PluginException(PluginErrorKind.InvalidArgument, $"invalid policy JSON: {e.Message}", e);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new PluginException(PluginErrorKind.InvalidArgument, $"invalid policy: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }

    /// <summary>Reads and parses a policy file.</summary>
    /// <exception cref="PluginException">Kind <see cref="PluginErrorKind.InvalidArgument"/> when it cannot be read or parsed, or a limit is out of range.</exception>
    public static PluginPolicy FromFile(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PluginException(PluginErrorKind.InvalidArgument, $"cannot read policy {path}: {e.Message}", e);
        }
    }

    /// <summary>The rule that governs <paramref name="name"/> and its key, or null when none does.</summary>
    public (string Key, PolicyRule Rule)? RuleFor(string name)
    {
        if (Plugins.TryGetValue(name, out var exact))
            return (name, exact);
        foreach (var (key, rule) in Plugins)
            if (NameGlob.Matches(name, key))
                return (key, rule);
        return null;
    }
}
