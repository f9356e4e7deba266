/*
 * echo_c: the cheapest echo the Extism ABI allows, in plain C without a PDK
 * or libc. The benchmarks put it next to the AssemblyScript echo to separate
 * what the host costs from what a PDK costs.
 *
 *   export echo()     copies the input into a new block, 8 bytes per kernel
 *                     call each way (input_load_u64, store_u64), the least any
 *                     plugin that reads its input must do under this ABI
 *   export forward()  outputs the input block itself and reads none of it: a
 *                     call_plugin round trip through it costs only the host's
 *                     two copies (caller -> callee input, callee output ->
 *                     caller) and the call
 */
#include "kernel.h"

#define EXPORT(name) __attribute__((export_name(#name)))

EXPORT(echo) int echo(void) {
  u64 n = input_length();
  u64 out = alloc(n);
  u64 i = 0;
  for (; i + 8 <= n; i += 8) store_u64(out + i, input_load_u64(i));
  for (; i < n; i++) store_u8(out + i, input_load_u8(i));
  output_set(out, n);
  return 0;
}

EXPORT(forward) int forward(void) {
  output_set(input_offset(), input_length());
  return 0;
}
