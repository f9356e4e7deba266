using System.Globalization;
using System.Text;

namespace Interplug.Cli;

/// <summary>
/// Makes text a plugin controls safe to print on a terminal: every control character (C0, DEL,
/// C1), line and paragraph separator and bidirectional override is shown as an escape such as
/// <c>\r</c>, <c>\x1b</c> or <c>\u009b</c>, so one message stays one line and cannot move the
/// cursor, clear the screen, reorder what is shown or forge another line of the CLI's own.
/// </summary>
internal static class TerminalText
{
    private static readonly System.Buffers.SearchValues<char> Hazards = System.Buffers.SearchValues.Create(
        [.. Range('\0', '\x1f'), .. Range('\x7f', '\x9f'), '\u2028', '\u2029', .. Range('\u202a', '\u202e'), .. Range('\u2066', '\u2069')]);

    public static string Escape(string text)
    {
        // Most messages are clean: return them without building a copy.
        var first = text.AsSpan().IndexOfAny(Hazards);
        if (first < 0)
            return text;
        var escaped = new StringBuilder(text.Length + 16).Append(text, 0, first);
        foreach (var c in text.AsSpan(first))
        {
            if (!Hazards.Contains(c))
                escaped.Append(c);
            else if (c == '\r')
                escaped.Append(@"\r");
            else if (c == '\n')
                escaped.Append(@"\n");
            else if (c == '\t')
                escaped.Append(@"\t");
            else if (c < 0x80)
                escaped.Append(CultureInfo.InvariantCulture, $@"\x{(int)c:x2}");
            else
                escaped.Append(CultureInfo.InvariantCulture, $@"\u{(int)c:x4}");
        }
        return escaped.ToString();
    }

    private static IEnumerable<char> Range(char first, char last)
    {
        for (var c = first; c <= last; c++)
            yield return c;
    }
}
