// bulk: Interplug's bulk-data functions from AssemblyScript (the official PDK
// for the rest). They copy between this plugin's own memory (AssemblyScript
// exports it as "memory") and the host in one step, instead of 8 bytes per
// kernel call. Pointers are i64 like every Interplug argument: the dataStart
// of a typed array, widened.
//
// Host functions (module "extism:host/user"; pointers and lengths are i64):
//   input_read(offset, dst, len) -> copied       this call's input, from offset
//   output_write(src, len)                       this call's output := a copy
//   call_plugin_bytes(id, func, func_len, src, src_len, dst, dst_cap) -> result_len
//                                                the result lands in dst when it
//                                                fits; else result_read gets it
//   result_read(offset, dst, len) -> copied
//
// Exports, with bench_caller's protocol (and plugins/c/bulk_c.c's):
//   echo         outputs its input
//   call_loop    "N callee export SIZE": N x call_plugin_bytes of a SIZE-byte
//                payload (byte i is (i * 131 + 7) & 0xff) into a SIZE-byte
//                destination; outputs the total result bytes in decimal
//   call_check   "callee export SIZE": one call with a destination one byte
//                too small, the result read back with result_read; fails
//                unless it equals the payload. Outputs "ok SIZE"
import { free, input_length } from "@extism/as-pdk/lib/env";
import { fail, number, toBlock, utf8 } from "./lib/blocks";

@external("extism:host/user", "input_read")
declare function input_read(offset: i64, dst: u64, len: i64): i64;
@external("extism:host/user", "output_write")
declare function output_write(src: u64, len: i64): void;
@external("extism:host/user", "call_plugin_bytes")
declare function call_plugin_bytes(id: i64, func: u64, funcLen: i64, src: u64, srcLen: i64, dst: u64, dstCap: i64): i64;
@external("extism:host/user", "result_read")
declare function result_read(offset: i64, dst: u64, len: i64): i64;
@external("extism:host/user", "register_plugin")
declare function register_plugin(name: u64): i64;
@external("extism:host/user", "free_plugin")
declare function free_plugin(id: i64): i64;

// Kept between calls and grown as needed: a fresh array per call would cost a
// zero-fill and garbage collection as large as the input.
let inputBuffer = new Uint8Array(0);

// This call's input, in inputBuffer: valid until the next call of input().
function input(): Uint8Array {
  const n = <i32>input_length();
  if (inputBuffer.length < n) inputBuffer = new Uint8Array(n);
  input_read(0, inputBuffer.dataStart as u64, n);
  return inputBuffer.subarray(0, n);
}

function output(bytes: Uint8Array): i32 {
  output_write(bytes.dataStart as u64, bytes.length);
  return 0;
}

function fields(): Uint8Array[] {
  const line = input();
  const result: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= line.length; i++) {
    if (i == line.length || line[i] == 0x20) {
      if (i > start) result.push(line.subarray(start, i));
      start = i + 1;
    }
  }
  return result;
}

function payload(size: i32): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = <u8>((i * 131 + 7) & 0xff);
  return b;
}

function spawn(name: Uint8Array): i64 {
  const block = toBlock(name);
  const id = register_plugin(block);
  free(block);
  return id;
}

export function echo(): i32 {
  return output(input());
}

export function call_loop(): i32 {
  const f = fields();
  if (f.length != 4) return fail("expected input 'N callee export SIZE'");
  const n = number(f[0]);
  const size = number(f[3]);
  if (n < 0 || size < 0 || size > 0x3fffffff) return fail("bad N or SIZE");
  const id = spawn(f[1]);
  const func = f[2];
  const src = payload(<i32>size);
  const dst = new Uint8Array(<i32>size);
  let total: i64 = 0;
  for (let k: i64 = 0; k < n; k++) {
    total += call_plugin_bytes(id, func.dataStart as u64, func.length, src.dataStart as u64, src.length, dst.dataStart as u64, dst.length);
  }
  free_plugin(id);
  return output(utf8(total.toString()));
}

export function call_check(): i32 {
  const f = fields();
  if (f.length != 3) return fail("expected input 'callee export SIZE'");
  const size = number(f[2]);
  if (size < 1 || size > 0x3fffffff) return fail("bad SIZE");
  const id = spawn(f[0]);
  const func = f[1];
  const expected = payload(<i32>size);
  const got = new Uint8Array(<i32>size);
  const length = call_plugin_bytes(id, func.dataStart as u64, func.length, expected.dataStart as u64, expected.length, got.dataStart as u64, got.length - 1);
  free_plugin(id);
  if (length != size) return fail("call_check: got " + length.toString() + " bytes, expected " + size.toString());
  const half = <i32>(size / 2);
  if (result_read(0, got.dataStart as u64, half) != half || result_read(half, got.dataStart as u64 + <u64>half, size - half) != size - half) {
    return fail("call_check: result_read returned a short count");
  }
  for (let i = 0; i < got.length; i++) {
    if (got[i] != expected[i]) return fail("call_check: byte " + i.toString() + " differs");
  }
  return output(utf8("ok " + size.toString()));
}
