// Puts Interplug's and the Extism JS SDK's results side by side: a Markdown table of medians,
// ratios and targets (met / not met), a merged results file, and an SVG chart.
//
// From the raw results of one run (bench/side-by-side.sh passes these):
//   node bench/report/report.mjs --bdn <BenchmarkDotNet *-report-full.json[,more.json]>
//     --capacity <interplug-capacity.json> --peer <peer.json> --meta <meta.json> [--loadavg <log>]
//     [--save results.json] [--md report.md] [--svg chart.svg]
// From a merged results file saved earlier (how docs/benchmarks.svg is made):
//   node bench/report/report.mjs --from bench/report/results/2026-11-23.json --svg docs/benchmarks.svg
//
// No dependencies. Exits non-zero when an input is missing or, for a quick run, when any workload
// has no result (bench-quick's check that everything ran). Targets never fail the run: this is a
// benchmark, not a test.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length && args[i + 1] !== '' ? args[i + 1] : null;
};
const readJson = (path, what) => {
  if (!path || !existsSync(path)) {
    console.error(`report: no ${what} (${path ?? 'not given'})`);
    process.exit(1);
  }
  return JSON.parse(readFileSync(path, 'utf8'));
};
const write = (path, text) => {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileSync(path, text);
};

// ---- inputs -----------------------------------------------------------------------------------

function merge() {
  // One or more full JSON reports (comma-separated): one per class when run without --join.
  const reports = (opt('--bdn') ?? '').split(',').filter(Boolean).map((path) => readJson(path, 'BenchmarkDotNet full JSON report'));
  if (!reports.length) readJson(null, 'BenchmarkDotNet full JSON report');
  const bdn = reports[0];
  const benchmarks = {};
  for (const b of reports.flatMap((r) => r.Benchmarks ?? [])) {
    const s = b.Statistics;
    if (!s) continue;
    benchmarks[`${b.Type}.${b.Method}`] = {
      title: (b.MethodTitle ?? b.Method).replace(/^'|'$/g, ''),
      median_ns: s.Median,
      mean_ns: s.Mean,
      stddev_ns: s.StandardDeviation,
      min_ns: s.Min,
      max_ns: s.Max,
      iterations: s.N,
      allocated_bytes_per_op: b.Memory?.BytesAllocatedPerOperation ?? null,
    };
  }
  const meta = readJson(opt('--meta'), 'meta.json');
  const loadPath = opt('--loadavg');
  if (loadPath && existsSync(loadPath)) {
    const ones = readFileSync(loadPath, 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[1])).filter((x) => !Number.isNaN(x));
    if (ones.length) {
      meta.load_1min = { samples: ones.length, min: Math.min(...ones), median: median(ones), max: Math.max(...ones) };
    }
  }
  return {
    meta,
    interplug: { environment: bdn.HostEnvironmentInfo, benchmarks, capacity: readJson(opt('--capacity'), 'Interplug capacity results') },
    peer: readJson(opt('--peer'), 'peer results'),
  };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const data = opt('--from') ? readJson(opt('--from'), 'merged results') : merge();
const quick = data.meta.mode === 'quick' || data.peer.quick === true;
const I = (key) => data.interplug.benchmarks[key]?.median_ns ?? null;
const P = (key) => data.peer.results?.[key]?.median_ns ?? null;
const peerN = (key) => data.peer.results?.[key]?.n ?? null;

// ---- formatting -------------------------------------------------------------------------------

const has = (x) => x !== null && x !== undefined && Number.isFinite(x);
function time(ns) {
  if (!has(ns)) return '—';
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(ns >= 1e5 ? 0 : ns >= 1e4 ? 1 : 2)} µs`;
  return `${ns.toFixed(ns >= 100 ? 0 : 1)} ns`;
}
const mbps = (bytes, ns) => (has(ns) && ns > 0 ? (bytes / ns) * 1e3 : null); // bytes/ns = GB/s; ×1000 = MB/s
function rate(x) {
  if (!has(x)) return '—';
  if (x >= 1000) return `${(x / 1000).toFixed(x >= 1e4 ? 1 : 2)} GB/s`;
  return `${x.toFixed(x >= 100 ? 0 : x >= 10 ? 1 : 2)} MB/s`;
}
function ratio(x) {
  if (!has(x)) return '—';
  return `${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`;
}
const div = (a, b) => (has(a) && has(b) && b > 0 ? a / b : null);
const int = (x) => (has(x) ? Math.round(x).toLocaleString('en-US') : '—');
const kib = (b) => (has(b) ? `${(b / 1024).toFixed(1)} KiB` : '—');

// ---- the figures --------------------------------------------------------------------------------

const SIZES = [
  [64, '64 B', 'CallPlugin64', 'p2p_echo_64', 'Copy64', 'copy_64'],
  [4 << 10, '4 KiB', 'CallPlugin4K', 'p2p_echo_4k', 'Copy4K', 'copy_4k'],
  [64 << 10, '64 KiB', 'CallPlugin64K', 'p2p_echo_64k', 'Copy64K', 'copy_64k'],
  [1 << 20, '1 MiB', 'CallPlugin1M', 'p2p_echo_1m', 'Copy1M', 'copy_1m'],
];

// Each row: Interplug's benchmark (i), the peer's figure with every plugin in the foreground (fg),
// and with the calling plugin in a worker (w). Host→plugin calls run in the foreground in both
// modes; the foreground peer cannot spawn (the SDK creates plugins asynchronously only).
const timed = [
  { label: 'host→plugin empty call', i: 'SideBySideEnv.Empty', fg: 'host_empty' },
  { label: 'host→plugin call, count_vowels 13 B', i: 'SideBySideHostCall.CountVowels13', fg: 'host_count_vowels_13' },
  { label: 'host→plugin call, count_vowels on call_loop\'s 13 B', i: 'SideBySideEnv.CountVowels13', fg: 'host_count_vowels_p13' },
  { label: 'host→plugin call, echo 13 B', i: 'SideBySideHostCall.Echo13', fg: 'host_echo_13' },
  { label: 'config_get (PDK Config.get, in a loop)', i: 'SideBySideEnv.ConfigGet', fg: 'env_config_get' },
  { label: 'var_get + var_set (PDK, in a loop)', i: 'SideBySideEnv.VarPair', fg: 'env_var_pair' },
  { label: 'plugin→plugin round trip, empty call', i: 'SideBySideCallPlugin.CallPluginEmpty', fg: 'fg_p2p_empty', w: 'p2p_empty' },
  { label: 'plugin→plugin round trip, count_vowels 13 B', i: 'SideBySideCallPlugin.CallPluginCountVowels13', fg: 'fg_p2p_count_vowels_13', w: 'p2p_count_vowels_13' },
  { label: 'plugin→plugin round trip, echo 13 B', i: 'SideBySideCallPlugin.CallPlugin13', fg: 'fg_p2p_echo_13', w: 'p2p_echo_13' },
  ...SIZES.map(([, name, im, pk]) => ({ label: `call_plugin echo ${name}`, i: `SideBySideCallPlugin.${im}`, w: pk })),
  { label: 'spawn of a cached module (register_plugin)', i: 'SideBySideSpawn.Spawn', w: 'spawn' },
  { label: 'spawn + free (register_plugin + free_plugin)', i: 'SideBySideSpawnFree.SpawnFree', w: 'spawn_free' },
];
// The strongest peer figure of a row: the foreground one where the peer has it.
const peerOf = (row) => P(row.fg) ?? P(row.w);

// The runtime's own rows (HostFunctionBenchmarks, runtime API, a WAT plugin): each loop round
// includes the kernel work around the host function, which the `Kernel` row measures alone.
const H = (method) => I(`HostFunctionBenchmarks.${method}`);
const net = (method) => (has(H(method)) && has(H('Kernel')) ? H(method) - H('Kernel') : null);

const cap = data.interplug.capacity;
const peerCap = data.peer.capacity;
// RSS growth per instance: the least-squares slope of RSS over live instances across the spawn
// batches (a batch that failed is left out: a failure can make the runtime collect garbage and
// drop RSS). Less sensitive than the two end points to garbage in the baseline.
function slope(c) {
  const b = (c?.batches ?? []).slice(0, c?.error ? -1 : undefined);
  if (b.length < 2) return null;
  const mx = b.reduce((a, x) => a + x.live, 0) / b.length;
  const my = b.reduce((a, x) => a + x.rss_bytes, 0) / b.length;
  const sxx = b.reduce((a, x) => a + (x.live - mx) ** 2, 0);
  return sxx > 0 ? b.reduce((a, x) => a + (x.live - mx) * (x.rss_bytes - my), 0) / sxx : null;
}
const capSlope = slope(cap);
// Why a capacity run stopped, in a few words.
function stopShort(c) {
  if (!c) return '—';
  const why = `${c.stop_reason ?? ''} ${c.error ?? ''}`;
  if (/max_map_count/.test(why)) return `vm.max_map_count (${int(c.memory_mappings)} mappings of ${int(c.max_map_count)})`;
  if (/Out of memory|out of memory/.test(why)) return 'out of memory for a new Wasm memory';
  return (c.error ?? c.stop_reason ?? '—').split(':')[0];
}
const peerSlope = slope(peerCap);
const spinRatio = div(I('SideBySideThreads.OneThreadSpin'), I('SideBySideThreads.TwoThreadsSpin'));
const p2p = I('SideBySideCallPlugin.CallPlugin13');
const oneThread = I('SideBySideThreads.OneThread');
const twoThreads = I('SideBySideThreads.TwoThreads');
// Fan-out (issue 12): two CPU-bound children at once against one after the other, and one
// call_plugin_async + await_call round trip against one call_plugin round trip.
const fanSpeedup = div(I('FanOutBenchmarks.Sequence'), I('FanOutBenchmarks.Parallel'));
const asyncRoundTrip = I('FanOutBenchmarks.AsyncRoundTrip');
const syncRoundTrip = I('FanOutBenchmarks.SyncRoundTrip');

// A 1 MiB call_plugin round trip of the SideBySideCallPlugin benchmark `method`, as % of the plain copy's bandwidth.
function pctOfCopy(method) {
  const r = div(I('SideBySideCopy.Copy1M'), I(`SideBySideCallPlugin.${method}`));
  return has(r) ? `${(r * 100).toFixed(1)}%` : '—';
}

const m0 = data.meta ?? {};
const cvDirect = I('SideBySideEnv.CountVowels13');
const cvNested = I('SideBySideCallPlugin.CallPluginCountVowels13');
const hostFunctionTarget = (name, method) => ({
  target: `${name} ≤ 100 ns, called from wasm (runtime API)`,
  shown: `${time(H(method))} per round, of which the kernel's alloc+store+free ${time(H('Kernel'))}: ${time(net(method))} for ${name} itself`,
  met: has(net(method)) ? net(method) <= 100 : null,
});
const targets = [
  { target: 'empty host→plugin call ≤ 0.3 µs (runtime API)', shown: time(H('Empty')), met: has(H('Empty')) ? H('Empty') <= 300 : null },
  hostFunctionTarget('config_get', 'ConfigGet'),
  hostFunctionTarget('var_get', 'VarGet'),
  hostFunctionTarget('var_set', 'VarSet'),
  { target: 'count_vowels call ≤ 2.5 µs direct (host API, 13 B)', shown: `${time(cvDirect)} (runtime API, "Hello, World!": ${time(I('HostCallBenchmarks.CountVowels'))})`, met: has(cvDirect) ? cvDirect <= 2500 : null },
  (() => {
    const r = div(cvNested, cvDirect);
    return { target: 'call_plugin round trip into count_vowels ≤ 1.2× the direct call', shown: `${ratio(r)} (${time(cvNested)} vs ${time(cvDirect)})`, met: has(r) ? r <= 1.2 : null };
  })(),
  (() => {
    const r = div(P('fg_p2p_count_vowels_13'), cvNested);
    return { target: 'count_vowels round trip ≥ 15× faster than the JS SDK in the foreground', shown: `${ratio(r)} (${time(P('fg_p2p_count_vowels_13'))} vs ${time(cvNested)}; caller in a worker: ${ratio(div(P('p2p_count_vowels_13'), cvNested))})`, met: has(r) ? r >= 15 : null };
  })(),
  { target: 'plugin→plugin round trip 13 B ≤ 1 µs', shown: time(p2p), met: has(p2p) ? p2p <= 1000 : null },
  (() => {
    const r = div(P('fg_p2p_echo_13'), p2p);
    return { target: 'plugin→plugin echo 13 B ≥ 15× faster than the JS SDK in the foreground', shown: `${ratio(r)} (${time(P('fg_p2p_echo_13'))} vs ${time(p2p)}; caller in a worker: ${ratio(div(P('p2p_echo_13'), p2p))})`, met: has(r) ? r >= 15 : null };
  })(),
  (() => {
    const r = div(p2p, I('SideBySideHostCall.Echo13'));
    return { target: 'call_plugin round trip ≤ 1.5× a direct host→plugin call (echo 13 B)', shown: `${ratio(r)} (${time(p2p)} vs ${time(I('SideBySideHostCall.Echo13'))})`, met: has(r) ? r <= 1.5 : null };
  })(),
  (() => {
    // Issue 11: with both sides on the bulk-data functions (C caller and callee without a PDK).
    const r = div(I('SideBySideCopy.Copy1M'), I('SideBySideCallPlugin.CallPluginBytesC1M'));
    return {
      target: '1 MiB through call_plugin ≥ 25% of a plain copy’s bandwidth, both sides on the bulk-data functions',
      shown: has(r) ? `${(r * 100).toFixed(1)}% (${rate(mbps(1 << 20, I('SideBySideCallPlugin.CallPluginBytesC1M')))} vs ${rate(mbps(1 << 20, I('SideBySideCopy.Copy1M')))}); AssemblyScript on both sides: ${pctOfCopy('CallPluginBytesAs1M')}; through the Extism ABI (AssemblyScript PDK echo): ${pctOfCopy('CallPlugin1M')}; the host's part alone (forward): ${pctOfCopy('CallPluginForward1M')}` : '—',
      met: has(r) ? r >= 0.25 : null,
    };
  })(),
  { target: 'spawn of a cached module ≤ 20 µs', shown: time(I('SideBySideSpawn.Spawn')), met: has(I('SideBySideSpawn.Spawn')) ? I('SideBySideSpawn.Spawn') <= 20000 : null },
  { target: '≥ 50,000 live idle instances', shown: `${int(cap?.reached)} (stopped by ${stopShort(cap)})`, met: has(cap?.reached) ? cap.reached >= 50000 : null },
  (() => {
    const r = div(oneThread, twoThreads);
    const shown = `${ratio(r)} (${time(oneThread)} vs ${time(twoThreads)} per round trip; arithmetic-loop control ${ratio(spinRatio)})`;
    // More than one times the cores is impossible: one of the two figures landed in a slow mode
    // (the round trip is bimodal across benchmark processes, see docs/benchmarks.md).
    if (has(r) && r > (m0.nproc ?? 2) * 1.02)
      return { target: 'two threads ≥ 1.8× the throughput of one', shown: `${shown}; the same workload took ${time(p2p)} in SideBySideCallPlugin`, met: null, why: 'not judged: above the core count, a figure is off' };
    return { target: 'two threads ≥ 1.8× the throughput of one', shown, met: has(r) ? r >= 1.8 : null };
  })(),
  {
    target: 'two CPU-bound children in parallel (call_plugin_async) ≥ 1.8× faster than in sequence',
    shown: `${ratio(fanSpeedup)} (${time(I('FanOutBenchmarks.Parallel'))} vs ${time(I('FanOutBenchmarks.Sequence'))}; arithmetic-loop control ${ratio(spinRatio)})`,
    met: has(fanSpeedup) ? fanSpeedup >= 1.8 : null,
  },
  (() => {
    const r = div(asyncRoundTrip, syncRoundTrip);
    return { target: 'call_plugin_async + await_call round trip ≤ 1.5× call_plugin (echo 8 B)', shown: `${ratio(r)} (${time(asyncRoundTrip)} vs ${time(syncRoundTrip)})`, met: has(r) ? r <= 1.5 : null };
  })(),
];
// The cluster rows (issue 13): two silos in one process over loopback TCP; calls start on one.
const C = (method) => I(`ClusterBenchmarks.${method}`);
const S = (method) => I(`ClusterSpreadBenchmarks.${method}`);
targets.push(
  (() => {
    const r = div(C('CrossSiloEcho13'), C('GrainCall13'));
    return { target: 'Interplug call across silos ≤ 1.5× a plain Orleans grain call (13 B)', shown: `${ratio(r)} (${time(C('CrossSiloEcho13'))} vs ${time(C('GrainCall13'))})`, met: has(r) ? r <= 1.5 : null };
  })(),
  (() => {
    const r = div(S('CrossSiloCallPlugin13'), S('GrainCall13'));
    return { target: 'call_plugin across silos ≤ 1.5× a plain Orleans grain call (13 B)', shown: `${ratio(r)} (${time(S('CrossSiloCallPlugin13'))} vs ${time(S('GrainCall13'))})`, met: has(r) ? r <= 1.5 : null, why: 'not measured: ClusterSpreadBenchmarks needs placement "spread"' };
  })(),
  (() => {
    const r = div(C('SameSiloCallPlugin13'), C('EmbeddedCallPlugin13'));
    return { target: 'call_plugin on one silo ≤ 1.2× the embedded host (echo 13 B)', shown: `${ratio(r)} (${time(C('SameSiloCallPlugin13'))} vs ${time(C('EmbeddedCallPlugin13'))})`, met: has(r) ? r <= 1.2 : null };
  })(),
);
// A run on a machine whose load stayed above twice its cores measured the other work as much as
// ours (2026-12-02: every figure 3-10x a quiet run's): its figures are shown, not judged.
const busy = !quick && (data.meta?.load_1min?.median ?? 0) > 2 * (data.meta?.nproc ?? 2);
const unjudged = quick || busy;
const verdict = (t) => (quick ? 'not judged (quick run)' : busy ? `not judged (machine busy: load ${data.meta.load_1min.median} on ${data.meta.nproc} cores)` : t.met === null ? (t.why ?? 'not measured') : t.met ? '**met**' : '**not met**');

// ---- Markdown --------------------------------------------------------------------------------------

const m = data.meta;
const env = data.interplug.environment ?? {};
const lines = [];
const L = (s = '') => lines.push(s);
L(`## Side by side: Interplug vs the Extism JS SDK${quick ? ' — QUICK RUN, timings mean nothing' : ''}`);
L();
L(`- Run: ${m.started ?? '?'}, commit \`${(m.commit ?? '?').slice(0, 12)}\`${m.uncommitted_files_in_src_plugins_bench ? ` (${m.uncommitted_files_in_src_plugins_bench} uncommitted files in src/plugins/bench)` : ''}, mode ${m.mode}`);
L(`- Machine: ${m.cpu ?? env.ProcessorName ?? '?'}, ${m.nproc ?? '?'} cores, ${has(m.mem_total_kib) ? (m.mem_total_kib / 1048576).toFixed(1) : '?'} GiB RAM, ${m.os ?? env.OsVersion ?? '?'}, vm.max_map_count ${m.max_map_count ?? '?'}`);
if (m.load_1min) L(`- Load average (1 min) during the run: median ${m.load_1min.median}, max ${m.load_1min.max} on ${m.nproc} cores (${m.load_1min.samples} samples, every 10 s); this run itself keeps 1–2 threads busy${m.load_1min.median > (m.nproc ?? 2) ? ' — **the machine was busy** with other work' : ''}`);
L(`- Interplug: ${env.RuntimeVersion ?? `.NET ${m.dotnet}`}, BenchmarkDotNet ${env.BenchmarkDotNetVersion ?? '?'}; medians of 15 iterations; a loop of N inside one plugin call counts as N operations`);
L(`- Peer: ${data.peer.sdk} on Node ${data.peer.node}; ${data.peer.mode}; medians of 15 samples`);
L();
L('| workload | Interplug | JS SDK, foreground | JS ÷ Interplug | JS SDK, caller in a worker | JS ÷ Interplug |');
L('|---|---:|---:|---:|---:|---:|');
const peerCell = (key) => {
  if (!key) return ['', ''];
  const n = peerN(key);
  return [`${time(P(key))}${n && /p2p|spawn/.test(key) ? ` (N=${n})` : ''}`, null];
};
for (const row of timed) {
  const [fg] = peerCell(row.fg);
  const [w] = peerCell(row.w);
  L(`| ${row.label} | ${time(I(row.i))} | ${fg} | ${row.fg ? ratio(div(P(row.fg), I(row.i))) : ''} | ${w} | ${row.w ? ratio(div(P(row.w), I(row.i))) : ''} |`);
}
L(`| live idle instances (count_vowels) | ${int(cap?.reached)} | | | ${int(peerCap?.reached)} | ${ratio(div(peerCap?.reached, cap?.reached))} |`);
L(`| RSS growth per idle instance | ${kib(capSlope)} | | | ${kib(peerSlope)} | ${ratio(div(peerSlope, capSlope))} |`);
L(`| two call chains on two threads: throughput vs one | ${ratio(div(oneThread, twoThreads))} (control: a plain arithmetic loop ${ratio(spinRatio)}) | not run | | | |`);
L(`| two CPU-bound children, parallel (call_plugin_async) vs in sequence | ${ratio(fanSpeedup)} (${time(I('FanOutBenchmarks.Parallel'))} vs ${time(I('FanOutBenchmarks.Sequence'))}; control as above) | not run | | | |`);
L(`| call_plugin_async + await_call round trip, echo 8 B | ${time(asyncRoundTrip)} (call_plugin: ${time(syncRoundTrip)}, ${ratio(div(asyncRoundTrip, syncRoundTrip))}) | not run | | | |`);
if (has(H('Empty'))) {
  L();
  L('The runtime\'s own costs (HostFunctionBenchmarks: runtime API, kept instance, a WAT plugin without a PDK; each loop round includes the kernel work a PDK does around the function, the first loop row alone):');
  L();
  L('| operation | per call or round | without the kernel\'s part | allocated / op |');
  L('|---|---:|---:|---:|');
  for (const [method, label] of [
    ['Empty', 'empty host→plugin call'],
    ['Kernel', 'kernel alloc + store_u64 + free (wasm only)'],
    ['Bare', 'a .NET host function that does nothing'],
    ['ConfigGet', 'config_get (hit) + free the value'],
    ['VarGet', 'var_get (hit) + free the value'],
    ['VarSet', 'var_set (2-byte value)'],
    ['VarPair', 'var_get + var_set'],
    ['LogOff', 'log_info with logging off'],
  ]) {
    const b = data.interplug.benchmarks[`HostFunctionBenchmarks.${method}`];
    const own = method === 'Empty' || method === 'Kernel' ? '' : time(method === 'VarPair' && has(H('Kernel')) ? H(method) - 2 * H('Kernel') : net(method));
    L(`| ${label} | ${time(H(method))} | ${own} | ${has(b?.allocated_bytes_per_op) ? `${b.allocated_bytes_per_op} B` : '—'} |`);
  }
}
L();
L('Payload sweep through call_plugin (echo: the payload goes in and comes back; MB/s = payload bytes ÷ round-trip time), next to a plain copy of the same size in the same process:');
L();
L('| payload | Interplug round trip | Interplug MB/s | C# Span.CopyTo | % of copy | JS SDK (worker) round trip | JS SDK MB/s | Node Buffer.copy | % of copy |');
L('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const [bytes, name, im, pk, ic, pc] of SIZES) {
  const ir = mbps(bytes, I(`SideBySideCallPlugin.${im}`));
  const icr = mbps(bytes, I(`SideBySideCopy.${ic}`));
  const pr = mbps(bytes, P(pk));
  const pcr = mbps(bytes, P(pc));
  const pct = (a, b) => (has(a) && has(b) ? `${((a / b) * 100).toFixed(a / b >= 0.1 ? 1 : 2)}%` : '—');
  L(`| ${name} | ${time(I(`SideBySideCallPlugin.${im}`))} | ${rate(ir)} | ${rate(icr)} | ${pct(ir, icr)} | ${time(P(pk))} | ${rate(pr)} | ${rate(pcr)} | ${pct(pr, pcr)} |`);
}
if (has(I('HostCallBenchmarks.Echo1MiB'))) {
  L();
  const added = I('SideBySideCallPlugin.CallPlugin1M') - I('HostCallBenchmarks.Echo1MiB');
  L(`For scale: a direct host→plugin echo of 1 MiB (HostCallBenchmarks, runtime API) takes ${time(I('HostCallBenchmarks.Echo1MiB'))} (${rate(mbps(1 << 20, I('HostCallBenchmarks.Echo1MiB')))}), ${added >= 0 ? `so call_plugin adds ${time(added)} to the echo plugin's own time at 1 MiB` : `more than the round trip through call_plugin (${time(I('SideBySideCallPlugin.CallPlugin1M'))}): the two run in separate processes, and the direct one copies its output into a new array`}.`);
}
if (has(I('SideBySideCallPlugin.CallPluginForward1M'))) {
  L();
  L('The same 1 MiB round trip without the AssemblyScript PDK (Interplug only; callee `plugins/c/echo_c.c`), and with both sides on the bulk-data functions (`plugins/c/bulk_c.c`, `plugins/as/bulk.ts`):');
  L();
  L('| callee | what it does | round trip | MB/s | % of copy |');
  L('|---|---|---:|---:|---:|');
  for (const [method, callee, what] of [
    ['CallPlugin1M', 'echo (AssemblyScript PDK)', 'reads and writes 8 bytes per kernel call, plus the PDK\'s buffer copies'],
    ['CallPluginEchoC1M', 'echo_c.echo (C, no PDK)', 'reads and writes 8 bytes per kernel call: the least an echo does under the Extism ABI'],
    ['CallPluginForward1M', 'echo_c.forward (C, no PDK)', 'returns its input block unread: only the host\'s two copies and the call'],
    ['CallPluginBytesC1M', 'bulk_c.echo, called by bulk_c (C, no PDK)', 'input_read, output_write, call_plugin_bytes: the payload copied once into the callee\'s memory and once back into the caller\'s'],
    ['CallPluginBytesAs1M', 'bulk.echo, called by bulk (AssemblyScript)', 'the same from AssemblyScript'],
  ]) {
    const t = I(`SideBySideCallPlugin.${method}`);
    L(`| ${callee} | ${what} | ${time(t)} | ${rate(mbps(1 << 20, t))} | ${pctOfCopy(method)} |`);
  }
}
if (has(C('GrainCall13'))) {
  L();
  L('On an Orleans cluster (ClusterBenchmarks: two silos in one process, over loopback TCP; calls start on one silo, "across silos" means the grain or process lives on the other):');
  L();
  L('| workload | round trip | MB/s |');
  L('|---|---:|---:|');
  for (const [label, t, bytes] of [
    ['plain Orleans grain call across silos, 13 B (the anchor)', C('GrainCall13'), null],
    ['Interplug top-level call across silos, echo 13 B', C('CrossSiloEcho13'), null],
    ['Interplug top-level call across silos, echo 1 MiB', C('CrossSiloEcho1MiB'), 1 << 20],
    ['Interplug top-level call on the calling silo, echo 13 B', C('SameSiloEcho13'), null],
    ['call_plugin into a spread child on the other silo, echo 13 B', S('CrossSiloCallPlugin13'), null],
    ['call_plugin on one silo, echo 13 B', C('SameSiloCallPlugin13'), null],
    ['call_plugin on the embedded host, echo 13 B (same run)', C('EmbeddedCallPlugin13'), null],
  ]) L(`| ${label} | ${time(t)} | ${bytes ? rate(mbps(bytes, t)) : ''} |`);
}
L();
L('Capacity (live idle instances, spawned from bench_caller with register_plugin):');
L();
for (const [who, c] of [['Interplug', cap], ['Extism JS SDK', peerCap]]) {
  if (!c) continue;
  L(`- ${who}: ${int(c.reached)} instances in ${has(c.spawn_seconds) ? c.spawn_seconds.toFixed(1) : '?'} s; stopped by ${c.stop_reason}${c.error ? ` (${c.error})` : ''}; RSS ${int(c.rss_start_bytes / 1048576)} → ${int(c.rss_end_bytes / 1048576)} MiB after a GC (${kib(c.bytes_per_instance)} per instance; slope over the batches ${kib(slope(c))}); ${int(c.memory_mappings)} memory mappings (limit ${int(c.max_map_count)})`);
}
L();
L('| target | measured | verdict |');
L('|---|---|---|');
for (const t of targets) L(`| ${t.target} | ${t.shown} | ${verdict(t)} |`);
const markdown = lines.join('\n') + '\n';
process.stdout.write(markdown);

// ---- SVG -------------------------------------------------------------------------------------------

function svg() {
  const W = 980;
  // Axis labels at powers of ten, without a useless decimal: "10 µs", not "10.0 µs".
  const decade = (f) => (x) => f(x).replace(/\.0+ /, ' ');
  const left = 330;
  const right = 150;
  const plotW = W - left - right;
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const out = [];
  let y = 0;
  const text = (x, yy, s, attrs = '') => out.push(`<text x="${x}" y="${yy}" ${attrs}>${esc(s)}</text>`);
  const BLUE = '#2563eb';
  const ORANGE = '#ea580c';
  const LIGHTBLUE = '#93c5fd';
  const LIGHTORANGE = '#fdba74';
  const PURPLE = '#9333ea';

  function logAxis(values, unitFmt, title, rows, barH = 13) {
    const v = values.filter((x) => has(x) && x > 0);
    if (!v.length) return;
    const lo = Math.floor(Math.log10(Math.min(...v)));
    const hi = Math.ceil(Math.log10(Math.max(...v)));
    const X = (x) => left + ((Math.log10(x) - lo) / Math.max(1, hi - lo)) * plotW;
    text(20, y + 22, title, 'font-size="16" font-weight="bold"');
    y += 36;
    const top = y;
    const rowH = Math.max(...rows.map((r) => r.bars.length)) * barH + 8;
    const height = rows.length * rowH;
    for (let d = lo; d <= hi; d++) {
      const x = X(10 ** d);
      out.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${top + height}" stroke="#e5e7eb"/>`);
      text(x, top + height + 14, unitFmt(10 ** d), 'font-size="10" fill="#6b7280" text-anchor="middle"');
    }
    for (const r of rows) {
      text(left - 8, y + rowH / 2 + 4, r.label, 'font-size="12" text-anchor="end"');
      r.bars.forEach((b, k) => {
        const by = y + 3 + k * barH;
        const bh = barH - 2;
        if (has(b.value) && b.value > 0) {
          out.push(`<rect x="${left}" y="${by}" width="${Math.max(1, X(b.value) - left)}" height="${bh}" fill="${b.color}"/>`);
          text(X(b.value) + 4, by + bh - 1, b.text, `font-size="${Math.min(11, bh + 1)}" fill="#111827"`);
        }
      });
      if (r.note) text(W - right + 70, y + rowH / 2 + 4, r.note, 'font-size="12" font-weight="bold" text-anchor="start"');
      y += rowH;
    }
    y += 26;
  }

  const title = `Interplug vs the Extism JS SDK ${data.peer.sdk?.replace('@extism/extism ', '') ?? ''}: medians per operation`;
  text(20, 28, title, 'font-size="18" font-weight="bold"');
  y = 40;
  if (quick) {
    text(20, y + 14, 'QUICK RUN (make bench-quick): each workload ran once; these timings mean nothing', 'font-size="13" fill="#dc2626" font-weight="bold"');
    y += 22;
  }
  // Legend
  const legend = [[BLUE, 'Interplug (C#, Wasmtime)'], [ORANGE, 'JS SDK, foreground'], [PURPLE, 'JS SDK, caller in a worker'], [LIGHTBLUE, 'C# Span.CopyTo'], [LIGHTORANGE, 'Node Buffer.copy']];
  legend.forEach(([c, s], k) => {
    out.push(`<rect x="${20 + k * 190}" y="${y + 4}" width="14" height="14" fill="${c}"/>`);
    text(40 + k * 190, y + 16, s, 'font-size="12"');
  });
  y += 30;

  logAxis(
    timed.flatMap((r) => [I(r.i), P(r.fg), P(r.w)]),
    decade((x) => time(x)),
    'Time per operation (log scale; shorter is better). Right: strongest JS SDK mode ÷ Interplug',
    timed.map((r) => ({
      label: r.label,
      bars: [
        { value: I(r.i), color: BLUE, text: time(I(r.i)) },
        ...(r.fg ? [{ value: P(r.fg), color: ORANGE, text: time(P(r.fg)) }] : []),
        ...(r.w ? [{ value: P(r.w), color: PURPLE, text: time(P(r.w)) }] : []),
      ],
      note: has(div(peerOf(r), I(r.i))) ? `JS ${ratio(div(peerOf(r), I(r.i)))}` : '',
    })),
  );

  const sweepRows = SIZES.map(([bytes, name, im, pk, ic, pc]) => ({
    label: `${name}: call_plugin echo vs plain copy`,
    bars: [
      { value: mbps(bytes, I(`SideBySideCallPlugin.${im}`)), color: BLUE, text: rate(mbps(bytes, I(`SideBySideCallPlugin.${im}`))) },
      { value: mbps(bytes, P(pk)), color: PURPLE, text: rate(mbps(bytes, P(pk))) },
      { value: mbps(bytes, I(`SideBySideCopy.${ic}`)), color: LIGHTBLUE, text: rate(mbps(bytes, I(`SideBySideCopy.${ic}`))) },
      { value: mbps(bytes, P(pc)), color: LIGHTORANGE, text: rate(mbps(bytes, P(pc))) },
    ],
    note: has(div(I(`SideBySideCopy.${ic}`), I(`SideBySideCallPlugin.${im}`))) ? `${((I(`SideBySideCopy.${ic}`) / I(`SideBySideCallPlugin.${im}`)) * 100).toFixed(1)}%` : '',
  }));
  logAxis(sweepRows.flatMap((r) => r.bars.map((b) => b.value)), decade((x) => rate(x)), 'Bandwidth, MB/s (log; longer is better). Right: Interplug call_plugin as % of the C# copy', sweepRows, 11);

  text(20, y + 4, `Targets (Interplug)${quick ? ': not judged in a quick run' : busy ? `: not judged, the machine was busy (load ${data.meta.load_1min.median} on ${data.meta.nproc} cores)` : ''}`, 'font-size="16" font-weight="bold"');
  y += 22;
  for (const t of targets) {
    const color = unjudged || t.met === null ? '#9ca3af' : t.met ? '#16a34a' : '#dc2626';
    const mark = unjudged || t.met === null ? '–' : t.met ? '✓' : '✗';
    out.push(`<circle cx="30" cy="${y + 8}" r="8" fill="${color}"/>`);
    text(30, y + 12, mark, 'font-size="12" fill="white" text-anchor="middle" font-weight="bold"');
    text(46, y + 12, `${t.target}: ${t.shown}`, 'font-size="12"');
    y += 22;
  }
  y += 6;
  text(20, y + 8, `Live idle instances: Interplug ${int(cap?.reached)} (stopped by ${stopShort(cap)}), +${kib(capSlope)} RSS each;`, 'font-size="12"');
  text(20, y + 26, `JS SDK ${int(peerCap?.reached)} (stopped by ${stopShort(peerCap)}), +${kib(peerSlope)} RSS each`, 'font-size="12"');
  y += 38;
  const foot = `${m.started?.slice(0, 10) ?? ''} · commit ${(m.commit ?? '?').slice(0, 12)} · ${m.cpu ?? ''}, ${m.nproc} cores · ${data.peer.node ? `Node ${data.peer.node}` : ''} · .NET ${env.RuntimeVersion?.split(' ')[1] ?? m.dotnet ?? ''}${m.load_1min ? ` · load avg (1 min) median ${m.load_1min.median}, max ${m.load_1min.max}` : ''}`;
  text(20, y + 8, foot, 'font-size="11" fill="#6b7280"');
  y += 20;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${out.join('\n')}\n</svg>\n`;
}

// ---- outputs and the quick check ---------------------------------------------------------------

if (opt('--save')) write(opt('--save'), JSON.stringify(data, null, 2) + '\n');
if (opt('--md')) write(opt('--md'), markdown);
if (opt('--svg')) write(opt('--svg'), svg());

if (quick) {
  const missing = [
    ...timed.flatMap((r) => [[r.i, I(r.i)], ...[r.fg, r.w].filter(Boolean).map((k) => [k, P(k)])]),
    ...['Empty', 'Kernel', 'Bare', 'ConfigGet', 'VarGet', 'VarSet', 'VarPair', 'LogOff'].map((k) => [`HostFunctionBenchmarks.${k}`, H(k)]),
    ...SIZES.flatMap(([, , , , ic, pc]) => [[ic, I(`SideBySideCopy.${ic}`)], [pc, P(pc)]]),
    ['SideBySideCallPlugin.CallPluginBytesC1M', I('SideBySideCallPlugin.CallPluginBytesC1M')],
    ['SideBySideCallPlugin.CallPluginBytesAs1M', I('SideBySideCallPlugin.CallPluginBytesAs1M')],
    ['SideBySideThreads.OneThread', oneThread],
    ['SideBySideThreads.TwoThreads', twoThreads],
    ['SideBySideThreads.OneThreadSpin/TwoThreadsSpin', spinRatio],
    ...['GrainCall13', 'CrossSiloEcho13', 'CrossSiloEcho1MiB', 'SameSiloEcho13', 'SameSiloCallPlugin13', 'EmbeddedCallPlugin13'].map((k) => [`ClusterBenchmarks.${k}`, C(k)]),
    ...['Parallel', 'Sequence', 'AsyncRoundTrip', 'SyncRoundTrip'].map((k) => [`FanOutBenchmarks.${k}`, I(`FanOutBenchmarks.${k}`)]),
    ['interplug capacity', cap?.reached > 0 ? 1 : null],
    ['peer capacity', peerCap?.reached > 0 ? 1 : null],
  ].filter(([, v]) => !has(v)).map(([k]) => k);
  if (missing.length) {
    console.error(`report: quick run is missing results for: ${missing.join(', ')}`);
    process.exit(1);
  }
  console.error('report: quick run: every workload ran on both hosts');
}
