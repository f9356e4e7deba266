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
var minutes = new Option<double>("--minutes") { Description = "Length of the run", DefaultValueFactory = _ => 10 };
var threads = new Option<int>("--threads") { Description = "Worker threads", DefaultValueFactory = _ => 2 };
var soak = new Command("soak", "Spawn, call and free continuously with injected faults; check memory stays flat") { minutes, threads, seed };
soak.SetAction(parse =>
{
    var report = Soak.Run(new SoakOptions(TimeSpan.FromMinutes(parse.GetValue(minutes)), parse.GetValue(threads), parse.GetValue(seed)), Console.WriteLine);
    Console.WriteLine(report);
    foreach (var line in report.Unexpected.Take(20))
        Console.WriteLine("UNEXPECTED " + line);
    var flat = Math.Abs(report.ResidentGrowth) <= 0.05;
    Console.WriteLine(flat ? "resident memory within 5% of the warmed-up level" : "RESIDENT MEMORY CHANGED BY MORE THAN 5%");
    return report.Unexpected.Count == 0 && !report.Stalled && report.LiveInstancesAtEnd == 0 && flat ? 0 : 1;
});
return new RootCommand("Interplug reliability tools: fuzzing and soak") { fuzz, soak }.Parse(args).Invoke();
