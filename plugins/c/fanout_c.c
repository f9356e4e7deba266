/*
 * fanout_c: the fan-out functions from plain C, without any PDK or libc.
 * They are imported from module "env", as a C declaration or a Rust
 * `extern "C"` block imports them.
 *
 *   export run()          splits the input into 3 slices, starts echo on each
 *                         with call_plugin_async, collects them in the order
 *                         they end with await_any and await_call, and outputs
 *                         the slices reassembled in their original order: the
 *                         output equals the input
 *   export try_forged()   try_await_call on a ticket it was never given;
 *                         outputs the status as decimal ("-19": InvalidHandle)
 */
#include "kernel.h"

#define EXPORT(name) __attribute__((export_name(#name)))
#define ENV(name) __attribute__((import_module("env"), import_name(#name)))

typedef long long i64;

ENV(register_plugin) i64 register_plugin(u64 name);
ENV(call_plugin_async) i64 call_plugin_async(i64 id, u64 func, u64 input);
ENV(await_call) u64 await_call(i64 ticket);
ENV(await_any) i64 await_any(u64 tickets, i64 count);
ENV(try_await_call) i64 try_await_call(i64 ticket);

#define SLICES 3

/* Copies n bytes into a new kernel block (handle 0 when n == 0). */
static u64 to_block(const char *s, u64 n) {
  u64 h = alloc(n);
  for (u64 i = 0; i < n; i++) store_u8(h + i, (u8)s[i]);
  return h;
}

#define BLOCK(lit) to_block(lit, sizeof(lit) - 1)

/* A new block holding input bytes [from, to). */
static u64 input_slice(u64 from, u64 to) {
  u64 h = alloc(to - from);
  for (u64 i = from; i < to; i++) store_u8(h + i - from, input_load_u8(i));
  return h;
}

EXPORT(run) int run(void) {
  u64 n = input_length();
  u64 name = BLOCK("echo");
  u64 func = BLOCK("echo");
  i64 tickets[SLICES];
  u64 outputs[SLICES];
  for (int k = 0; k < SLICES; k++) {
    u64 slice = input_slice(n * k / SLICES, n * (k + 1) / SLICES);
    tickets[k] = call_plugin_async(register_plugin(name), func, slice);
    /* The host copied the input: the block is ours to free at once. */
    block_free(slice);
  }
  block_free(name);
  block_free(func);

  /* The tickets still pending, as u64 little-endian numbers in a block. */
  u64 pending = alloc(SLICES * 8);
  int left = SLICES;
  while (left > 0) {
    int at = 0;
    for (int k = 0; k < SLICES; k++)
      if (tickets[k] != 0) store_u64(pending + 8 * at++, (u64)tickets[k]);
    i64 ended = await_any(pending, left);
    for (int k = 0; k < SLICES; k++) {
      if (tickets[k] == ended) {
        outputs[k] = await_call(ended);
        tickets[k] = 0;
      }
    }
    left--;
  }
  block_free(pending);

  u64 out = alloc(n);
  u64 at = 0;
  for (int k = 0; k < SLICES; k++) {
    u64 len = length(outputs[k]);
    for (u64 i = 0; i < len; i++) store_u8(out + at + i, load_u8(outputs[k] + i));
    at += len;
  }
  output_set(out, at);
  return 0;
}

EXPORT(try_forged) int try_forged(void) {
  i64 status = try_await_call(12345);
  u64 magnitude = status < 0 ? (u64)-status : (u64)status;
  char digits[21];
  int len = 0;
  do {
    digits[sizeof digits - 1 - len++] = (char)('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  if (status < 0) digits[sizeof digits - 1 - len++] = '-';
  u64 h = to_block(digits + sizeof digits - len, (u64)len);
  output_set(h, (u64)len);
  return 0;
}
