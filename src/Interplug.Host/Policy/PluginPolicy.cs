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

    private static readonly JsonDocumentOptions Document = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

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

    /// <summary>
    /// Parses a policy from JSON (snake_case keys, as in the example). Everything is checked here:
    /// unknown keys, a <c>defaults</c> that grants rights, and every limit's range, each reported
    /// with the rule it is in, the key and the value.
    /// </summary>
    /// <exception cref="PluginException">Kind <see cref="PluginErrorKind.InvalidArgument"/> for malformed JSON, an unknown key, or a limit out of range.</exception>
    public static PluginPolicy Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json, Document);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw Invalid($"a policy is a JSON object, not {document.RootElement.ValueKind}");
            var defaults = BuiltInDefaults;
            var plugins = new Dictionary<string, PolicyRule>(StringComparer.Ordinal);
            foreach (var section in document.RootElement.EnumerateObject())
            {
                switch (section.Name)
                {
                    case "defaults":
                        defaults = Rule(section.Value, "defaults");
                        if (defaults.Spawn.Count > 0 || defaults.Call is not null)
                            throw Invalid("\"defaults\" sets only limits; \"spawn\" and \"call\" belong in a plugin's rule");
                        break;
                    case "plugins":
                        if (section.Value.ValueKind != JsonValueKind.Object)
                            throw Invalid($"\"plugins\" is an object of rules by plugin name, not {section.Value.ValueKind}");
                        foreach (var rule in section.Value.EnumerateObject())
                        {
                            if (!plugins.TryAdd(rule.Name, Rule(rule.Value, $"plugins[\"{rule.Name}\"]")))
                                throw Invalid($"plugins[\"{rule.Name}\"] appears twice");
                        }
                        break;
                    default:
                        throw Invalid($"unknown key \"{section.Name}\"; a policy has \"defaults\" and \"plugins\"");
                }
            }
            return new PluginPolicy { Defaults = defaults, Plugins = plugins };
        }
        catch (JsonException e)
        {
            throw new PluginException(PluginErrorKind.InvalidArgument, $"invalid policy JSON: {e.Message}", e);
        }
    }

    /// <summary>Reads and parses a policy file; messages start with its path.</summary>
    /// <exception cref="PluginException">Kind <see cref="PluginErrorKind.InvalidArgument"/> when it cannot be read or parsed, or a limit is out of range.</exception>
    public static PluginPolicy FromFile(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PluginException(PluginErrorKind.InvalidArgument, $"cannot read policy {path}: {e.Message}", e);
        }
        try
        {
            return Parse(json);
        }
        catch (PluginException e)
        {
            throw new PluginException(e.Kind, $"{path}: {e.Message}", e);
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

    private static PolicyRule Rule(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw Invalid($"{where} is a rule object, not {element.ValueKind}");
        try
        {
            var rule = element.Deserialize<PolicyRule>(Json)!;
            return rule.Spawn is null || rule.Spawn.Contains(null!) || (rule.Call is { } calls && calls.Values.Any(exports => exports is null || exports.Contains(null!)))
                ? throw Invalid($"in {where}, \"spawn\", the export lists of \"call\" and their entries cannot be null")
                : rule;
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new PluginException(PluginErrorKind.InvalidArgument, $"invalid policy: in {where}, {e.Message.ReplaceLineEndings(" ")}", e);
        }
        catch (JsonException e)
        {
            throw new PluginException(PluginErrorKind.InvalidArgument, $"invalid policy: in {where}, {e.Message}", e);
        }
    }

    private static PluginException Invalid(string problem) => new(PluginErrorKind.InvalidArgument, $"invalid policy: {problem}");
}
