using System.CommandLine;
using Interplug.Reliability;

var seed = new Option<int>("--seed") { Description = "Seed of the first run", DefaultValueFactory = _ => 1 };
var runs = new Option<int>("--runs") { Description = "Driver calls", DefaultValueFactory = _ => 31_250 };
var steps = new Option<int>("--steps") { Description = "Boundary calls per driver call", DefaultValueFactory = _ => 32 };
var fuzz = new Command("fuzz", "Fuzz the plugin/host boundary with random call sequences") { seed, runs, steps };
fuzz.SetAction(parse =>
{
    var report = Fuzzer.Run(new FuzzOptions(parse.GetValue(seed), parse.GetValue(runs), parse.GetValue(steps)), Console.WriteLine);
    Console.WriteLine(report);
    foreach (var line in report.Unexpected.Take(20))
        Console.WriteLine("UNEXPECTED " + line);
    return report.Unexpected.Count == 0 ? 0 : 1;
});
return new RootCommand("Interplug reliability tools: fuzzing and soak") { fuzz }.Parse(args).Invoke();
