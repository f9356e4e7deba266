// vars: plugin variables.
//
//   export var_roundtrip() -> i32
//       sets var "k" to the input, reads it back and outputs it (an empty
//       input deletes "k", so the output is empty too)
//   export var_bomb() -> i32
//       sets vars "bomb0", "bomb1", ... of 1 KiB, 2 KiB, 4 KiB, ... until the
//       host fails the call for exceeding its var limit. If the kernel cannot
//       allocate the next block it fails with "alloc failed at N bytes"; past
//       1 GiB it gives up with "host accepted N bytes of vars".
import { Host, Var, Memory } from "@extism/as-pdk";
import { error_set, var_set } from "@extism/as-pdk/lib/env";

export function var_roundtrip(): i32 {
  Var.set("k", Host.input());
  const back = Var.get("k");
  Host.output(back === null ? new Uint8Array(0) : back);
  return 0;
}

function failWith(msg: string): i32 {
  error_set(Memory.allocateString(msg).offset);
  return 1;
}

export function var_bomb(): i32 {
  let size: u64 = 1024;
  let total: u64 = 0;
  for (let i = 0; ; i++) {
    if (size > (<u64>1 << 30)) {
      return failWith("host accepted " + total.toString() + " bytes of vars");
    }
    // The value block is only allocated, never filled: its content does not
    // matter and this keeps the plugin's own memory out of the picture.
    const value = Memory.allocate(size);
    if (value.offset == 0) {
      return failWith("alloc failed at " + size.toString() + " bytes");
    }
    const key = Memory.allocateString("bomb" + i.toString());
    var_set(key.offset, value.offset);
    total += size;
    size *= 2;
  }
  return 0;
}
