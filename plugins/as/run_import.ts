// run_import: the seed demo with count_vowels imported instead of registered.
//
//   export run() -> i32
//   calls count_vowels's count_vowels export on "Hello, World!" and outputs
//   the bytes it returned
//
// The dependency is declared in the import section, so the host checks it
// against its policy and catalog when it loads this plugin, before any code
// runs, and `interplug inspect run_import` shows it. Calling the import is a
// call_plugin: the host spawns count_vowels on first use and frees it with
// this plugin. The argument block stays ours; the result is a new block we
// own (0 when the output is empty). Like `run`, it frees nothing.
import { Host, Memory } from "@extism/as-pdk";
import { length } from "@extism/as-pdk/lib/env";

@external("plugin:count_vowels", "count_vowels")
declare function countVowels(input: u64): u64;

export function run(): i32 {
  const input = Memory.allocateString("Hello, World!");
  const result = countVowels(input.offset);
  if (result != 0) {
    Host.output(new Memory(result, length(result)).toUint8Array());
  }
  return 0;
}
