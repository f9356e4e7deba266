using Interplug.Runtime;

namespace Interplug.Host.Catalog;

/// <summary>The rules a plugin name must follow: it becomes part of a file path, so it may not leave its folder.</summary>
public static class PluginName
{
    /// <summary>The longest name accepted.</summary>
    public const int MaxLength = 128;

    private static readonly System.Buffers.SearchValues<char> Allowed =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.");

    /// <summary>Throws unless <paramref name="name"/> is 1–128 characters of letters, digits, <c>_</c>, <c>-</c> and <c>.</c>, without <c>..</c>, not starting with <c>.</c>.</summary>
    /// <exception cref="PluginException">Kind <see cref="PluginErrorKind.InvalidArgument"/>, naming the rule broken.</exception>
    public static void Validate(string name)
    {
        string? problem = name.Length switch
        {
            0 => "is empty",
            > MaxLength => $"is longer than {MaxLength} characters",
            _ when name.Contains("..", StringComparison.Ordinal) => "contains \"..\"",
            _ when name[0] == '.' => "starts with \".\"",
            _ when name.AsSpan().IndexOfAny('/', '\\') >= 0 => "contains a path separator",
            _ when name.AsSpan().ContainsAnyExcept(Allowed) => "may only contain letters, digits, '_', '-' and '.'",
            _ => null,
        };
        if (problem is not null)
            throw new PluginException(PluginErrorKind.InvalidArgument, $"invalid plugin name \"{Printable(name)}\": it {problem}") { Origin = PluginErrorOrigin.Caller };
    }

    /// <summary>Throws unless <paramref name="name"/>, an argument the application configures a catalog with, follows the rules of <see cref="Validate"/>.</summary>
    /// <exception cref="ArgumentException">Naming the rule broken.</exception>
    internal static void ValidateArgument(string name, string paramName)
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        try
        {
            Validate(name);
        }
        catch (PluginException e)
        {
            throw new ArgumentException(e.Message, paramName, e);
        }
    }

    private static string Printable(string name) =>
        new(name.Take(MaxLength).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
