/*
 * bulk_c: Interplug's bulk-data functions from plain C, without a PDK or
 * libc. They copy between this plugin's own memory and the host in one step,
 * instead of 8 bytes per kernel call, and take plain pointers: no kernel
 * blocks except the plugin name register_plugin reads.
 *
 *   export echo()        reads its whole input with input_read and outputs it
 *                        with output_write
 *   export call_loop()   input "N callee export SIZE": registers callee once,
 *                        builds a SIZE-byte payload once (byte i is
 *                        (i * 131 + 7) & 0xff), calls callee.export on it N
 *                        times with call_plugin_bytes into a SIZE-byte
 *                        destination, and outputs the total number of result
 *                        bytes in decimal (N * SIZE for an echo)
 *   export call_check()  input "callee export SIZE": one such call with a
 *                        destination one byte too small, so the host keeps
 *                        the result; reads it back with result_read in two
 *                        halves and fails unless it equals the payload byte
 *                        for byte. Outputs "ok SIZE"
 *
 * The same protocol as bench_caller, so the benchmarks drive both alike.
 */
#include "kernel.h"

#define EXPORT(name) __attribute__((export_name(#name)))
#define USER(name) __attribute__((import_module("extism:host/user"), import_name(#name)))

typedef long long i64;

/* Pointers are i64 in these imports, as every Interplug function's arguments
 * are; P() widens a wasm32 pointer. */
#define P(ptr) ((i64)(unsigned long)(ptr))
USER(input_read) i64 input_read(i64 offset, i64 dst, i64 len);
USER(output_write) void output_write(i64 src, i64 len);
USER(call_plugin_bytes) i64 call_plugin_bytes(i64 id, i64 func, i64 func_len, i64 src, i64 src_len, i64 dst, i64 dst_cap);
USER(result_read) i64 result_read(i64 offset, i64 dst, i64 len);
USER(register_plugin) i64 register_plugin(u64 name);
USER(free_plugin) i64 free_plugin(i64 id);
KERNEL(error_set) void error_set(u64 handle);

extern u8 __heap_base;

/* The heap: n bytes from __heap_base, growing the memory as needed. Each
 * export uses it from the start again. */
static u8 *heap(u64 n) {
  u64 end = (u64)(unsigned long)&__heap_base + n;
  u64 have = (u64)__builtin_wasm_memory_size(0) << 16;
  if (end > have && __builtin_wasm_memory_grow(0, (end - have + 0xffff) >> 16) < 0) return 0;
  return &__heap_base;
}

static u64 to_block(const u8 *s, u64 n) {
  u64 h = alloc(n);
  for (u64 i = 0; i < n; i++) store_u8(h + i, s[i]);
  return h;
}

static int fail(const char *msg) {
  u64 n = 0;
  while (msg[n]) n++;
  error_set(to_block((const u8 *)msg, n));
  return 1;
}

/* The input's space-separated fields, up to 4, in a small buffer of our own. */
static u8 line[256];
static const u8 *field[4];
static u64 field_len[4];

static int split(void) {
  i64 n = input_read(0, P(line), sizeof line);
  int count = 0;
  i64 start = 0;
  for (i64 i = 0; i <= n; i++) {
    if (i == n || line[i] == ' ') {
      if (i > start) {
        if (count == 4) return 5;
        field[count] = line + start;
        field_len[count++] = (u64)(i - start);
      }
      start = i + 1;
    }
  }
  return count;
}

static i64 number(int k) {
  if (field_len[k] == 0 || field_len[k] > 18) return -1;
  i64 v = 0;
  for (u64 i = 0; i < field_len[k]; i++) {
    u8 c = field[k][i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

/* Writes v (>= 0) in decimal at `at`; returns the number of digits. */
static int decimal(u8 *at, i64 v) {
  u8 digits[20];
  int len = 0;
  do {
    digits[len++] = (u8)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (int i = 0; i < len; i++) at[i] = digits[len - 1 - i];
  return len;
}

static void fill_payload(u8 *p, i64 size) {
  for (i64 i = 0; i < size; i++) p[i] = (u8)((i * 131 + 7) & 0xff);
}

static i64 spawn(int k) {
  u64 name = to_block(field[k], field_len[k]);
  i64 id = register_plugin(name);
  block_free(name);
  return id;
}

EXPORT(echo) int echo(void) {
  i64 n = (i64)input_length();
  u8 *buf = heap((u64)n);
  if (!buf) return fail("echo: out of memory");
  output_write(P(buf), input_read(0, P(buf), n));
  return 0;
}

EXPORT(call_loop) int call_loop(void) {
  if (split() != 4) return fail("expected input 'N callee export SIZE'");
  i64 n = number(0), size = number(3);
  if (n < 0 || size < 0 || size > 0x3fffffff) return fail("bad N or SIZE");
  u8 *payload = heap(2 * (u64)size);
  if (!payload) return fail("call_loop: out of memory");
  u8 *result = payload + size;
  fill_payload(payload, size);
  i64 id = spawn(1);
  i64 total = 0;
  for (i64 k = 0; k < n; k++)
    total += call_plugin_bytes(id, P(field[2]), (i64)field_len[2], P(payload), size, P(result), size);
  free_plugin(id);
  u8 digits[20];
  output_write(P(digits), decimal(digits, total));
  return 0;
}

EXPORT(call_check) int call_check(void) {
  if (split() != 3) return fail("expected input 'callee export SIZE'");
  i64 size = number(2);
  if (size < 1 || size > 0x3fffffff) return fail("bad SIZE");
  u8 *payload = heap(2 * (u64)size);
  if (!payload) return fail("call_check: out of memory");
  u8 *result = payload + size;
  fill_payload(payload, size);
  i64 id = spawn(0);
  i64 got = call_plugin_bytes(id, P(field[1]), (i64)field_len[1], P(payload), size, P(result), size - 1);
  free_plugin(id);
  if (got != size) return fail("call_check: the result's length differs from the payload's");
  i64 half = size / 2;
  if (result_read(0, P(result), half) != half || result_read(half, P(result + half), size - half) != size - half)
    return fail("call_check: result_read returned a short count");
  for (i64 i = 0; i < size; i++)
    if (result[i] != payload[i]) return fail("call_check: a byte differs");
  u8 ok[24] = "ok ";
  output_write(P(ok), 3 + decimal(ok + 3, size));
  return 0;
}
