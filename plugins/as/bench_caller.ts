// bench_caller: the plugin side of the side-by-side benchmarks (bench/).
//
// It drives the seed's inter-plugin host functions in a loop inside ONE call,
// so a benchmark divides the call's time by N and the host's entry cost is
// amortised. It imports only the seed's two functions plus free_plugin, so any
// host that implements those (Interplug, or the JS harness in bench/peer)
// runs it unchanged.
//
// Host functions (module "extism:host/user"; every i64 argument except ids is
// a kernel memory handle, and the caller keeps owning its argument blocks):
//   register_plugin(name) -> id           fails this call on error
//   call_plugin(id, func, input) -> out   fails this call on error; 0 = empty
//   free_plugin(id) -> status             0, or a negative status
//
// Exports (all () -> i32; a malformed input fails the call):
//   call_loop        "N callee export SIZE": registers callee once, builds a
//                    SIZE-byte payload block and the export-name block once,
//                    then calls callee.export(payload) N times, adding up and
//                    freeing each output. Frees the callee at the end.
//                    Outputs the total number of bytes received, in decimal
//                    (N * SIZE for echo).
//   call_check       "callee export SIZE": one such call; fails unless the
//                    output equals the payload byte for byte (for echo).
//                    Outputs "ok SIZE". Benchmarks run it once before timing.
//   spawn_loop       "N name": N x register_plugin(name), freeing nothing
//                    (the host frees the children when the call returns,
//                    or keeps them if it is told to). Outputs "spawned N".
//   spawn_free_loop  "N name": N x (register_plugin(name), free_plugin(id)).
//                    Outputs "freed N"; fails if a free returns non-zero.
//
// The payload's byte i is (i * 131 + 7) & 0xff.
import { Host, Memory } from "@extism/as-pdk";
import { free, length } from "@extism/as-pdk/lib/env";
import { fail, number, toBlock, utf8 } from "./lib/blocks";

@external("extism:host/user", "register_plugin")
declare function register_plugin(name: u64): i64;
@external("extism:host/user", "call_plugin")
declare function call_plugin(id: i64, func: u64, input: u64): u64;
@external("extism:host/user", "free_plugin")
declare function free_plugin(id: i64): i64;

// ---- helpers ---------------------------------------------------------------



function output(s: string): i32 {
  Host.output(utf8(s));
  return 0;
}


function payload(size: i32): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = <u8>((i * 131 + 7) & 0xff);
  return b;
}

// ---- parsing: space-separated fields -------------------------------------

let fields: Uint8Array[] = [];

function split(input: Uint8Array): void {
  fields = [];
  let start = 0;
  for (let i = 0; i <= input.length; i++) {
    if (i == input.length || input[i] == 0x20) {
      if (i > start) fields.push(input.subarray(start, i));
      start = i + 1;
    }
  }
}

// ---- exports ---------------------------------------------------------------

export function call_loop(): i32 {
  split(Host.input());
  if (fields.length != 4) return fail("expected input 'N callee export SIZE'");
  const n = number(fields[0]);
  const size = number(fields[3]);
  if (n < 0 || size < 0 || size > 0x7fffffff) return fail("bad N or SIZE");

  const nameH = toBlock(fields[1]);
  const id = register_plugin(nameH);
  free(nameH);
  const funcH = toBlock(fields[2]);
  const inputH = toBlock(payload(<i32>size));

  let total: u64 = 0;
  for (let k: i64 = 0; k < n; k++) {
    const out = call_plugin(id, funcH, inputH);
    if (out != 0) {
      total += length(out);
      free(out);
    }
  }
  free(funcH);
  free(inputH);
  free_plugin(id);
  return output(total.toString());
}

export function call_check(): i32 {
  split(Host.input());
  if (fields.length != 3) return fail("expected input 'callee export SIZE'");
  const size = number(fields[2]);
  if (size < 0 || size > 0x7fffffff) return fail("bad SIZE");

  const nameH = toBlock(fields[0]);
  const id = register_plugin(nameH);
  free(nameH);
  const funcH = toBlock(fields[1]);
  const expected = payload(<i32>size);
  const inputH = toBlock(expected);
  const out = call_plugin(id, funcH, inputH);
  free(funcH);
  free(inputH);

  const got = out == 0 ? new Uint8Array(0) : new Memory(out, length(out)).toUint8Array();
  if (out != 0) free(out);
  free_plugin(id);
  if (got.length != expected.length) {
    return fail("call_check: got " + got.length.toString() + " bytes, expected " + size.toString());
  }
  for (let i = 0; i < got.length; i++) {
    if (got[i] != expected[i]) return fail("call_check: byte " + i.toString() + " differs");
  }
  return output("ok " + size.toString());
}

export function spawn_loop(): i32 {
  split(Host.input());
  if (fields.length != 2) return fail("expected input 'N name'");
  const n = number(fields[0]);
  if (n < 0) return fail("bad N");
  const nameH = toBlock(fields[1]);
  for (let k: i64 = 0; k < n; k++) register_plugin(nameH);
  free(nameH);
  return output("spawned " + n.toString());
}

export function spawn_free_loop(): i32 {
  split(Host.input());
  if (fields.length != 2) return fail("expected input 'N name'");
  const n = number(fields[0]);
  if (n < 0) return fail("bad N");
  const nameH = toBlock(fields[1]);
  for (let k: i64 = 0; k < n; k++) {
    const id = register_plugin(nameH);
    const status = free_plugin(id);
    if (status != 0) {
      free(nameH);
      return fail("free_plugin returned " + status.toString() + " after " + k.toString() + " rounds");
    }
  }
  free(nameH);
  return output("freed " + n.toString());
}
