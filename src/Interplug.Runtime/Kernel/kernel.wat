;; The Interplug kernel: the block memory behind the Extism `extism:host/env` ABI.
;;
;; One kernel instance runs beside each plugin instance, in the same store. A plugin reaches it
;; with plain wasm-to-wasm calls, so reading its input or writing its output in 8-byte steps
;; never crosses into .NET.
;;
;; Two memories:
;;   $data  handles are byte offsets into it; block bytes live here. Offsets below HEAP_BASE
;;          (1024) never hold a block, so handle 0 is NULL and low stores are ignored.
;;   $meta  bookkeeping the plugin cannot address: one u32 per 16-byte granule of $data.
;;            0                  the granule starts no block
;;            1 .. 2^31-1        a live block of that many bytes starts here
;;            0x80000000 | next  a freed block starts here; `next` is the granule of the next
;;                               free block of the same size class (0 ends the list)
;;          Bytes 0..255 of $meta hold a header instead (they shadow granules 0..63, which are
;;          below HEAP_BASE):
;;            0..127   heads of the free lists, one u32 per size class (class c holds blocks of
;;                     capacity >= 2^c)
;;            128 output offset   136 output length   144 error handle
;;            152 bump pointer    160 input offset    168 input length      (all i64)
;;
;; The host sets the bump pointer to HEAP_BASE before the plugin runs; a data segment would do
;; the same but costs every instance a copy-on-write memory mapping.
;;
;; The header is a contract with the host (KernelInstance.cs), which reads and writes it through
;; raw pointers so that a call needs no extra trips into wasm: the host starts each call itself
;; (zeroes the used part of $meta, which forgets every block as the Extism ABI prescribes, and
;; places the input as the first block at HEAP_BASE), reads the output and error, checks block
;; lengths, and bump-allocates the blocks it returns to the plugin.
;;
;; Allocation here: a freed block of the request's size class if there is one, else the bump
;; pointer. Freeing the block just below the bump pointer moves the pointer back. Freeing the
;; input block does nothing.
;;
;; The host grows both memories together through the `grow` import, which is where the
;; plugin's memory budget is enforced.
(module
  (import "interplug:kernel" "grow" (func $host_grow (param i64) (result i32)))

  (memory $data (export "memory") 1)
  (memory $meta (export "meta") 1)


  (func $data_size (result i64)
    (i64.shl (i64.extend_i32_u (memory.size $data)) (i64.const 16)))

  (func $meta_slot (param $h i64) (result i32)
    (i32.wrap_i64 (i64.shr_u (local.get $h) (i64.const 2))))

  (func $round16 (param $n i64) (result i64)
    (i64.and (i64.add (local.get $n) (i64.const 15)) (i64.const -16)))

  ;; Returns the byte length of the live block starting at $h, or 0.
  (func $length (export "length") (param $h i64) (result i64)
    (local $m i32)
    (if (i64.lt_u (local.get $h) (i64.const 1024)) (then (return (i64.const 0))))
    (if (i64.ge_u (local.get $h) (i64.load $meta (i32.const 152))) (then (return (i64.const 0))))
    (if (i32.wrap_i64 (i64.and (local.get $h) (i64.const 15))) (then (return (i64.const 0))))
    (local.set $m (i32.load $meta (call $meta_slot (local.get $h))))
    (if (i32.lt_s (local.get $m) (i32.const 0)) (then (return (i64.const 0))))
    (i64.extend_i32_u (local.get $m)))
  ;; Validation costs a handful of instructions, so the unchecked variant shares the checked code.
  (export "length_unsafe" (func $length))

  (func $alloc (export "alloc") (param $n i64) (result i64)
    (local $class i32) (local $head i32) (local $g i32) (local $addr i64) (local $end i64)
    (if (i64.eqz (local.get $n)) (then (return (i64.const 0))))
    ;; Lengths must fit the 31 bits a live $meta entry has.
    (if (i64.gt_u (local.get $n) (i64.const 0x7FFFFFF0)) (then (return (i64.const 0))))
    ;; Size class: ceil(log2 n), at least 16 bytes.
    (local.set $class
      (i32.wrap_i64 (i64.sub (i64.const 64) (i64.clz (i64.sub (local.get $n) (i64.const 1))))))
    (if (i32.lt_u (local.get $class) (i32.const 4)) (then (local.set $class (i32.const 4))))
    (local.set $head (i32.shl (local.get $class) (i32.const 2)))
    (local.set $g (i32.load $meta (local.get $head)))
    (if (local.get $g)
      (then
        (i32.store $meta (local.get $head)
          (i32.and (i32.load $meta (i32.shl (local.get $g) (i32.const 2))) (i32.const 0x7FFFFFFF)))
        (i32.store $meta (i32.shl (local.get $g) (i32.const 2)) (i32.wrap_i64 (local.get $n)))
        (return (i64.shl (i64.extend_i32_u (local.get $g)) (i64.const 4)))))
    (local.set $addr (i64.load $meta (i32.const 152)))
    (local.set $end (i64.add (local.get $addr) (call $round16 (local.get $n))))
    (if (i64.gt_u (local.get $end) (call $data_size))
      (then (if (i32.eqz (call $host_grow (local.get $end))) (then (return (i64.const 0))))))
    (i64.store $meta (i32.const 152) (local.get $end))
    (i32.store $meta (call $meta_slot (local.get $addr)) (i32.wrap_i64 (local.get $n)))
    (local.get $addr))

  (func $free (export "free") (param $h i64)
    (local $cap i64) (local $head i32) (local $slot i32)
    ;; The input stays for the whole call: a plugin that passes it to a host function (which frees
    ;; its arguments) or frees it by mistake must still read it through input_load_*.
    (if (i64.eq (local.get $h) (i64.load $meta (i32.const 160))) (then (return)))
    (local.set $cap (call $round16 (call $length (local.get $h))))
    (if (i64.eqz (local.get $cap)) (then (return)))
    (local.set $slot (call $meta_slot (local.get $h)))
    (if (i64.eq (i64.add (local.get $h) (local.get $cap)) (i64.load $meta (i32.const 152)))
      (then
        (i32.store $meta (local.get $slot) (i32.const 0))
        (i64.store $meta (i32.const 152) (local.get $h))
        (return)))
    ;; A block reused from a free list may be larger than its new length says; filing it under
    ;; the class its length implies only ever wastes the tail, never overlaps a neighbour.
    (local.set $head
      (i32.shl (i32.sub (i32.const 63) (i32.wrap_i64 (i64.clz (local.get $cap)))) (i32.const 2)))
    (i32.store $meta (local.get $slot)
      (i32.or (i32.const 0x80000000) (i32.load $meta (local.get $head))))
    (i32.store $meta (local.get $head) (i32.wrap_i64 (i64.shr_u (local.get $h) (i64.const 4)))))

  ;; The accessors below spell out $data_size instead of calling it: Cranelift does not inline
  ;; wasm calls, and the extra call cost 15-20% of a PDK's 8-byte copy loop (measured 2026-11-23).
  (func (export "load_u8") (param $h i64) (result i32)
    (if (result i32) (i64.lt_u (local.get $h) (i64.shl (i64.extend_i32_u (memory.size $data)) (i64.const 16)))
      (then (i32.load8_u $data (i32.wrap_i64 (local.get $h))))
      (else (i32.const 0))))

  (func (export "load_u64") (param $h i64) (result i64)
    (if (result i64) (i64.le_u (local.get $h) (i64.sub (i64.shl (i64.extend_i32_u (memory.size $data)) (i64.const 16)) (i64.const 8)))
      (then (i64.load $data (i32.wrap_i64 (local.get $h))))
      (else (i64.const 0))))

  (func (export "store_u8") (param $h i64) (param $v i32)
    (if (i32.and (i64.ge_u (local.get $h) (i64.const 1024))
                 (i64.lt_u (local.get $h) (i64.shl (i64.extend_i32_u (memory.size $data)) (i64.const 16))))
      (then (i32.store8 $data (i32.wrap_i64 (local.get $h)) (local.get $v)))))

  (func (export "store_u64") (param $h i64) (param $v i64)
    (if (i32.and (i64.ge_u (local.get $h) (i64.const 1024))
                 (i64.le_u (local.get $h) (i64.sub (i64.shl (i64.extend_i32_u (memory.size $data)) (i64.const 16)) (i64.const 8))))
      (then (i64.store $data (i32.wrap_i64 (local.get $h)) (local.get $v)))))

  (func (export "input_length") (result i64) (i64.load $meta (i32.const 168)))
  (func (export "input_offset") (result i64) (i64.load $meta (i32.const 160)))

  (func (export "input_load_u8") (param $o i64) (result i32)
    (if (result i32) (i64.lt_u (local.get $o) (i64.load $meta (i32.const 168)))
      (then (i32.load8_u $data (i32.wrap_i64 (i64.add (i64.load $meta (i32.const 160)) (local.get $o)))))
      (else (i32.const 0))))

  (func (export "input_load_u64") (param $o i64) (result i64)
    (if (result i64) (i32.and (i64.ge_u (i64.load $meta (i32.const 168)) (i64.const 8))
                              (i64.le_u (local.get $o) (i64.sub (i64.load $meta (i32.const 168)) (i64.const 8))))
      (then (i64.load $data (i32.wrap_i64 (i64.add (i64.load $meta (i32.const 160)) (local.get $o)))))
      (else (i64.const 0))))

  (func (export "output_set") (param $h i64) (param $n i64)
    (i64.store $meta (i32.const 128) (local.get $h))
    (i64.store $meta (i32.const 136) (local.get $n)))

  (func (export "error_set") (param $h i64)
    (i64.store $meta (i32.const 144) (local.get $h)))

  (func (export "error_get") (result i64)
    (i64.load $meta (i32.const 144)))
)
