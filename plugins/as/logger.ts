// logger: logs the input at every level.
//
//   export log_all() -> i32
//   logs the input bytes at trace, debug, info, warn and error (in that
//   order), then outputs "ok"
//
// PDK 1.0.0's Host.log knows only Info, Warn, Debug and Error and has no
// trace level, so log_trace is declared here. Each log_* call gets its own
// block because the host owns (and frees) the block after the call.
import { Host, LogLevel, Memory } from "@extism/as-pdk";

@external("extism:host/env", "log_trace")
declare function log_trace(msg: u64): void;

function block(bytes: Uint8Array): Memory {
  const mem = Memory.allocate(bytes.length);
  mem.store(bytes);
  return mem;
}

export function log_all(): i32 {
  const msg = Host.input();
  log_trace(block(msg).offset);
  Host.logMemory(LogLevel.Debug, block(msg));
  Host.logMemory(LogLevel.Info, block(msg));
  Host.logMemory(LogLevel.Warn, block(msg));
  Host.logMemory(LogLevel.Error, block(msg));
  Host.output(Uint8Array.wrap(String.UTF8.encode("ok")));
  return 0;
}
