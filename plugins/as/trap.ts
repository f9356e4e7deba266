// trap: the three ways a call can fail.
//
//   export trap()      -> traps (wasm `unreachable`)
//   export fail()      -> sets the error "deliberate failure" and returns 1
//   export fail_zero() -> sets the error "deliberate failure" but returns 0
//                         (a non-empty error must fail the call anyway)
//   export exit_code() -> returns 7 without setting an error
//
// PDK 1.0.0 has no error helper in its public API (no Host.setError); the
// raw kernel import error_set is declared in its lib/env module.
import { Memory } from "@extism/as-pdk";
import { error_set } from "@extism/as-pdk/lib/env";

export function trap(): i32 {
  unreachable();
  return 0;
}

export function fail(): i32 {
  error_set(Memory.allocateString("deliberate failure").offset);
  return 1;
}

export function fail_zero(): i32 {
  error_set(Memory.allocateString("deliberate failure").offset);
  return 0;
}

export function exit_code(): i32 {
  return 7;
}
