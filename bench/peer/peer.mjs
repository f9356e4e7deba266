// The peer side of Interplug's side-by-side benchmarks: the official Extism JS SDK under Node runs
// the same .wasm files (plugins/dist) and the same seed pattern as Interplug. A plugin
// (bench_caller) registers and calls other plugins through the host functions register_plugin,
// call_plugin and free_plugin, implemented here in JS on top of the SDK's public API.
//
//   node --expose-gc --no-warnings peer.mjs --dist ../../plugins/dist --out results.json [--quick]
//        [--capacity-target 60000] [--capacity-seconds 60] [--rss-limit-gib 20] [--foreground-only]
//
// --foreground-only runs only the host-function rows and the foreground nested rows (the peer of
// the headline ratios), for repeated runs that measure their spread.
//
// How nested calls work with this SDK on Node 20 (see docs/benchmarks.md, "The peer"):
//   * The SDK calls a host function synchronously unless the plugin runs with runInWorker: true
//     (JSPI, the other way to suspend wasm, needs Node 23+). A call into another plugin is a
//     Promise (Plugin.call is async), so call_plugin must be async, and bench_caller must run in a
//     worker: the worker blocks on Atomics.wait while the main thread runs the host function.
//   * Callees run in the foreground (main thread): the cheapest mode, and they need no host
//     functions. register_plugin instantiates them from a WebAssembly.Module compiled once per
//     name (the "cached module" of the spawn benchmarks).
//   * 2.0.0-rc13 resets a foreground plugin's memory per call, but not a worker plugin's: its
//     block list grows with every call and every host call ships the whole list between threads.
//     So the harness calls caller.reset() before every timed call (outside the timing).
//
// Two peer modes, both measured (docs/benchmarks.md, "The peer"):
//   * foreground (the stronger peer, used for the headline ratios): every plugin on the main thread.
//     The callees are loaded up front with createPlugin; register_plugin hands out a loaded callee,
//     and call_plugin is a synchronous host function that calls callee.call(...): the SDK runs the
//     callee's wasm synchronously inside that call and only delivers its result through a Promise,
//     so each callee gets an extism:host/env output_set override that captures its output, which
//     call_plugin stores into the caller. The SDK cannot create a plugin synchronously, so this mode
//     has no spawn rows.
//   * worker: bench_caller with runInWorker: true and async host functions, as described above.
//
// Timing: process.hrtime; each sample is one timed batch; the figure is the median of the samples
// per operation (a loop of N inside one plugin call counts as N operations).
import createPlugin from '@extism/extism';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const QUICK = args.includes('--quick');
const FOREGROUND_ONLY = args.includes('--foreground-only');
const DIST = resolve(opt('--dist', join(here, '..', '..', 'plugins', 'dist')));
const OUT = opt('--out', null);
const CAP_TARGET = Number(opt('--capacity-target', QUICK ? 200 : 60000));
const CAP_SECONDS = Number(opt('--capacity-seconds', QUICK ? 5 : 60));
const RSS_LIMIT = Number(opt('--rss-limit-gib', 20)) * 2 ** 30;
const SDK_VERSION = JSON.parse(readFileSync(join(here, 'node_modules', '@extism', 'extism', 'package.json'), 'utf8')).version;

// ---- the host: catalog of compiled modules, registry of spawned plugins -----------------------

const modules = new Map();
function moduleOf(name) {
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(name) || name.startsWith('.') || name.includes('..')) {
    throw new Error(`invalid plugin name "${name}"`);
  }
  let m = modules.get(name);
  if (!m) {
    const path = join(DIST, `${name}.wasm`);
    if (!existsSync(path)) throw new Error(`no plugin ${name} in ${DIST}`);
    m = new WebAssembly.Module(readFileSync(path));
    modules.set(name, m);
  }
  return m;
}

const foreground = (name, config = {}) => createPlugin({ wasm: [{ module: moduleOf(name) }], config }, { useWasi: false });

const registry = new Map(); // id -> foreground Plugin
let nextId = 1;

const hostFunctions = {
  'extism:host/user': {
    // register_plugin(name) -> id
    async register_plugin(cp, nameHandle) {
      const plugin = await foreground(cp.read(nameHandle).text());
      const id = nextId++;
      registry.set(id, plugin);
      return BigInt(id);
    },
    // call_plugin(id, func, input) -> output handle (0 = empty)
    async call_plugin(cp, id, funcHandle, inputHandle) {
      const callee = registry.get(Number(id));
      if (!callee) throw new Error(`call_plugin: no plugin with id ${id}`);
      const func = cp.read(funcHandle).text();
      const input = inputHandle === 0n ? new Uint8Array(0) : cp.read(inputHandle).bytes();
      const output = await callee.call(func, input);
      if (!output || output.byteLength === 0) return 0n;
      return cp.store(output.bytes());
    },
    // free_plugin(id) -> 0, or -19 (InvalidHandle, as Interplug) for an unknown id
    async free_plugin(_cp, id) {
      const callee = registry.get(Number(id));
      if (!callee) return -19n;
      registry.delete(Number(id));
      await callee.close();
      return 0n;
    },
  },
};

async function freeAll() {
  const all = [...registry.values()];
  registry.clear();
  await Promise.all(all.map((p) => p.close()));
}

// ---- the foreground peer: every plugin on the main thread, nested calls synchronous ------------------

// The config each plugin gets on both hosts (Interplug's BenchHost sets the same).
const CONFIG = { bench_env: { vowels: 'aeiouAEIOU' } };

// A callee on the main thread whose output_set is overridden to capture its output: the SDK's own
// output only reaches JS through the Promise of call(), after the caller's host function returned.
async function capturingCallee(name) {
  const callee = { plugin: null, output: null };
  callee.plugin = await createPlugin({ wasm: [{ module: moduleOf(name) }], config: CONFIG[name] ?? {} }, {
    useWasi: false,
    functions: {
      'extism:host/env': {
        output_set(cp, addr, length) {
          const block = cp.read(addr);
          callee.output = block ? block.bytes().subarray(0, Number(length)) : null;
        },
      },
    },
  });
  return callee;
}

// bench_caller on the main thread, with synchronous register_plugin, call_plugin and free_plugin
// over callees loaded up front. check() throws the first failure of a callee (a rejected Promise).
async function foregroundCaller(names) {
  const loaded = new Map();
  for (const name of names) loaded.set(name, await capturingCallee(name));
  const ids = new Map();
  let next = 1;
  let failure = null;
  const functions = {
    'extism:host/user': {
      register_plugin(cp, nameHandle) {
        const name = cp.read(nameHandle).text();
        const callee = loaded.get(name);
        if (!callee) throw new Error(`register_plugin: ${name} was not loaded up front`);
        ids.set(next, callee);
        return BigInt(next++);
      },
      call_plugin(cp, id, funcHandle, inputHandle) {
        const callee = ids.get(Number(id));
        if (!callee) throw new Error(`call_plugin: no plugin with id ${id}`);
        const func = cp.read(funcHandle).text();
        const input = inputHandle === 0n ? new Uint8Array(0) : cp.read(inputHandle).bytes();
        callee.output = null;
        // The callee runs to its end inside this call; only its result would come later.
        callee.plugin.call(func, input).catch((e) => {
          failure ??= e;
        });
        const output = callee.output;
        return output && output.byteLength ? cp.store(output) : 0n;
      },
      free_plugin(_cp, id) {
        return ids.delete(Number(id)) ? 0n : -19n;
      },
    },
  };
  const plugin = await createPlugin({ wasm: [{ module: moduleOf('bench_caller') }] }, { useWasi: false, functions });
  return {
    async call(func, input) {
      const out = await plugin.call(func, input);
      if (failure) throw failure;
      return text(out);
    },
    close: () => plugin.close(),
  };
}

// ---- measuring -----------------------------------------------------------------------------------

const now = () => process.hrtime.bigint();
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const results = {};
const WARMUP = QUICK ? 0 : 2;
const SAMPLES = QUICK ? 1 : 15;

// sample() runs one batch and returns [nanoseconds, operations]; it may do untimed work first and
// return the timed part only.
async function measure(key, description, sample, extra = {}) {
  for (let i = 0; i < WARMUP; i++) await sample();
  const perOp = [];
  for (let i = 0; i < SAMPLES; i++) {
    const [ns, ops] = await sample();
    perOp.push(ns / ops);
  }
  results[key] = { description, median_ns: median(perOp), min_ns: Math.min(...perOp), max_ns: Math.max(...perOp), samples: perOp.length, ...extra };
  console.log(`peer: ${description.padEnd(48)} median ${fmt(results[key].median_ns)}  (${perOp.length} samples${extra.n ? `, N=${extra.n}` : ''})`);
}

function fmt(ns) {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(3)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(3)} us`;
  return `${ns.toFixed(1)} ns`;
}

function expect(actual, wanted, what) {
  if (actual !== wanted) throw new Error(`${what}: got "${actual}", expected "${wanted}"`);
}

const text = (out) => (out ? out.text() : '');
const HELLO = 'Hello, World!';

// ---- workloads -------------------------------------------------------------------------------

async function hostCalls() {
  const countVowels = await foreground('count_vowels');
  const echo = await foreground('echo');
  if (!text(await countVowels.call('count_vowels', HELLO)).startsWith('{"count":3,')) throw new Error('count_vowels answered wrongly');
  expect(text(await echo.call('echo', HELLO)), HELLO, 'echo');
  const M = QUICK ? 10 : 2000;
  await measure('host_count_vowels_13', 'host→plugin count_vowels 13 B', async () => {
    const t = now();
    for (let i = 0; i < M; i++) await countVowels.call('count_vowels', HELLO);
    return [Number(now() - t), M];
  }, { n: M });
  await measure('host_echo_13', 'host→plugin echo 13 B', async () => {
    const t = now();
    for (let i = 0; i < M; i++) await echo.call('echo', HELLO);
    return [Number(now() - t), M];
  }, { n: M });
}

// The payload bench_caller's call_loop passes to its callee: byte i is (i * 131 + 7) & 0xff.
const payload = (size) => Uint8Array.from({ length: size }, (_, i) => (i * 131 + 7) & 0xff);
// The SDK encodes a block's index in the top 16 bits of its handle and does not reuse indices
// within a call: past 32,767 blocks in one call its handles turn negative and output_set fails
// ("cannot assign to this block"). var_loop allocates about four blocks per round, so 5,000.
const ENV_N = 5000;

// The host-function rows (issue 11), host→plugin on the main thread, as Interplug's SideBySideEnv.
async function envCalls() {
  const env = await foreground('bench_env', CONFIG.bench_env);
  const countVowels = await foreground('count_vowels');
  expect(text(await env.call('config_loop', '3')), '3', 'config_loop 3');
  expect(text(await env.call('var_loop', '3')), '3', 'var_loop 3');
  expect(text(await env.call('empty', '')), '', 'empty');
  const p13 = payload(13);
  if (!text(await countVowels.call('count_vowels', p13)).startsWith('{"count":')) throw new Error('count_vowels answered wrongly');
  const M = QUICK ? 10 : 2000;
  const n = QUICK ? 3 : ENV_N;
  const batch = (plugin, func, input, count) => async () => {
    const t = now();
    for (let i = 0; i < count; i++) await plugin.call(func, input);
    return [Number(now() - t), count];
  };
  await measure('host_empty', 'host→plugin empty call', batch(env, 'empty', '', M), { n: M });
  await measure('host_count_vowels_p13', 'host→plugin count_vowels, call_loop\'s 13 B', batch(countVowels, 'count_vowels', p13, M), { n: M });
  await measure('env_config_get', 'config_get (PDK Config.get)', async () => {
    const t = now();
    expect(text(await env.call('config_loop', String(n))), String(n), 'config_loop');
    return [Number(now() - t), n];
  }, { n });
  await measure('env_var_pair', 'var_get+var_set (PDK)', async () => {
    const t = now();
    expect(text(await env.call('var_loop', String(n))), String(n), 'var_loop');
    return [Number(now() - t), n];
  }, { n });
}

const FG_N = 1000;

// Nested calls with every plugin in the foreground: the peer of the headline ratios.
async function foregroundNested() {
  const caller = await foregroundCaller(['echo', 'count_vowels', 'bench_env']);
  const n = QUICK ? 3 : FG_N;
  for (const size of [13, 64, 4096]) expect(await caller.call('call_check', `echo echo ${size}`), `ok ${size}`, `foreground call_check ${size}`);
  const cv = Number(await caller.call('call_loop', '3 count_vowels count_vowels 13'));
  if (!(cv > 0)) throw new Error(`foreground call_loop into count_vowels received ${cv} bytes`);
  expect(await caller.call('call_loop', '3 bench_env empty 0'), '0', 'foreground call_loop into empty');
  const loop = (key, desc, callee, func, size, check) => measure(key, desc, async () => {
    const t = now();
    const out = await caller.call('call_loop', `${n} ${callee} ${func} ${size}`);
    const ns = Number(now() - t);
    check(out);
    return [ns, n];
  }, { n, bytes: size, mode: 'foreground' });
  await loop('fg_p2p_count_vowels_13', 'plugin→plugin count_vowels 13 B (foreground)', 'count_vowels', 'count_vowels', 13, (out) => {
    if (!(Number(out) > 0)) throw new Error(`call_loop into count_vowels received ${out} bytes`);
  });
  await loop('fg_p2p_empty', 'plugin→plugin empty call (foreground)', 'bench_env', 'empty', 0, (out) => expect(out, '0', 'call_loop into empty'));
  await loop('fg_p2p_echo_13', 'plugin→plugin echo 13 B (foreground)', 'echo', 'echo', 13, (out) => expect(out, String(n * 13), 'call_loop into echo'));
  await caller.close();
}

async function newCaller() {
  return createPlugin({ wasm: [{ module: moduleOf('bench_caller') }] }, { useWasi: false, runInWorker: true, functions: hostFunctions });
}

// One timed call of bench_caller, after an untimed reset of its memory.
async function timedCall(caller, func, input) {
  await caller.reset();
  const t = now();
  const out = await caller.call(func, input);
  const ns = Number(now() - t);
  return [ns, text(out)];
}

const SWEEP = [
  ['p2p_echo_64', 64, 100],
  ['p2p_echo_4k', 4 << 10, 100],
  ['p2p_echo_64k', 64 << 10, 50],
  ['p2p_echo_1m', 1 << 20, 5],
];
const N13 = 100;

async function pluginCalls(caller) {
  for (const size of [13, ...SWEEP.map((s) => s[1])]) {
    await caller.reset();
    expect(text(await caller.call('call_check', `echo echo ${size}`)), `ok ${size}`, `call_check ${size}`);
  }
  const loop = (key, desc, size, n) => measure(key, desc, async () => {
    const [ns, out] = await timedCall(caller, 'call_loop', `${n} echo echo ${size}`);
    expect(out, String(n * size), `call_loop ${n} x ${size}`);
    return [ns, n];
  }, { n, bytes: size });
  const q = (n) => (QUICK ? Math.min(n, 3) : n);
  await loop('p2p_echo_13', 'plugin→plugin echo 13 B', 13, q(N13));
  const other = (key, desc, callee, func, size, check) => measure(key, desc, async () => {
    const [ns, out] = await timedCall(caller, 'call_loop', `${q(N13)} ${callee} ${func} ${size}`);
    check(out);
    return [ns, q(N13)];
  }, { n: q(N13), bytes: size });
  await other('p2p_count_vowels_13', 'plugin→plugin count_vowels 13 B', 'count_vowels', 'count_vowels', 13, (out) => {
    if (!(Number(out) > 0)) throw new Error(`call_loop into count_vowels received ${out} bytes`);
  });
  await other('p2p_empty', 'plugin→plugin empty call', 'bench_env', 'empty', 0, (out) => expect(out, '0', 'call_loop into empty'));
  for (const [key, size, n] of SWEEP) await loop(key, `call_plugin echo ${label(size)}`, size, q(n));
  // The SDK's cost per host call grows with the number of blocks the calling plugin allocated in
  // the current call (every host call ships the whole block list between the threads). One larger
  // loop shows it; it is not used for the targets.
  if (!QUICK) await measureFew('p2p_echo_13_n1000', 'plugin→plugin echo 13 B, N=1000', caller, 1000);
}

async function measureFew(key, desc, caller, n) {
  const perOp = [];
  for (let i = 0; i < 3; i++) {
    const [ns, out] = await timedCall(caller, 'call_loop', `${n} echo echo 13`);
    expect(out, String(n * 13), `call_loop ${n}`);
    perOp.push(ns / n);
  }
  results[key] = { description: desc, median_ns: median(perOp), min_ns: Math.min(...perOp), max_ns: Math.max(...perOp), samples: 3, n };
  console.log(`peer: ${desc.padEnd(48)} median ${fmt(results[key].median_ns)}  (3 samples, N=${n})`);
}

function label(size) {
  if (size >= 1 << 20) return `${size >> 20} MiB`;
  if (size >= 1 << 10) return `${size >> 10} KiB`;
  return `${size} B`;
}

async function copies() {
  const src = Buffer.alloc(1 << 20);
  for (let i = 0; i < src.length; i++) src[i] = (i * 131 + 7) & 0xff;
  const dst = Buffer.alloc(1 << 20);
  for (const [key, size] of [['copy_64', 64], ['copy_4k', 4 << 10], ['copy_64k', 64 << 10], ['copy_1m', 1 << 20]]) {
    // About 4 MiB per sample, at least 1000 copies.
    const m = QUICK ? 10 : Math.max(1000, (4 << 20) / size);
    await measure(key, `copy ${label(size)} (Buffer.copy)`, async () => {
      const t = now();
      for (let i = 0; i < m; i++) src.copy(dst, 0, 0, size);
      return [Number(now() - t), m];
    }, { n: m, bytes: size });
    if (dst[size - 1] !== src[size - 1]) throw new Error('copy did not copy');
  }
}

async function spawns(caller) {
  const n = QUICK ? 3 : 50;
  await measure('spawn', 'spawn (register_plugin, cached module)', async () => {
    const [ns, out] = await timedCall(caller, 'spawn_loop', `${n} count_vowels`);
    expect(out, `spawned ${n}`, 'spawn_loop');
    if (registry.size !== n) throw new Error(`${registry.size} plugins registered, expected ${n}`);
    await freeAll(); // untimed, like Interplug's iteration clean-up
    return [ns, n];
  }, { n });
  await measure('spawn_free', 'spawn+free (register_plugin + free_plugin)', async () => {
    const [ns, out] = await timedCall(caller, 'spawn_free_loop', `${n} count_vowels`);
    expect(out, `freed ${n}`, 'spawn_free_loop');
    if (registry.size !== 0) throw new Error(`${registry.size} plugins left registered`);
    return [ns, n];
  }, { n });
}

// ---- capacity: live idle instances ---------------------------------------------------------------

const mapCount = () => (existsSync('/proc/self/maps') ? readFileSync('/proc/self/maps', 'utf8').split('\n').length - 1 : 0);
const maxMapCount = () => (existsSync('/proc/sys/vm/max_map_count') ? Number(readFileSync('/proc/sys/vm/max_map_count', 'utf8')) : 0);
const settledRss = () => {
  if (global.gc) {
    global.gc();
    global.gc();
  }
  return process.memoryUsage().rss;
};
const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;

async function capacity(caller) {
  await freeAll();
  await caller.reset();
  expect(text(await caller.call('spawn_loop', '1 count_vowels')), 'spawned 1', 'spawn_loop 1');
  const live0 = registry.size;
  const rss0 = settledRss();
  const maps0 = mapCount();
  const maxMaps = maxMapCount();
  const batch = 500;
  const batches = [];
  const start = now();
  let stop = 'target reached';
  let error = null;
  let spawned = 0;
  console.log(`peer: capacity: baseline RSS ${mib(rss0)}, target ${CAP_TARGET}, time bound ${CAP_SECONDS} s, RSS limit ${mib(RSS_LIMIT)}`);
  while (spawned < CAP_TARGET) {
    const elapsed = Number(now() - start) / 1e9;
    if (elapsed >= CAP_SECONDS) {
      stop = `time bound (${CAP_SECONDS} s)`;
      break;
    }
    const rss = process.memoryUsage().rss;
    const maps = mapCount();
    const perInstance = spawned ? (rss - rss0) / spawned : 0;
    const mapsPer = spawned ? (maps - maps0) / spawned : 0;
    let n = Math.min(spawned ? batch : 100, CAP_TARGET - spawned);
    if (perInstance > 0) n = Math.min(n, Math.floor((RSS_LIMIT - rss) / (perInstance * 1.25)));
    if (maxMaps > 0 && mapsPer > 0) n = Math.min(n, Math.floor((maxMaps - 2000 - maps) / (mapsPer * 1.1)));
    if (n <= 0) {
      stop = rss + perInstance * 1.25 > RSS_LIMIT ? `RSS limit (${mib(RSS_LIMIT)})` : `vm.max_map_count: ${maps} mappings now (${mapsPer.toFixed(1)} per instance), limit ${maxMaps}`;
      break;
    }
    const before = registry.size;
    const t = now();
    try {
      await caller.reset();
      expect(text(await caller.call('spawn_loop', `${n} count_vowels`)), `spawned ${n}`, 'spawn_loop');
    } catch (e) {
      stop = 'spawn failed';
      error = String(e?.message ?? e);
    }
    spawned += registry.size - before;
    batches.push({ live: registry.size, rss_bytes: process.memoryUsage().rss, seconds: Number(now() - t) / 1e9 });
    console.log(`peer: capacity: ${registry.size} live, RSS ${mib(process.memoryUsage().rss)}, ${mapCount()} mappings, batch ${(Number(now() - t) / 1e9).toFixed(2)} s`);
    if (error) break;
  }
  const spawnSeconds = Number(now() - start) / 1e9;
  // The host must still serve calls with all of them alive.
  const probe = await foreground('count_vowels');
  if (!text(await probe.call('count_vowels', HELLO)).startsWith('{"count":3,')) throw new Error('count_vowels answered wrongly with the host full');
  const reached = registry.size - live0;
  const rssEnd = settledRss();
  const result = {
    host: 'extism-js',
    spawned_by: 'bench_caller spawn_loop (register_plugin) of count_vowels, in batches of 500 (caller in a worker, instances on the main thread)',
    target: CAP_TARGET,
    time_bound_seconds: CAP_SECONDS,
    rss_limit_bytes: RSS_LIMIT,
    reached,
    stop_reason: stop,
    error,
    rss_start_bytes: rss0,
    rss_end_bytes: rssEnd,
    bytes_per_instance: reached ? Math.round((rssEnd - rss0) / reached) : 0,
    memory_mappings_start: maps0,
    memory_mappings: mapCount(),
    max_map_count: maxMaps,
    spawn_seconds: spawnSeconds,
    batches,
  };
  console.log(`peer: capacity: ${reached} instances in ${spawnSeconds.toFixed(1)} s (${stop}${error ? `: ${error}` : ''}); ${(result.bytes_per_instance / 1024).toFixed(1)} KiB per instance`);
  await freeAll();
  return result;
}

// ---- main ------------------------------------------------------------------------------------------

const started = Date.now();
console.log(`peer: @extism/extism ${SDK_VERSION} on Node ${process.version}; plugins from ${DIST}${QUICK ? ' (quick: timings mean nothing)' : ''}`);
let cap = null;
if (!FOREGROUND_ONLY) await hostCalls();
await envCalls();
await foregroundNested();
if (!FOREGROUND_ONLY) {
  const caller = await newCaller();
  await pluginCalls(caller);
  await copies();
  await spawns(caller);
  cap = await capacity(caller);
  await caller.close();
}

const report = {
  host: 'extism-js',
  sdk: `@extism/extism ${SDK_VERSION}`,
  node: process.version,
  v8: process.versions.v8,
  mode: 'host→plugin rows and fg_* rows: every plugin in the foreground (main thread), callees loaded up front, synchronous call_plugin with an output_set override; other plugin→plugin rows: caller (bench_caller) with runInWorker: true and async host functions, callees in the foreground, caller.reset() before each timed call',
  quick: QUICK,
  date: new Date().toISOString(),
  seconds: (Date.now() - started) / 1000,
  results,
  capacity: cap,
};
if (OUT) {
  mkdirSync(dirname(resolve(OUT)), { recursive: true });
  writeFileSync(OUT, JSON.stringify(report, null, 2));
  console.log(`peer: wrote ${OUT}`);
}
process.exit(0);
