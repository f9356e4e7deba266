//! relay_rs: a `#![no_std]` Rust plugin built with plain rustc (no crates, no
//! PDK), to check that the host runs modules from another toolchain.
//!
//!   export run() registers "count_vowels", calls its count_vowels export on
//!                "Hello, World!" and outputs the bytes it returned
//!
//! Kernel functions come from "extism:host/env"; register_plugin and
//! call_plugin come from a plain `extern "C"` block, i.e. module "env",
//! exactly as the seed's Rust plugin declares them.
#![no_std]

#[link(wasm_import_module = "extism:host/env")]
extern "C" {
    fn alloc(size: u64) -> u64;
    fn length(handle: u64) -> u64;
    fn store_u8(handle: u64, value: u8);
    fn output_set(handle: u64, len: u64);
}

extern "C" {
    fn register_plugin(name: u64) -> u64;
    fn call_plugin(id: u64, func: u64, input: u64) -> u64;
}

/// Copies bytes into a new kernel block (handle 0 for no bytes).
fn to_block(bytes: &[u8]) -> u64 {
    unsafe {
        let h = alloc(bytes.len() as u64);
        for (i, b) in bytes.iter().enumerate() {
            store_u8(h + i as u64, *b);
        }
        h
    }
}

#[no_mangle]
pub extern "C" fn run() -> i32 {
    unsafe {
        let id = register_plugin(to_block(b"count_vowels"));
        let out = call_plugin(id, to_block(b"count_vowels"), to_block(b"Hello, World!"));
        // The returned block belongs to us: make it the output as it is.
        if out != 0 {
            output_set(out, length(out));
        }
    }
    0
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
