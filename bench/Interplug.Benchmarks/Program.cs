using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Interplug.Benchmarks;

// --capacity [--target N] [--batch N] [--rss-limit-gib G] [--out file.json]: the console mode that
// counts how many live idle instances the host holds (CapacityRun.cs); not BenchmarkDotNet.
if (args.Contains("--capacity", StringComparer.Ordinal))
    return CapacityRun.Run(args);

// Every other argument goes to BenchmarkDotNet (--filter, --list, --join, --artifacts,
// --anyCategories, ...), except our own --quick: run each benchmark once, to check that they run.
// It applies Job.Dry as a mutator, so it replaces the iteration settings of each class's
// [SimpleJob] instead of adding a second job (BenchmarkDotNet's own --job Dry would run both), and
// runs in process, which skips building a separate benchmark project (the slow part of a dry run).
// --in-process keeps each class's iteration settings but runs in process too: on a machine busy
// enough that building the separate project times out (BenchmarkDotNet allows it 2 minutes).
var quick = args.Contains("--quick", StringComparer.Ordinal);
var inProcess = args.Contains("--in-process", StringComparer.Ordinal);
args = [.. args.Where(a => a is not ("--quick" or "--in-process"))];

// The full JSON report is what bench/report/report.mjs reads.
IConfig config = DefaultConfig.Instance.AddExporter(JsonExporter.Full);
if (quick)
    config = config.AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).AsMutator());
else if (inProcess)
    config = config.AddJob(new Job().WithToolchain(InProcessEmitToolchain.Instance).AsMutator());
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config).ToList();

// BenchmarkDotNet prints failures but exits 0; make them fail `make bench` and `make bench-quick`.
var failed = summaries.Where(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)).ToList();
foreach (var summary in failed)
    Console.Error.WriteLine($"benchmark run {summary.Title} failed; see {summary.LogFilePath}");
return failed.Count == 0 && summaries.Count > 0 ? 0 : 1;
