using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

// Every argument goes to BenchmarkDotNet (--filter, --list, --join, --artifacts, ...), except our
// own --quick: run each benchmark once, to check that they run. It applies Job.Dry as a mutator,
// so it replaces the iteration settings of each class's [SimpleJob] instead of adding a second
// job (BenchmarkDotNet's own --job Dry would run both).
var quick = args.Contains("--quick", StringComparer.Ordinal);
args = [.. args.Where(a => a != "--quick")];

IConfig? config = quick ? DefaultConfig.Instance.AddJob(Job.Dry.AsMutator()) : null;
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config).ToList();

// BenchmarkDotNet prints failures but exits 0; make them fail `make bench` and `make bench-quick`.
var failed = summaries.Where(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)).ToList();
foreach (var summary in failed)
    Console.Error.WriteLine($"benchmark run {summary.Title} failed; see {summary.LogFilePath}");
return failed.Count == 0 ? 0 : 1;
