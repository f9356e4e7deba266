// fan_driver: a small script interpreter for testing the fan-out functions
// (call_plugin_async, await_call, await_any and their try_* forms).
//
//   export script() -> i32
//   input : a separator character, then commands separated by it, e.g.
//           ";spawn echo;start 1 echo hi;await 1"
//   output: one result per command, joined by "|"; a failed try_* command
//           gives "error <status>: <last_error>", so the script goes on.
//
// Commands (H: a handle number, T: a ticket number, as the host issued them;
// ARG: the rest of the command, spaces included, may be empty):
//   spawn NAME           try_register_plugin        -> handle
//   start H EXPORT ARG   try_call_plugin_async      -> ticket
//   start! H EXPORT ARG  call_plugin_async          -> ticket (a failure fails the script)
//   await T              try_await_call             -> the child's output
//   await! T             await_call                 -> the child's output
//   any T,T,...          try_await_any              -> the ticket that ended
//   any! T,T,...         await_any                  -> the ticket that ended
//   call H EXPORT ARG    try_call_plugin            -> the child's output
//   free H               free_plugin                -> status
//   trap                 traps (wasm unreachable), failing the script
//
// Argument blocks are freed as soon as each host function returns, as the
// fan-out ABI allows: the host has copied the input before returning.
import { Host, Memory } from "@extism/as-pdk";
import { free, store_u64 } from "@extism/as-pdk/lib/env";
import { fail, outputText, takeBlock, text, toBlock, utf8 } from "./lib/blocks";

@external("extism:host/user", "try_register_plugin")
declare function try_register_plugin(name: u64): i64;
@external("extism:host/user", "try_call_plugin")
declare function try_call_plugin(id: i64, func: u64, input: u64): i64;
@external("extism:host/user", "free_plugin")
declare function free_plugin(id: i64): i64;
@external("extism:host/user", "last_error")
declare function last_error(): u64;
@external("extism:host/user", "call_plugin_async")
declare function call_plugin_async(id: i64, func: u64, input: u64): i64;
@external("extism:host/user", "try_call_plugin_async")
declare function try_call_plugin_async(id: i64, func: u64, input: u64): i64;
@external("extism:host/user", "await_call")
declare function await_call(ticket: i64): u64;
@external("extism:host/user", "try_await_call")
declare function try_await_call(ticket: i64): i64;
@external("extism:host/user", "await_any")
declare function await_any(tickets: u64, count: i64): i64;
@external("extism:host/user", "try_await_any")
declare function try_await_any(tickets: u64, count: i64): i64;

// The text of a block the host handed us; frees the block.
function take(h: u64): string {
  return text(takeBlock(h));
}

function block(s: string): u64 {
  return toBlock(utf8(s));
}

// A try_* result: the number, or the error with last_error's message.
function number(r: i64): string {
  return r < 0 ? "error " + r.toString() + ": " + take(last_error()) : r.toString();
}

// A try_* result that is an output block on success.
function output(r: i64): string {
  return r < 0 ? number(r) : take(<u64>r);
}

// Splits "a b rest of it" into at most n parts (the last one keeps its spaces).
function split(s: string, n: i32): string[] {
  const parts = new Array<string>();
  let from = 0;
  while (parts.length < n - 1) {
    const space = s.indexOf(" ", from);
    if (space < 0) break;
    parts.push(s.substring(from, space));
    from = space + 1;
  }
  parts.push(s.substring(from));
  while (parts.length < n) parts.push("");
  return parts;
}

function start(args: string, failing: bool): string {
  const p = split(args, 3);
  const func = block(p[1]);
  const input = block(p[2]);
  const id = I64.parseInt(p[0]);
  const r = failing ? call_plugin_async(id, func, input) : try_call_plugin_async(id, func, input);
  free(func);
  free(input);
  return number(r);
}

function awaitAny(args: string, failing: bool): string {
  const tickets = args.split(",");
  const h = Memory.allocate(tickets.length * 8);
  for (let i = 0; i < tickets.length; i++) store_u64(h.offset + <u64>(i * 8), <u64>I64.parseInt(tickets[i]));
  const r = failing ? await_any(h.offset, tickets.length) : try_await_any(h.offset, tickets.length);
  free(h.offset);
  return number(r);
}

function call(args: string): string {
  const p = split(args, 3);
  const func = block(p[1]);
  const input = block(p[2]);
  const r = try_call_plugin(I64.parseInt(p[0]), func, input);
  free(func);
  free(input);
  return output(r);
}

function run(command: string): string {
  const p = split(command, 2);
  const verb = p[0];
  const args = p[1];
  if (verb == "spawn") {
    const name = block(args);
    const r = try_register_plugin(name);
    free(name);
    return number(r);
  }
  if (verb == "start") return start(args, false);
  if (verb == "start!") return start(args, true);
  if (verb == "await") return output(try_await_call(I64.parseInt(args)));
  if (verb == "await!") return take(await_call(I64.parseInt(args)));
  if (verb == "any") return awaitAny(args, false);
  if (verb == "any!") return awaitAny(args, true);
  if (verb == "call") return call(args);
  if (verb == "free") return free_plugin(I64.parseInt(args)).toString();
  if (verb == "trap") unreachable();
  return "unknown command " + verb;
}

export function script(): i32 {
  const input = Host.inputString();
  if (input.length == 0) return fail("expected a separator, then commands");
  const commands = input.substring(1).split(input.charAt(0));
  const results = new Array<string>();
  for (let i = 0; i < commands.length; i++) results.push(run(commands[i]));
  return outputText(results.join("|"));
}
