// Helpers shared by the AssemblyScript plugins that pass bytes to host
// functions in kernel blocks (relay, bench_caller, fanout, fan_driver). Not a plugin: the Makefile
// builds only plugins/as/*.ts.
import { Host, Memory } from "@extism/as-pdk";
import { error_set, free, length } from "@extism/as-pdk/lib/env";

export function utf8(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

// A new kernel block holding the bytes (handle 0 for no bytes).
export function toBlock(b: Uint8Array): u64 {
  // PDK 1.0.0's store (behind Memory.store and Host.output) copies whole
  // 8-byte words from b.buffer starting at byte 0, ignoring b.byteOffset, so
  // a subarray must be copied into an array of its own first.
  if (b.byteOffset != 0) b = b.slice();
  const mem = Memory.allocate(b.length);
  if (b.length > 0) mem.store(b);
  return mem.offset;
}

// Fails the current call with msg; returns the export's exit code.
export function fail(msg: string): i32 {
  error_set(Memory.allocateString(msg).offset);
  return 1;
}

// A non-negative decimal number; -1 for anything else.
export function number(b: Uint8Array): i64 {
  if (b.length == 0 || b.length > 18) return -1;
  let n: i64 = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + <i64>(c - 0x30);
  }
  return n;
}

// The bytes as UTF-8 text.
export function text(b: Uint8Array): string {
  return String.UTF8.decode(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

// The bytes of a block the host handed us; frees the block afterwards.
export function takeBlock(h: u64): Uint8Array {
  if (h == 0) return new Uint8Array(0);
  const bytes = new Memory(h, length(h)).toUint8Array();
  free(h);
  return bytes;
}

// Sets the output to the text as UTF-8; returns the export's exit code 0.
// Not Host.outputString: PDK 1.0.0 gives it the UTF-16 length, cutting off
// multi-byte text.
export function outputText(s: string): i32 {
  Host.output(utf8(s));
  return 0;
}
