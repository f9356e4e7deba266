// fanout: splits work among several children that run at the same time,
// with the host's fan-out functions (call_plugin_async, await_any,
// await_call), and merges their results.
//
//   export run() -> i32
//     input : "[N:]text"; N children (default 4, at most 16), e.g. "2:Hello"
//     output: {"count":V,"parts":[v1,...,vN]}: the vowels of the whole text,
//             counted by N count_vowels children on N slices of it, each
//             started before any is awaited, collected in the order they end
//   export burn() -> i32
//     input : decimal N; output: the result of N rounds of xorshift64, as
//             decimal. A CPU-bound child for the benchmarks.
//   export pair() -> i32
//     input : "parallel N" or "sequence N": spawns two fanout children and
//             has each burn N rounds, both at once (call_plugin_async, then
//             await_call twice) or one after the other (call_plugin);
//             outputs the two results joined by ",".
//   export round_trip() -> i32
//     input : "async K" or "sync K": spawns echo and calls it K times on 8
//             bytes, through call_plugin_async + await_call or call_plugin;
//             outputs the total bytes returned.
//
// The host copies an input block when call_plugin_async returns, so the
// argument blocks are freed right away.
import { Host, Memory } from "@extism/as-pdk";
import { free, length, store_u64 } from "@extism/as-pdk/lib/env";
import { outputText, takeBlock, text, toBlock, utf8 } from "./lib/blocks";

@external("extism:host/user", "register_plugin")
declare function register_plugin(name: u64): i64;
@external("extism:host/user", "call_plugin")
declare function call_plugin(id: i64, func: u64, input: u64): u64;
@external("extism:host/user", "call_plugin_async")
declare function call_plugin_async(id: i64, func: u64, input: u64): i64;
@external("extism:host/user", "await_call")
declare function await_call(ticket: i64): u64;
@external("extism:host/user", "await_any")
declare function await_any(tickets: u64, count: i64): i64;

function spawn(name: string): i64 {
  const h = toBlock(utf8(name));
  const id = register_plugin(h);
  free(h);
  return id;
}

function start(id: i64, func: string, input: Uint8Array): i64 {
  const f = toBlock(utf8(func));
  const i = toBlock(input);
  const ticket = call_plugin_async(id, f, i);
  free(f);
  free(i);
  return ticket;
}

function call(id: i64, func: string, input: Uint8Array): Uint8Array {
  const f = toBlock(utf8(func));
  const i = toBlock(input);
  const out = takeBlock(call_plugin(id, f, i));
  free(f);
  free(i);
  return out;
}

// The number after "count": in count_vowels' JSON output.
function countOf(json: string): i64 {
  const key = "\"count\":";
  const at = json.indexOf(key);
  if (at < 0) return -1;
  let end = at + key.length;
  while (end < json.length && json.charCodeAt(end) >= 48 && json.charCodeAt(end) <= 57) end++;
  return I64.parseInt(json.substring(at + key.length, end));
}

export function run(): i32 {
  let input = Host.input();
  let n = 4;
  const colon = input.indexOf(0x3a);
  if (colon > 0 && colon <= 2) {
    const parsed = I32.parseInt(text(input.subarray(0, colon)));
    if (parsed >= 1 && parsed <= 16) {
      n = parsed;
      input = input.subarray(colon + 1);
    }
  }
  // Slices split bytes, so a multi-byte character may be cut in two; vowels are ASCII.
  const tickets = new Array<i64>(n);
  const byTicket = new Map<i64, i32>();
  for (let k = 0; k < n; k++) {
    const from = (input.length * k) / n;
    const to = (input.length * (k + 1)) / n;
    tickets[k] = start(spawn("count_vowels"), "count_vowels", input.slice(from, to));
    byTicket.set(tickets[k], k);
  }
  const parts = new Array<i64>(n);
  let total: i64 = 0;
  let pending = tickets.slice();
  while (pending.length > 0) {
    const list = Memory.allocate(pending.length * 8);
    for (let i = 0; i < pending.length; i++) store_u64(list.offset + <u64>(i * 8), <u64>pending[i]);
    const ended = await_any(list.offset, pending.length);
    free(list.offset);
    const count = countOf(text(takeBlock(await_call(ended))));
    parts[byTicket.get(ended)] = count;
    total += count;
    pending.splice(pending.indexOf(ended), 1);
  }
  return outputText("{\"count\":" + total.toString() + ",\"parts\":[" + parts.join(",") + "]}");
}

export function burn(): i32 {
  const rounds = I64.parseInt(Host.inputString());
  let x: u64 = 88172645463325252;
  for (let i: i64 = 0; i < rounds; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
  }
  return outputText(x.toString());
}

export function pair(): i32 {
  const args = Host.inputString().split(" ");
  const rounds = utf8(args[1]);
  const a = spawn("fanout");
  const b = spawn("fanout");
  let results: string;
  if (args[0] == "parallel") {
    const ta = start(a, "burn", rounds);
    const tb = start(b, "burn", rounds);
    results = text(takeBlock(await_call(ta))) + "," + text(takeBlock(await_call(tb)));
  } else {
    results = text(call(a, "burn", rounds)) + "," + text(call(b, "burn", rounds));
  }
  return outputText(results);
}

export function round_trip(): i32 {
  const args = Host.inputString().split(" ");
  const times = I32.parseInt(args[1]);
  const echo = spawn("echo");
  const f = toBlock(utf8("echo"));
  const i = toBlock(utf8("8 bytes!"));
  let total: i64 = 0;
  for (let k = 0; k < times; k++) {
    const out = args[0] == "async" ? await_call(call_plugin_async(echo, f, i)) : call_plugin(echo, f, i);
    total += <i64>length(out);
    free(out);
  }
  free(f);
  free(i);
  return outputText(total.toString());
}
