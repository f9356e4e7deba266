/*
 * The Extism kernel functions ("extism:host/env") as plain C declarations,
 * for the plugins in this folder, which use no PDK and no libc. A function a
 * plugin does not call is not imported: clang drops unused declarations.
 */
#ifndef INTERPLUG_PLUGINS_KERNEL_H
#define INTERPLUG_PLUGINS_KERNEL_H

typedef unsigned long long u64;
typedef unsigned char u8;

#define KERNEL(name) \
  __attribute__((import_module("extism:host/env"), import_name(#name)))

KERNEL(input_length) u64 input_length(void);
KERNEL(input_offset) u64 input_offset(void);
KERNEL(input_load_u8) u8 input_load_u8(u64 offset);
KERNEL(input_load_u64) u64 input_load_u64(u64 offset);
KERNEL(alloc) u64 alloc(u64 size);
/* Not named free: that would redeclare the C library's. */
__attribute__((import_module("extism:host/env"), import_name("free"))) void block_free(u64 handle);
KERNEL(length) u64 length(u64 handle);
KERNEL(load_u8) u8 load_u8(u64 handle);
KERNEL(store_u8) void store_u8(u64 handle, u8 value);
KERNEL(store_u64) void store_u64(u64 handle, u64 value);
KERNEL(output_set) void output_set(u64 handle, u64 len);

#endif
