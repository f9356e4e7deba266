using System.Text.Json.Serialization;

namespace Interplug.Runtime.Manifests;

/// <summary>One module of a manifest: exactly one of <see cref="Path"/>, <see cref="Data"/>, <see cref="Url"/> or <see cref="Bytes"/>.</summary>
public sealed record WasmSource
{
    /// <summary>A file path, absolute or relative to the manifest's directory.</summary>
    public string? Path { get; init; }

    /// <summary>The module as base64.</summary>
    public string? Data { get; init; }

    /// <summary>An HTTP(S) URL to download the module from.</summary>
    public string? Url { get; init; }

    /// <summary>The module's bytes, for manifests built in code; not part of the JSON.</summary>
    [JsonIgnore]
    public ReadOnlyMemory<byte>? Bytes { get; init; }

    /// <summary>The name other modules import this one by; <c>main</c> marks the plugin itself.</summary>
    public string? Name { get; init; }

    /// <summary>Expected SHA-256 of the bytes, in hex; loading fails when it differs.</summary>
    public string? Hash { get; init; }

    /// <summary>A short description of where the module comes from, for messages.</summary>
    public override string ToString() =>
        Path ?? Url ?? (Data is not null ? "base64 data" : Bytes is not null ? "in-memory bytes" : "empty source");
}
