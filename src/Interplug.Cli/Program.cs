using System.CommandLine;
using Interplug.Cli;

var root = new RootCommand("Interplug: WebAssembly plugins as processes, the host as their operating system.")
{
    CallCommand.Create(),
    RunCommand.Create(),
};
return root.Parse(args).Invoke();
