;; The benchmark plugin of InputReadBenchmarks: how fast a plugin can read its input through the
;; Extism kernel. Every export takes the same 1 MiB input from the host, so the per-call work
;; outside the loop (copying the input in, one 8-byte output) is the same for all three.
;;
;;   read_input  reads the whole input with input_load_u64 in 8-byte steps, the tail (len % 8
;;               bytes) with input_load_u8, xor-folds it and outputs the 8-byte fold
;;               (little-endian; the tail bytes sit where a zero-padded last word would put them).
;;   read_block  allocates a block of the input's length with alloc and reads it the same way
;;               with load_u64 / load_u8: the cost of the kernel's general load path. The block
;;               is not written first, so its fold is not meaningful; only its cost is.
;;   read_none   reads nothing and outputs the input length: the fixed cost of a call that
;;               carries 1 MiB of input.
(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "load_u64" (func $load_u64 (param i64) (result i64)))
  (import "extism:host/env" "load_u8" (func $load_u8 (param i64) (result i32)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))

  ;; Outputs $value as 8 little-endian bytes.
  (func $output_u64 (param $value i64) (result i32)
    (local $out i64)
    (local.set $out (call $alloc (i64.const 8)))
    (if (i64.eqz (local.get $out)) (then (return (i32.const 1))))
    (call $store_u64 (local.get $out) (local.get $value))
    (call $output_set (local.get $out) (i64.const 8))
    (i32.const 0))

  ;; A tail byte at offset $i, shifted to where it sits in its 8-byte word.
  (func $tail_word (param $byte i32) (param $i i64) (result i64)
    (i64.shl (i64.extend_i32_u (local.get $byte))
             (i64.shl (i64.and (local.get $i) (i64.const 7)) (i64.const 3))))

  (func (export "read_input") (result i32)
    (local $n i64) (local $end i64) (local $i i64) (local $acc i64)
    (local.set $n (call $input_length))
    (local.set $end (i64.and (local.get $n) (i64.const -8)))
    (block $words_done
      (loop $words
        (br_if $words_done (i64.ge_u (local.get $i) (local.get $end)))
        (local.set $acc (i64.xor (local.get $acc) (call $input_load_u64 (local.get $i))))
        (local.set $i (i64.add (local.get $i) (i64.const 8)))
        (br $words)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i64.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i64.xor (local.get $acc)
          (call $tail_word (call $input_load_u8 (local.get $i)) (local.get $i))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $tail)))
    (call $output_u64 (local.get $acc)))

  (func (export "read_block") (result i32)
    (local $n i64) (local $block i64) (local $end i64) (local $i i64) (local $acc i64)
    (local.set $n (call $input_length))
    (local.set $block (call $alloc (local.get $n)))
    (if (i64.eqz (local.get $block)) (then (return (i32.const 1))))
    (local.set $end (i64.and (local.get $n) (i64.const -8)))
    (block $words_done
      (loop $words
        (br_if $words_done (i64.ge_u (local.get $i) (local.get $end)))
        (local.set $acc (i64.xor (local.get $acc)
          (call $load_u64 (i64.add (local.get $block) (local.get $i)))))
        (local.set $i (i64.add (local.get $i) (i64.const 8)))
        (br $words)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i64.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i64.xor (local.get $acc)
          (call $tail_word (call $load_u8 (i64.add (local.get $block) (local.get $i))) (local.get $i))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $tail)))
    (call $output_u64 (local.get $acc)))

  (func (export "read_none") (result i32)
    (call $output_u64 (call $input_length)))
)
