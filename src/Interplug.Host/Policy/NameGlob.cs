using System.IO.Enumeration;

namespace Interplug.Host.Policy;

/// <summary>
/// Policy globs over plugin and export names: <c>*</c> any run of characters, <c>?</c> one,
/// <c>\</c> escapes the next. Case-sensitive (ordinal), as the names themselves are: a rule for
/// <c>target</c> says nothing about <c>TARGET</c>.
/// </summary>
internal static class NameGlob
{
    public static bool Matches(string name, string glob) => FileSystemName.MatchesSimpleExpression(glob, name, ignoreCase: false);
}
