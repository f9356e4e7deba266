// run: the seed's inter-plugin demo.
//
//   export run() -> i32
//   registers the plugin "count_vowels", calls its count_vowels export on
//   "Hello, World!" and outputs the bytes it returned
//
// Like the seed's Rust plugin it does not free anything: the argument blocks
// and the result block are left for the kernel's per-call reset.
import { Host, Memory } from "@extism/as-pdk";
import { length } from "@extism/as-pdk/lib/env";

@external("extism:host/user", "register_plugin")
declare function register_plugin(name: u64): u64;

@external("extism:host/user", "call_plugin")
declare function call_plugin(id: u64, func: u64, input: u64): u64;

export function run(): i32 {
  const name = Memory.allocateString("count_vowels");
  const id = register_plugin(name.offset);

  const func = Memory.allocateString("count_vowels");
  const input = Memory.allocateString("Hello, World!");
  const result = call_plugin(id, func.offset, input.offset);

  // PDK 1.0.0 has no Memory.find: build the Memory from the handle and the
  // kernel's length of that block. Handle 0 means empty output.
  if (result != 0) {
    Host.output(new Memory(result, length(result)).toUint8Array());
  }
  return 0;
}
