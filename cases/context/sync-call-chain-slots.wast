;; definitions.py canon_lift (every call makes a Task and a Thread with `storage = [0,0]`) with canon_context_get / canon_context_set: in a chain of sync calls A -> B -> C, each callee starts with context slot 0 at 0, and after each call returns the caller's slot holds what the caller stored, however often the chain runs.
(component
  (component $C
    (core func $get (canon context.get i32 0))
    (core func $set (canon context.set i32 0))
    (core module $M
      (import "" "get" (func $get (result i32)))
      (import "" "set" (func $set (param i32)))
      ;; 1 when the slot started at 0.
      (func (export "leaf") (result i32)
        (local $fresh i32)
        (local.set $fresh (i32.eqz (call $get)))
        (call $set (i32.const 333))
        (local.get $fresh))
    )
    (core instance $m (instantiate $M (with "" (instance (export "get" (func $get)) (export "set" (func $set))))))
    (func (export "leaf") (result u32) (canon lift (core func $m "leaf")))
  )
  (component $B
    (import "leaf" (func $leaf (result u32)))
    (core func $leaf (canon lower (func $leaf)))
    (core func $get (canon context.get i32 0))
    (core func $set (canon context.set i32 0))
    (core module $M
      (import "" "leaf" (func $leaf (result i32)))
      (import "" "get" (func $get (result i32)))
      (import "" "set" (func $set (param i32)))
      ;; 10 * (this call's slot started at 0 and survived the call to C)
      ;; + what C reported.
      (func (export "middle") (result i32)
        (local $fresh i32) (local $leaf i32)
        (local.set $fresh (i32.eqz (call $get)))
        (call $set (i32.const 222))
        (local.set $leaf (call $leaf))
        (i32.add (local.get $leaf)
          (i32.mul (i32.const 10)
            (i32.and (local.get $fresh) (i32.eq (call $get) (i32.const 222))))))
    )
    (core instance $m (instantiate $M (with "" (instance
      (export "leaf" (func $leaf)) (export "get" (func $get)) (export "set" (func $set))))))
    (func (export "middle") (result u32) (canon lift (core func $m "middle")))
  )
  (component $A
    (import "middle" (func $middle (result u32)))
    (core func $middle (canon lower (func $middle)))
    (core func $get (canon context.get i32 0))
    (core func $set (canon context.set i32 0))
    (core module $M
      (import "" "middle" (func $middle (result i32)))
      (import "" "get" (func $get (result i32)))
      (import "" "set" (func $set (param i32)))
      ;; Two runs of the chain; 100 * (A's slot survived both) + the sum of
      ;; what B reported.
      (func (export "run") (result i32)
        (local $sum i32)
        (call $set (i32.const 111))
        (local.set $sum (call $middle))
        (local.set $sum (i32.add (local.get $sum) (call $middle)))
        (i32.add (local.get $sum)
          (i32.mul (i32.const 100) (i32.eq (call $get) (i32.const 111)))))
    )
    (core instance $m (instantiate $M (with "" (instance
      (export "middle" (func $middle)) (export "get" (func $get)) (export "set" (func $set))))))
    (func (export "run") (result u32) (canon lift (core func $m "run")))
  )
  (instance $c (instantiate $C))
  (instance $b (instantiate $B (with "leaf" (func $c "leaf"))))
  (instance $a (instantiate $A (with "middle" (func $b "middle"))))
  (export "run" (func $a "run"))
)
;; A's slot survived (100), and twice B and C each started fresh and B's
;; slot survived its call (11 + 11).
(assert_return (invoke "run") (u32.const 122))
(assert_return (invoke "run") (u32.const 122))
