;; definitions.py lift_flat_values and lower_flat_values: a pointer to spilled values, whether a sync lift's result pointer, a task.return argument or a sync lower's return pointer, must be aligned to the tuple's alignment (trap_if(ptr != align_to(ptr, alignment(tuple_type)))) and the tuple must fit in memory (trap_if(ptr + elem_size(tuple_type) > len(memory))); the aligned, in-bounds control of each one goes through.
(component definition $C
  (component $Callee
    (type $P (tuple u64 u8))
    (type $Big (tuple u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32))
    (core module $Libc (memory (export "mem") 1))
    (core instance $libc (instantiate $Libc))
    (canon task.return (result $Big) (memory (core memory $libc "mem")) (core func $task.return))
    (core module $M
      (import "" "mem" (memory 1))
      (import "" "task.return" (func $task.return (param i32)))
      ;; tuple<u64, u8> { 7, 9 } at $p, whatever $p is.
      (func (export "pair") (param $p i32) (result i32)
        (if (i32.lt_u (local.get $p) (i32.const 65520))
          (then
            (i64.store (local.get $p) (i64.const 7))
            (i32.store8 offset=8 (local.get $p) (i32.const 9))))
        (local.get $p))
      ;; 17 u32s (1 .. 17) at $p, handed to task.return by pointer.
      (func (export "big") (param $p i32) (result i32)
        (local $i i32)
        (if (i32.lt_u (local.get $p) (i32.const 65000))
          (then
            (loop $next
              (i32.store (i32.add (local.get $p) (i32.shl (local.get $i) (i32.const 2))) (i32.add (local.get $i) (i32.const 1)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $next (i32.lt_u (local.get $i) (i32.const 17))))))
        (call $task.return (local.get $p))
        (i32.const 0 (; EXIT ;)))
      (func (export "cb") (param i32 i32 i32) (result i32) unreachable))
    (core instance $m (instantiate $M (with "" (instance
      (export "mem" (memory $libc "mem"))
      (export "task.return" (func $task.return))))))
    (func (export "pair") (param "p" u32) (result $P) (canon lift (core func $m "pair") (memory (core memory $libc "mem"))))
    (func (export "big") async (param "p" u32) (result $Big)
      (canon lift (core func $m "big") async (memory (core memory $libc "mem")) (callback (core func $m "cb")))))
  (component $Caller
    (type $P (tuple u64 u8))
    (type $Big (tuple u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32 u32))
    (import "pair" (func $pair (param "p" u32) (result $P)))
    (import "big" (func $big async (param "p" u32) (result $Big)))
    (core module $Libc (memory (export "mem") 1))
    (core instance $libc (instantiate $Libc))
    (canon lower (func $pair) (memory (core memory $libc "mem")) (core func $pair'))
    (canon lower (func $big) (memory (core memory $libc "mem")) (core func $big'))
    (core module $M
      (import "" "mem" (memory 1))
      (import "" "pair" (func $pair (param i32 i32)))
      (import "" "big" (func $big (param i32 i32)))
      ;; The callee builds its result at $from; it lands at $to here: 7 + 9.
      (func (export "pair") (param $from i32) (param $to i32) (result i32)
        (call $pair (local.get $from) (local.get $to))
        (i32.add (i32.wrap_i64 (i64.load (local.get $to))) (i32.load8_u offset=8 (local.get $to))))
      ;; The callee passes task.return a pointer to 1 .. 17 at $from: their sum, 153.
      (func (export "big") (param $from i32) (result i32)
        (local $i i32) (local $sum i32)
        (call $big (local.get $from) (i32.const 2048))
        (loop $next
          (local.set $sum (i32.add (local.get $sum) (i32.load (i32.add (i32.const 2048) (i32.shl (local.get $i) (i32.const 2))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $next (i32.lt_u (local.get $i) (i32.const 17))))
        (local.get $sum)))
    (core instance $m (instantiate $M (with "" (instance
      (export "mem" (memory $libc "mem"))
      (export "pair" (func $pair'))
      (export "big" (func $big'))))))
    (func (export "pair") async (param "from" u32) (param "to" u32) (result u32) (canon lift (core func $m "pair")))
    (func (export "big") async (param "from" u32) (result u32) (canon lift (core func $m "big"))))
  (instance $callee (instantiate $Callee))
  (instance $caller (instantiate $Caller (with "pair" (func $callee "pair")) (with "big" (func $callee "big"))))
  (func (export "pair") (alias export $caller "pair"))
  (func (export "big") (alias export $caller "big")))

(component instance $i $C)
(assert_return (invoke "pair" (u32.const 1024) (u32.const 2048)) (u32.const 16))
;; The callee's result pointer: misaligned, then past the end of its memory.
(assert_trap (invoke "pair" (u32.const 1028) (u32.const 2048)) "unaligned pointer")
(component instance $i $C)
(assert_trap (invoke "pair" (u32.const 65528) (u32.const 2048)) "out of bounds")
;; The caller's return pointer: misaligned, then past the end of its memory.
(component instance $i $C)
(assert_trap (invoke "pair" (u32.const 1024) (u32.const 2052)) "unaligned pointer")
(component instance $i $C)
(assert_trap (invoke "pair" (u32.const 1024) (u32.const 65528)) "out of bounds")
(component instance $i $C)
(assert_return (invoke "big" (u32.const 1024)) (u32.const 153))
;; task.return's pointer: misaligned, then 68 bytes from 4 before the end.
(assert_trap (invoke "big" (u32.const 1026)) "unaligned pointer")
(component instance $i $C)
(assert_trap (invoke "big" (u32.const 65532)) "out of bounds")
