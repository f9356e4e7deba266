// config_read: reads one manifest config value.
//
//   export get() -> i32
//   input : the config key (UTF-8)
//   output: the value's bytes, or the error "missing" if the key is absent
//           (the PDK cannot tell an empty value from a missing one: both
//           give handle 0 or a zero-length block, so both are "missing")
import { Host, Config, Memory } from "@extism/as-pdk";
import { error_set } from "@extism/as-pdk/lib/env";

export function get(): i32 {
  const key = String.UTF8.decode(Host.input().buffer);
  const value = Config.getMemory(key);
  if (value === null) {
    error_set(Memory.allocateString("missing").offset);
    return 1;
  }
  // The block returned by config_get belongs to the plugin: hand it straight
  // to output_set instead of copying it.
  Host.outputMemory(value);
  return 0;
}
