/*
 * run_import_c: the seed demo in plain C without any PDK or libc, with
 * count_vowels imported from module "plugin:count_vowels" instead of
 * registered by name.
 *
 *   export run()   calls count_vowels's count_vowels export on
 *                  "Hello, World!" and outputs the bytes it returned
 *
 * The host checks the import against its policy and catalog when it loads
 * this plugin, spawns count_vowels on the first call and frees it with this
 * plugin. The argument block stays ours; the result is a new block we own
 * (0 when the output is empty).
 */
#include "kernel.h"

__attribute__((import_module("plugin:count_vowels"), import_name("count_vowels")))
u64 count_vowels(u64 input);

__attribute__((export_name("run")))
int run(void) {
  static const char hello[] = "Hello, World!";
  u64 input = alloc(sizeof hello - 1);
  for (u64 i = 0; i < sizeof hello - 1; i++) store_u8(input + i, (u8)hello[i]);
  u64 out = count_vowels(input);
  if (out != 0) output_set(out, length(out));
  return 0;
}
