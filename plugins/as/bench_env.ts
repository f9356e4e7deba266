// bench_env: the host-function rows of the side-by-side benchmarks (bench/).
// Official PDK calls, so both hosts run exactly what a PDK plugin pays per
// call: the PDK's own key encoding and block handling are part of each row.
//
// Exports (all () -> i32):
//   empty        does nothing and reads no input: the cost of a call itself.
//   config_loop  input "N": N x Config.get("vowels"); outputs how many found
//                (the benchmarks configure vowels, so N).
//   var_loop     input "N": N x (Var.get("total"), Var.set("total", "42"));
//                outputs N.
import { Host, Var, Config } from "@extism/as-pdk";
import { fail, number, utf8 } from "./lib/blocks";

export function empty(): i32 {
  return 0;
}

function rounds(): i64 {
  return number(Host.input());
}

export function config_loop(): i32 {
  const n = rounds();
  if (n < 0) return fail("expected input 'N'");
  let found: i64 = 0;
  for (let k: i64 = 0; k < n; k++) {
    if (Config.get("vowels") !== null) found++;
  }
  Host.output(utf8(found.toString()));
  return 0;
}

export function var_loop(): i32 {
  const n = rounds();
  if (n < 0) return fail("expected input 'N'");
  const value = utf8("42");
  for (let k: i64 = 0; k < n; k++) {
    Var.get("total");
    Var.set("total", value);
  }
  Host.output(utf8(n.toString()));
  return 0;
}
