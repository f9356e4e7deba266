// loop_forever: never returns; for testing timeouts, cancellation and fuel.
//
//   export loop_forever() -> i32 (never returns)
//
// The loop body increments a module global. Wasm has no "infinite loops may
// be removed" rule, so Binaryen keeps the loop (checked in the -O3 output:
// loop / global.get / i64.add / global.set / br 0).
let spins: u64 = 0;

export function loop_forever(): i32 {
  while (true) {
    spins++;
  }
  return 0;
}
