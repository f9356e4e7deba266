// echo: returns its input bytes unchanged.
//
//   export echo() -> i32
//
// Host.input() reads the input 8 bytes per host call (input_load_u64) and
// Host.output() writes it back 8 bytes per call (store_u64), so a 1 MiB input
// costs about 2 x 131072 kernel calls and no string conversion.
import { Host } from "@extism/as-pdk";

export function echo(): i32 {
  Host.output(Host.input());
  return 0;
}
