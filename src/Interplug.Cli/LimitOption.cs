using System.CommandLine;
using System.Globalization;

namespace Interplug.Cli;

/// <summary>
/// Options that take a limit: a whole number from 1 to a maximum, checked while the command line is
/// parsed, so a wrong value is a usage error before anything runs. Zero and negative limits used to
/// be taken silently (a zero timeout failing every call as a timeout); a value too large for a
/// 64-bit number named the CLR type instead of the option's range.
/// </summary>
internal static class LimitOption
{
    public static Option<long?> Create(string name, string description, string unit, long max = long.MaxValue) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            // The option takes exactly one token; a missing one is reported by the parser before this runs.
            var token = result.Tokens[0].Value;
            if (long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1 && value <= max)
                return value;
            result.AddError($"{name} takes a whole number of {unit} from 1 to {max.ToString(CultureInfo.InvariantCulture)}, got \"{token}\"");
            return null;
        },
    };
}
