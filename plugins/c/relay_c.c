/*
 * relay_c: a plugin in plain C, built without any PDK or libc, to check that
 * the host runs modules from other toolchains.
 *
 *   export run()                 registers "count_vowels", calls its
 *                                count_vowels export on "Hello, World!" and
 *                                outputs the bytes it returned
 *   export count_vowels_native() outputs the number of a/e/i/o/u (either
 *                                case) in the input, as decimal ASCII
 *
 * Kernel functions come from "extism:host/env". The inter-plugin functions
 * come from module "env", as a plain `extern "C"` block in Rust would import
 * them (that is how the seed's Rust plugin declares them).
 */
#include "kernel.h"

#define ENV(name) __attribute__((import_module("env"), import_name(#name)))

ENV(register_plugin) u64 register_plugin(u64 name);
ENV(call_plugin) u64 call_plugin(u64 id, u64 func, u64 input);

/* Copies n bytes into a new kernel block (handle 0 when n == 0). */
static u64 to_block(const char *s, u64 n) {
  u64 h = alloc(n);
  for (u64 i = 0; i < n; i++) store_u8(h + i, (u8)s[i]);
  return h;
}

#define BLOCK(lit) to_block(lit, sizeof(lit) - 1)

int run(void) {
  u64 id = register_plugin(BLOCK("count_vowels"));
  u64 out = call_plugin(id, BLOCK("count_vowels"), BLOCK("Hello, World!"));
  /* The returned block belongs to us: make it the output as it is. */
  if (out != 0) output_set(out, length(out));
  return 0;
}

int count_vowels_native(void) {
  u64 n = input_length();
  u64 count = 0;
  for (u64 i = 0; i < n; i++) {
    switch (input_load_u8(i) | 0x20) { /* fold ASCII upper case to lower */
      case 'a': case 'e': case 'i': case 'o': case 'u':
        count++;
    }
  }
  char digits[20];
  int len = 0;
  do {
    digits[sizeof digits - 1 - len++] = (char)('0' + count % 10);
    count /= 10;
  } while (count != 0);
  u64 h = to_block(digits + sizeof digits - len, (u64)len);
  output_set(h, (u64)len);
  return 0;
}
