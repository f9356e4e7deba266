namespace Interplug.Runtime.Env;

/// <summary>Matches host names against <c>allowed_hosts</c> globs: <c>*</c> any run of characters, <c>?</c> one, case-insensitive.</summary>
internal static class HostGlob
{
    public static bool IsAllowed(string host, IReadOnlyList<string> globs)
    {
        foreach (var glob in globs)
            if (Matches(host.AsSpan(), glob.AsSpan()))
                return true;
        return false;
    }

    public static bool Matches(ReadOnlySpan<char> text, ReadOnlySpan<char> glob)
    {
        // Iterative matcher with one backtrack point: linear in practice, no recursion.
        int t = 0, g = 0, starG = -1, starT = 0;
        while (t < text.Length)
        {
            if (g < glob.Length && (glob[g] == '?' || char.ToLowerInvariant(glob[g]) == char.ToLowerInvariant(text[t])))
            {
                t++;
                g++;
            }
            else if (g < glob.Length && glob[g] == '*')
            {
                starG = g++;
                starT = t;
            }
            else if (starG >= 0)
            {
                g = starG + 1;
                t = ++starT;
            }
            else
            {
                return false;
            }
        }
        while (g < glob.Length && glob[g] == '*')
            g++;
        return g == glob.Length;
    }
}
