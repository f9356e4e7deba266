using System.Text.Json;
using System.Text.Json.Serialization;

namespace Interplug.Host.Policy;

/// <summary>Where a plugin runs when another plugin spawns it: policy key <c>placement</c> of the spawned plugin's rule.</summary>
[JsonConverter(typeof(PluginPlacementJsonConverter))]
public enum PluginPlacement
{
    /// <summary><c>"local"</c>, the default: in its parent's host, on its parent's machine.</summary>
    Local,

    /// <summary>
    /// <c>"spread"</c>: on a cluster, on another silo chosen by Orleans placement, so that repeated
    /// spawns land on different silos. The embedded <see cref="PluginHost"/> has no other machine
    /// and runs such a child locally.
    /// </summary>
    Spread,
}

/// <summary>Reads <c>"local"</c> and <c>"spread"</c>; anything else is out of range, reported with the key and the value like every limit.</summary>
internal sealed class PluginPlacementJsonConverter : JsonConverter<PluginPlacement>
{
    public override PluginPlacement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : $"{reader.TokenType}";
        return text switch
        {
            "local" => PluginPlacement.Local,
            "spread" => PluginPlacement.Spread,
            _ => throw OutOfRange(text),
        };
    }

    // Named like the policy key, which the message reports: the parse error names rule, key and value.
    private static ArgumentOutOfRangeException OutOfRange(string? placement) =>
        new(nameof(placement), placement, "placement must be \"local\" or \"spread\"");

    public override void Write(Utf8JsonWriter writer, PluginPlacement value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value == PluginPlacement.Spread ? "spread" : "local");
    }
}
