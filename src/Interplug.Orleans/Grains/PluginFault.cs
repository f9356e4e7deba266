using Interplug.Runtime;

namespace Interplug.Orleans.Grains;

/// <summary>
/// A <see cref="PluginException"/> as it crosses the grain boundary: every field a caller reads,
/// so the client re-throws an exception equal to the one the silo caught. Carried in a reply
/// rather than thrown, so a plugin's failure stays an ordinary answer to Orleans.
/// </summary>
[GenerateSerializer, Immutable]
internal sealed record PluginFault
{
    [Id(0)] public required PluginErrorKind Kind { get; init; }
    [Id(1)] public required string Message { get; init; }
    [Id(2)] public int? ExitCode { get; init; }
    [Id(3)] public string? ImportName { get; init; }
    [Id(4)] public string? ExportName { get; init; }
    [Id(5)] public string? CallChain { get; init; }

    public static PluginFault From(PluginException e) => new()
    {
        Kind = e.Kind,
        Message = e.Message,
        ExitCode = e.ExitCode,
        ImportName = e.ImportName,
        ExportName = e.ExportName,
        CallChain = e.CallChain,
    };

    public PluginException ToException() => new(Kind, Message)
    {
        ExitCode = ExitCode,
        ImportName = ImportName,
        ExportName = ExportName,
        CallChain = CallChain,
    };
}
