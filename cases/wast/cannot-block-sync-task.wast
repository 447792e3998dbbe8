;; definitions.py canon_lift for a function whose type is not `async`: `while task.state != Task.State.RESOLVED: ... trap_if(not candidates)`; a sync-typed task that blocks before returning (waitable-set.wait on a set with nothing pending, or a sync call into an async callee that is waiting) traps, while the same wait in an `async`-typed function is allowed to block.
(component definition $T
  (component $Callee
    (core module $M
      (import "" "waitable-set.new" (func $waitable-set.new (result i32)))
      ;; Waits on an empty set, for ever.
      (func (export "hang") (result i32)
        (i32.or (i32.const 2 (; WAIT ;)) (i32.shl (call $waitable-set.new) (i32.const 4)))
      )
      (func (export "unreachable-cb") (param i32 i32 i32) (result i32) unreachable)
    )
    (canon waitable-set.new (core func $waitable-set.new))
    (core instance $m (instantiate $M (with "" (instance (export "waitable-set.new" (func $waitable-set.new))))))
    (func (export "hang") async
      (canon lift (core func $m "hang") async (callback (core func $m "unreachable-cb"))))
  )

  (component $Caller
    (import "hang" (func $hang async))
    (core module $Memory (memory (export "mem") 1))
    (core instance $memory (instantiate $Memory))
    (core module $M
      (import "" "mem" (memory 1))
      (import "" "hang" (func $hang))
      (import "" "waitable-set.new" (func $waitable-set.new (result i32)))
      (import "" "waitable-set.wait" (func $waitable-set.wait (param i32 i32) (result i32)))
      (func (export "wait") (result i32)
        (call $waitable-set.wait (call $waitable-set.new) (i32.const 0))
      )
      (func (export "call-hang") (call $hang))
    )
    (canon lower (func $hang) (core func $hang'))
    (canon waitable-set.new (core func $waitable-set.new))
    (canon waitable-set.wait (memory (core memory $memory "mem")) (core func $waitable-set.wait))
    (core instance $m (instantiate $M (with "" (instance
      (export "mem" (memory $memory "mem"))
      (export "hang" (func $hang'))
      (export "waitable-set.new" (func $waitable-set.new))
      (export "waitable-set.wait" (func $waitable-set.wait))
    ))))
    ;; Sync function types, sync lifts.
    (func (export "sync-wait") (result u32) (canon lift (core func $m "wait")))
    (func (export "sync-call-hang") (canon lift (core func $m "call-hang")))
  )

  (instance $callee (instantiate $Callee))
  (instance $caller (instantiate $Caller (with "hang" (func $callee "hang"))))
  (func (export "sync-wait") (alias export $caller "sync-wait"))
  (func (export "sync-call-hang") (alias export $caller "sync-call-hang"))
)
(component instance $a $T)
(assert_trap (invoke "sync-wait") "cannot block a synchronous task before returning")
(component instance $b $T)
(assert_trap (invoke "sync-call-hang") "cannot block a synchronous task before returning")
