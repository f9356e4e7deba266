namespace Interplug.Runtime;

/// <summary>Pulls the one informative line out of a Wasmtime error, whose message leads with a backtrace.</summary>
internal static class TrapText
{
    public static string Of(Exception e)
    {
        var lines = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var line in lines)
            if (line.StartsWith("wasm trap:", StringComparison.Ordinal))
                return line["wasm trap:".Length..].Trim();
        var caused = Array.FindIndex(lines, l => l.StartsWith("Caused by", StringComparison.Ordinal));
        if (caused >= 0 && caused + 1 < lines.Length)
        {
            var cause = lines[caused + 1].TrimStart('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ' ');
            // Keep a leading line that says what failed, such as which import has the wrong type.
            return caused > 0 && !lines[0].Contains("backtrace", StringComparison.Ordinal) ? $"{lines[0]}: {cause}" : cause;
        }
        return lines.Length > 0 ? lines[^1] : e.GetType().Name;
    }
}
