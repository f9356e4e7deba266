using System.CommandLine;
using Interplug.Cli;

var root = new RootCommand("Interplug: WebAssembly plugins as processes, the host as their operating system.")
{
    CallCommand.Create(),
    RunCommand.Create(),
    InspectCommand.Create(),
    SiloCommand.Create(),
};
var parse = root.Parse(args);
// A parse error is a usage error like any other: one line each on stderr and exit code 2,
// not the parser's help text on stdout, which carries nothing but plugin output.
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
        Console.Error.WriteLine($"error: {TerminalText.Escape(error.Message)}");
    return CliErrors.Usage;
}
return parse.Invoke();
