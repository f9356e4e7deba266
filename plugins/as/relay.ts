// relay: a generic driver for the inter-plugin host functions.
//
// Host functions (module "extism:host/user"; every i64 argument except ids is
// a kernel memory handle, and the caller keeps owning its argument blocks):
//   register_plugin(name) -> id           fails this call on error
//   call_plugin(id, func, input) -> out   fails this call on error
//   free_plugin(id) -> status             0, or a negative status
//   try_register_plugin(name) -> id       id > 0, or a negative status
//   try_call_plugin(id, func, input)      output handle >= 0 (0 = empty), or
//                                         a negative status
//   last_error() -> handle                message of this plugin's last
//                                         failed try_* call, or 0
//
// Exports (all () -> i32; "<err>" below is "error <code>: <message>", the
// message coming from last_error):
//   chain           "b,c" -> "b(c(end))"; "" -> "end". Registers the first
//                   name, calls its `chain` with the rest, frees it again.
//                   Uses the failing functions, so a child's error fails
//                   this call.
//   try_chain       the same through try_* and the child's `try_chain`; a
//                   failure at this level outputs <err> instead.
//   spawn_many      "N name": registers name N times without freeing;
//                   outputs "spawned N" or "spawned K; <err>".
//   spawn_free      "N name": N times register then free; outputs "ok N" or
//                   "freed K; <err>" (K = completed rounds).
//   call_id         "ID export text": try_call_plugin on a raw numeric id;
//                   outputs the child's output or <err>.
//   free_id         "ID": outputs free_plugin(ID) as a decimal number.
//   self_call       registers "relay" and calls its self_call, without end;
//                   outputs the child's output or <err>, so the caller sees
//                   the error of the level the host stopped.
//   call_twice_free registers echo, frees it, then calls the freed id;
//                   outputs <err> (or "unexpected success: <output>").
//
// Argument blocks are freed by relay once it no longer needs them; some are
// reused across several host calls (spawn_many, spawn_free), so a host must
// not free or modify a caller's argument blocks. Output blocks returned by
// the host are read and then freed.
import { Host } from "@extism/as-pdk";
import { free } from "@extism/as-pdk/lib/env";
import { fail, takeBlock, text, toBlock, utf8 } from "./lib/blocks";

@external("extism:host/user", "register_plugin")
declare function register_plugin(name: u64): i64;
@external("extism:host/user", "call_plugin")
declare function call_plugin(id: i64, func: u64, input: u64): u64;
@external("extism:host/user", "free_plugin")
declare function free_plugin(id: i64): i64;
@external("extism:host/user", "try_register_plugin")
declare function try_register_plugin(name: u64): i64;
@external("extism:host/user", "try_call_plugin")
declare function try_call_plugin(id: i64, func: u64, input: u64): i64;
@external("extism:host/user", "last_error")
declare function last_error(): u64;

// ---- bytes and blocks ------------------------------------------------------

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (let i = 0; i < parts.length; i++) n += parts[i].length;
  const out = new Uint8Array(n);
  let at = 0;
  for (let i = 0; i < parts.length; i++) {
    out.set(parts[i], at);
    at += parts[i].length;
  }
  return out;
}

function output(b: Uint8Array): i32 {
  Host.output(b.byteOffset != 0 ? b.slice() : b); // see toBlock
  return 0;
}


// "error <code>: <message of last_error()>"
function errorText(code: i64): string {
  return "error " + code.toString() + ": " + text(takeBlock(last_error()));
}

// ---- parsing ---------------------------------------------------------------

function indexOf(b: Uint8Array, c: u8, from: i32): i32 {
  for (let i = from; i < b.length; i++) if (b[i] == c) return i;
  return -1;
}

// Decimal i64 with an optional leading '-'; `ok` is false for anything else.
let parsedOk = false;
function parseInt64(b: Uint8Array): i64 {
  parsedOk = false;
  let i = 0;
  let neg = false;
  if (b.length > 0 && b[0] == 0x2d) {
    neg = true;
    i = 1;
  }
  if (i >= b.length) return 0;
  let n: i64 = 0;
  for (; i < b.length; i++) {
    const c = b[i];
    if (c < 0x30 || c > 0x39) return 0;
    n = n * 10 + <i64>(c - 0x30);
  }
  parsedOk = true;
  return neg ? -n : n;
}

// ---- exports ---------------------------------------------------------------

const END = "end";

export function chain(): i32 {
  const input = Host.input();
  if (input.length == 0) return output(utf8(END));
  const comma = indexOf(input, 0x2c, 0);
  const name = comma < 0 ? input : input.subarray(0, comma);
  const rest = comma < 0 ? new Uint8Array(0) : input.subarray(comma + 1);

  const nameH = toBlock(name);
  const id = register_plugin(nameH);
  const funcH = toBlock(utf8("chain"));
  const restH = toBlock(rest);
  const child = takeBlock(call_plugin(id, funcH, restH));
  free(nameH);
  free(funcH);
  free(restH);
  free_plugin(id);
  return output(concat([name, utf8("("), child, utf8(")")]));
}

export function try_chain(): i32 {
  const input = Host.input();
  if (input.length == 0) return output(utf8(END));
  const comma = indexOf(input, 0x2c, 0);
  const name = comma < 0 ? input : input.subarray(0, comma);
  const rest = comma < 0 ? new Uint8Array(0) : input.subarray(comma + 1);

  const nameH = toBlock(name);
  const id = try_register_plugin(nameH);
  free(nameH);
  if (id <= 0) return output(utf8(errorText(id)));

  const funcH = toBlock(utf8("try_chain"));
  const restH = toBlock(rest);
  const res = try_call_plugin(id, funcH, restH);
  free(funcH);
  free(restH);
  if (res < 0) {
    const msg = errorText(res);
    free_plugin(id);
    return output(utf8(msg));
  }
  const child = takeBlock(<u64>res);
  free_plugin(id);
  return output(concat([name, utf8("("), child, utf8(")")]));
}

// Splits "N name" into count and name; returns false if malformed.
let argCount: i64 = 0;
let argName = new Uint8Array(0);
function parseCountAndName(input: Uint8Array): bool {
  const space = indexOf(input, 0x20, 0);
  if (space < 0) return false;
  argCount = parseInt64(input.subarray(0, space));
  if (!parsedOk || argCount < 0) return false;
  argName = input.subarray(space + 1);
  return true;
}

export function spawn_many(): i32 {
  if (!parseCountAndName(Host.input())) return fail("expected input 'N name'");
  const nameH = toBlock(argName);
  for (let k: i64 = 0; k < argCount; k++) {
    const id = try_register_plugin(nameH);
    if (id <= 0) {
      const msg = "spawned " + k.toString() + "; " + errorText(id);
      free(nameH);
      return output(utf8(msg));
    }
  }
  free(nameH);
  return output(utf8("spawned " + argCount.toString()));
}

export function spawn_free(): i32 {
  if (!parseCountAndName(Host.input())) return fail("expected input 'N name'");
  const nameH = toBlock(argName);
  for (let k: i64 = 0; k < argCount; k++) {
    const id = try_register_plugin(nameH);
    if (id <= 0) {
      const msg = "freed " + k.toString() + "; " + errorText(id);
      free(nameH);
      return output(utf8(msg));
    }
    const status = free_plugin(id);
    if (status != 0) {
      free(nameH);
      return output(utf8(
        "freed " + k.toString() + "; error " + status.toString() +
        ": free_plugin failed"));
    }
  }
  free(nameH);
  return output(utf8("ok " + argCount.toString()));
}

export function call_id(): i32 {
  const input = Host.input();
  const s1 = indexOf(input, 0x20, 0);
  if (s1 < 0) return fail("expected input 'ID export text'");
  const id = parseInt64(input.subarray(0, s1));
  if (!parsedOk) return fail("bad id");
  const s2 = indexOf(input, 0x20, s1 + 1);
  const func = s2 < 0 ? input.subarray(s1 + 1) : input.subarray(s1 + 1, s2);
  const arg = s2 < 0 ? new Uint8Array(0) : input.subarray(s2 + 1);

  const funcH = toBlock(func);
  const argH = toBlock(arg);
  const res = try_call_plugin(id, funcH, argH);
  free(funcH);
  free(argH);
  if (res < 0) return output(utf8(errorText(res)));
  return output(takeBlock(<u64>res));
}

export function free_id(): i32 {
  const id = parseInt64(Host.input());
  if (!parsedOk) return fail("bad id");
  return output(utf8(free_plugin(id).toString()));
}

export function self_call(): i32 {
  const nameH = toBlock(utf8("relay"));
  const id = try_register_plugin(nameH);
  free(nameH);
  if (id <= 0) return output(utf8(errorText(id)));

  const funcH = toBlock(utf8("self_call"));
  const res = try_call_plugin(id, funcH, 0);
  free(funcH);
  let out: Uint8Array;
  if (res < 0) out = utf8(errorText(res));
  else out = takeBlock(<u64>res);
  free_plugin(id);
  return output(out);
}

export function call_twice_free(): i32 {
  const nameH = toBlock(utf8("echo"));
  const id = try_register_plugin(nameH);
  free(nameH);
  if (id <= 0) return output(utf8(errorText(id)));

  const status = free_plugin(id);
  if (status != 0) {
    return output(utf8("error " + status.toString() + ": free_plugin failed"));
  }
  const funcH = toBlock(utf8("echo"));
  const argH = toBlock(utf8("x"));
  const res = try_call_plugin(id, funcH, argH);
  free(funcH);
  free(argH);
  if (res < 0) return output(utf8(errorText(res)));
  return output(concat([utf8("unexpected success: "), takeBlock(<u64>res)]));
}
