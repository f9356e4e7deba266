namespace Interplug.Orleans.Grains;

/// <summary>What a process grain answers: the output, or the failure; and the silo that answered, for traces.</summary>
[GenerateSerializer, Immutable]
internal sealed record PluginReply
{
    [Id(0)] public byte[]? Output { get; init; }
    [Id(1)] public PluginFault? Fault { get; init; }
    [Id(2)] public required string Silo { get; init; }

    /// <summary>The process a start started, as chains name it (<see cref="Host.PluginProcess.Key"/>); set only by a child's start.</summary>
    [Id(3)] public string? Process { get; init; }

    /// <summary>The calls a traced call made, in the order they started, with their silos; null when not traced.</summary>
    [Id(4)] public WireHop[]? Hops { get; init; }

    /// <summary>The output, or the fault re-thrown as the <see cref="Runtime.PluginException"/> the silo caught.</summary>
    public byte[] OutputOrThrow() => Fault is { } fault ? throw fault.ToException() : Output ?? [];
}
