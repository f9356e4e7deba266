;; The fuzz driver: a plugin that turns its input into a sequence of calls across the
;; plugin/host boundary, so a seeded generator on the host side can throw any sequence of
;; kernel, env and inter-plugin calls, with any arguments, at the host.
;;
;; Input: a program of steps, each 1 + 3 * 9 bytes:
;;   opcode (u8), then three arguments, each a tag (u8) and an i64 (little endian):
;;     tag 0: the i64 itself
;;     tag 1: register (i64 mod 8): the result of an earlier step
;;     tag 2: a canned string block: name (i64 mod 8) from the table below, freshly allocated
;; Each step's result (or 0) goes to register (step mod 8).
;; Output on success: the number of steps executed, as an i64.
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "free" (func $free (param i64)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "length_unsafe" (func $length_unsafe (param i64) (result i64)))
  (import "extism:host/env" "load_u8" (func $load_u8 (param i64) (result i32)))
  (import "extism:host/env" "load_u64" (func $load_u64 (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "error_set" (func $error_set (param i64)))
  (import "extism:host/env" "error_get" (func $error_get (result i64)))
  (import "extism:host/env" "config_get" (func $config_get (param i64) (result i64)))
  (import "extism:host/env" "var_get" (func $var_get (param i64) (result i64)))
  (import "extism:host/env" "var_set" (func $var_set (param i64 i64)))
  (import "extism:host/env" "log_info" (func $log_info (param i64)))
  (import "extism:host/env" "get_log_level" (func $get_log_level (result i32)))
  (import "extism:host/env" "http_request" (func $http_request (param i64 i64) (result i64)))
  (import "extism:host/env" "http_status_code" (func $http_status_code (result i32)))
  (import "extism:host/env" "http_headers" (func $http_headers (result i64)))
  (import "extism:host/user" "try_register_plugin" (func $try_register (param i64) (result i64)))
  (import "extism:host/user" "try_call_plugin" (func $try_call (param i64 i64 i64) (result i64)))
  (import "extism:host/user" "free_plugin" (func $free_plugin (param i64) (result i64)))
  (import "extism:host/user" "last_error" (func $last_error (result i64)))
  (import "extism:host/user" "register_plugin" (func $register (param i64) (result i64)))
  (import "extism:host/user" "call_plugin" (func $call (param i64 i64 i64) (result i64)))

  (memory 1)
  ;; Canned strings: offset and length of each, 8 entries of (i32 offset, i32 length) at 0.
  (data (i32.const 0)
    "\40\00\00\00\04\00\00\00"   ;; 0: "echo"
    "\48\00\00\00\05\00\00\00"   ;; 1: "relay"
    "\50\00\00\00\04\00\00\00"   ;; 2: "../x"
    "\58\00\00\00\04\00\00\00"   ;; 3: invalid UTF-8
    "\60\00\00\00\05\00\00\00"   ;; 4: "chain"
    "\68\00\00\00\0b\00\00\00"   ;; 5: "fuzz_driver"
    "\78\00\00\00\22\00\00\00"   ;; 6: an http request
    "\00\01\00\00\c8\00\00\00")  ;; 7: 200 x 'a'
  (data (i32.const 0x40) "echo")
  (data (i32.const 0x48) "relay")
  (data (i32.const 0x50) "../x")
  (data (i32.const 0x58) "\ff\fe\c0\80")
  (data (i32.const 0x60) "chain")
  (data (i32.const 0x68) "fuzz_driver")
  (data (i32.const 0x78) "{\"url\":\"http://127.0.0.1:9/\"}    ")
  (data (i32.const 0x100) "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")

  (global $pc (mut i64) (i64.const 0))

  ;; Registers live at 0x400 .. 0x440.
  (func $reg_addr (param $i i64) (result i32)
    (i32.add (i32.const 0x400) (i32.shl (i32.wrap_i64 (i64.and (local.get $i) (i64.const 7))) (i32.const 3))))

  (func $canned (param $i i64) (result i64)
    (local $entry i32) (local $off i32) (local $len i32) (local $h i64) (local $k i32)
    (local.set $entry (i32.shl (i32.wrap_i64 (i64.and (local.get $i) (i64.const 7))) (i32.const 3)))
    (local.set $off (i32.load (local.get $entry)))
    (local.set $len (i32.load (i32.add (local.get $entry) (i32.const 4))))
    (local.set $h (call $alloc (i64.extend_i32_u (local.get $len))))
    (block $done (loop $copy
      (br_if $done (i32.ge_u (local.get $k) (local.get $len)))
      (call $store_u8 (i64.add (local.get $h) (i64.extend_i32_u (local.get $k)))
                      (i32.load8_u (i32.add (local.get $off) (local.get $k))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $copy)))
    (local.get $h))

  ;; Argument n (0..2) of the current step.
  (func $arg (param $n i64) (result i64)
    (local $at i64) (local $tag i32) (local $value i64)
    (local.set $at (i64.add (i64.add (global.get $pc) (i64.const 1)) (i64.mul (local.get $n) (i64.const 9))))
    (local.set $tag (call $input_load_u8 (local.get $at)))
    (local.set $value (call $read_i64 (i64.add (local.get $at) (i64.const 1))))
    (if (result i64) (i32.eq (local.get $tag) (i32.const 1))
      (then (i64.load (call $reg_addr (local.get $value))))
      (else (if (result i64) (i32.eq (local.get $tag) (i32.const 2))
        (then (call $canned (local.get $value)))
        (else (local.get $value))))))

  ;; Unaligned i64 from the input, byte by byte (the step layout is not 8-aligned).
  (func $read_i64 (param $at i64) (result i64)
    (local $v i64) (local $k i64)
    (block $done (loop $next
      (br_if $done (i64.ge_u (local.get $k) (i64.const 8)))
      (local.set $v (i64.or (local.get $v)
        (i64.shl (i64.extend_i32_u (call $input_load_u8 (i64.add (local.get $at) (local.get $k))))
                 (i64.mul (local.get $k) (i64.const 8)))))
      (local.set $k (i64.add (local.get $k) (i64.const 1)))
      (br $next)))
    (local.get $v))

  (func $step (param $op i32) (result i64)
    (block $b28 (block $b27 (block $b26 (block $b25 (block $b24 (block $b23 (block $b22 (block $b21
    (block $b20 (block $b19 (block $b18 (block $b17 (block $b16 (block $b15 (block $b14 (block $b13
    (block $b12 (block $b11 (block $b10 (block $b9 (block $b8 (block $b7 (block $b6 (block $b5
    (block $b4 (block $b3 (block $b2 (block $b1 (block $b0
      (br_table $b0 $b1 $b2 $b3 $b4 $b5 $b6 $b7 $b8 $b9 $b10 $b11 $b12 $b13 $b14 $b15 $b16 $b17
                $b18 $b19 $b20 $b21 $b22 $b23 $b24 $b25 $b26 $b27 $b28 $b0
                (i32.rem_u (local.get $op) (i32.const 29))))
      (return (call $alloc (i64.and (call $arg (i64.const 0)) (i64.const 0xFFFFF)))))
      (call $free (call $arg (i64.const 0))) (return (i64.const 0)))
      (return (call $length (call $arg (i64.const 0)))))
      (return (call $length_unsafe (call $arg (i64.const 0)))))
      (return (i64.extend_i32_u (call $load_u8 (call $arg (i64.const 0))))))
      (return (call $load_u64 (call $arg (i64.const 0)))))
      (call $store_u8 (call $arg (i64.const 0)) (i32.wrap_i64 (call $arg (i64.const 1)))) (return (i64.const 0)))
      (call $store_u64 (call $arg (i64.const 0)) (call $arg (i64.const 1))) (return (i64.const 0)))
      (return (call $input_length)))
      (return (call $input_offset)))
      (return (i64.extend_i32_u (call $input_load_u8 (call $arg (i64.const 0))))))
      (return (call $input_load_u64 (call $arg (i64.const 0)))))
      (call $output_set (call $arg (i64.const 0)) (call $arg (i64.const 1))) (return (i64.const 0)))
      (call $error_set (call $arg (i64.const 0))) (call $error_set (i64.const 0)) (return (i64.const 0)))
      (return (call $error_get)))
      (return (call $config_get (call $arg (i64.const 0)))))
      (return (call $var_get (call $arg (i64.const 0)))))
      (call $var_set (call $arg (i64.const 0)) (call $arg (i64.const 1))) (return (i64.const 0)))
      (call $log_info (call $arg (i64.const 0))) (return (i64.const 0)))
      (return (i64.extend_i32_u (call $get_log_level))))
      (return (call $http_request (call $arg (i64.const 0)) (call $arg (i64.const 1)))))
      (return (i64.extend_i32_u (call $http_status_code))))
      (return (call $http_headers)))
      (return (call $try_register (call $arg (i64.const 0)))))
      (return (call $try_call (call $arg (i64.const 0)) (call $arg (i64.const 1)) (call $arg (i64.const 2)))))
      (return (call $free_plugin (call $arg (i64.const 0)))))
      (return (call $last_error)))
      (return (call $register (call $arg (i64.const 0)))))
    (call $call (call $arg (i64.const 0)) (call $arg (i64.const 1)) (call $arg (i64.const 2))))

  (func (export "run") (result i32)
    (local $steps i64) (local $result i64) (local $out i64)
    (global.set $pc (i64.const 0))
    (block $done (loop $next
      (br_if $done (i64.gt_u (i64.add (global.get $pc) (i64.const 28)) (call $input_length)))
      (local.set $result (call $step (call $input_load_u8 (global.get $pc))))
      (i64.store (call $reg_addr (local.get $steps)) (local.get $result))
      (local.set $steps (i64.add (local.get $steps) (i64.const 1)))
      (global.set $pc (i64.add (global.get $pc) (i64.const 28)))
      (br $next)))
    ;; The program may have set an output range of its own; replace it with the step count.
    (local.set $out (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $out) (local.get $steps))
    (call $output_set (local.get $out) (i64.const 8))
    (i32.const 0))
)
