;; The benchmark plugin of HostFunctionBenchmarks: what one call of each `extism:host/env` function
;; that .NET serves costs, called from wasm. Every loop export reads N from its 8-byte input and
;; does N rounds, so a benchmark divides one call by N; the rounds are what a PDK does around each
;; function (allocate and fill the key block, free the result).
;;
;;   empty       does nothing, reads no input: the cost of a host→plugin call itself.
;;   kernel      alloc, store_u64, free: the kernel's part of every round below (wasm only).
;;   bare        http_status_code: a .NET host function that does no work (the crossing alone).
;;   config_get  "vowels" → config_get → free the value (the manifest sets vowels).
;;   var_get     "total" → var_get → free the value (the var is set by var_set first).
;;   var_set     "total", a 2-byte value → var_set (the host frees both).
;;   var_pair    one var_get and one var_set, as count_vowels does.
;;   log_off     "hello" → log_info, with logging off for this plugin.
(module
  (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "free" (func $free (param i64)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "config_get" (func $config_get (param i64) (result i64)))
  (import "extism:host/env" "var_get" (func $var_get (param i64) (result i64)))
  (import "extism:host/env" "var_set" (func $var_set (param i64 i64)))
  (import "extism:host/env" "log_info" (func $log_info (param i64)))
  (import "extism:host/env" "http_status_code" (func $http_status_code (result i32)))

  ;; A block holding the first $n bytes of the little-endian word $word.
  (func $block (param $word i64) (param $n i64) (result i64)
    (local $h i64)
    (local.set $h (call $alloc (local.get $n)))
    (call $store_u64 (local.get $h) (local.get $word))
    (local.get $h))

  ;; "vowels", "total", "hello", "42" as little-endian words.
  (func $vowels (result i64) (call $block (i64.const 0x736c65776f76) (i64.const 6)))
  (func $total (result i64) (call $block (i64.const 0x6c61746f74) (i64.const 5)))
  (func $hello (result i64) (call $block (i64.const 0x6f6c6c6568) (i64.const 5)))
  (func $value (result i64) (call $block (i64.const 0x3234) (i64.const 2)))

  (func $rounds (result i64) (call $input_load_u64 (i64.const 0)))

  (func (export "empty") (result i32) (i32.const 0))

  (func (export "kernel") (result i32)
    (local $i i64) (local $n i64)
    (local.set $n (call $rounds))
    (block $done (loop $next
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (call $free (call $vowels))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $next)))
    (i32.const 0))

  (func (export "bare") (result i32)
    (local $i i64) (local $n i64)
    (local.set $n (call $rounds))
    (block $done (loop $next
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (drop (call $http_status_code))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $next)))
    (i32.const 0))

  (func (export "config_get") (result i32)
    (local $i i64) (local $n i64)
    (local.set $n (call $rounds))
    (block $done (loop $next
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (call $free (call $config_get (call $vowels)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $next)))
    (i32.const 0))

  (func (export "var_get") (result i32)
    (local $i i64) (local $n i64)
    (local.set $n (call $rounds))
    (block $done (loop $next
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (call $free (call $var_get (call $total)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $next)))
    (i32.const 0))

  (func (export "var_set") (result i32)
    (local $i i64) (local $n i64)
    (local.set $n (call $rounds))
    (block $done (loop $next
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (call $var_set (call $total) (call $value))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $next)))
    (i32.const 0))

  (func (export "var_pair") (result i32)
    (local $i i64) (local $n i64)
    (local.set $n (call $rounds))
    (block $done (loop $next
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (call $free (call $var_get (call $total)))
      (call $var_set (call $total) (call $value))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $next)))
    (i32.const 0))

  (func (export "log_off") (result i32)
    (local $i i64) (local $n i64)
    (local.set $n (call $rounds))
    (block $done (loop $next
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (call $log_info (call $hello))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $next)))
    (i32.const 0))
)
