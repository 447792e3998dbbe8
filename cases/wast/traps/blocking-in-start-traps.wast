;; Concurrency.md "Interaction with the start function" (start functions implicitly have type `func()`, so they may not block before returning) with definitions.py canon_lift for a non-async type (`trap_if(not candidates)` when nothing can run): a core start function that waits on an empty waitable set, or that sync-calls an async export which then waits for ever, makes instantiation trap.

;; The start function itself blocks.
(assert_trap
  (component
    (core module $Libc (memory (export "mem") 1))
    (core instance $libc (instantiate $Libc))
    (canon waitable-set.new (core func $new))
    (canon waitable-set.wait (memory (core memory $libc "mem")) (core func $wait))
    (core module $M
      (import "" "new" (func $new (result i32)))
      (import "" "wait" (func $wait (param i32 i32) (result i32)))
      (func $init (drop (call $wait (call $new) (i32.const 8))))
      (start $init)
    )
    (core instance (instantiate $M (with "" (instance
      (export "new" (func $new))
      (export "wait" (func $wait))
    ))))
  )
  "cannot block a synchronous task before returning"
)

;; The start function's callee blocks, so the start function would have to wait for it.
(assert_trap
  (component
    (component $Sleeper
      (canon waitable-set.new (core func $new))
      (core module $M
        (import "" "new" (func $new (result i32)))
        (func (export "sleep") (result i32)
          (i32.or (i32.const 2 (; WAIT ;)) (i32.shl (call $new) (i32.const 4))))
        (func (export "sleep-cb") (param i32 i32 i32) (result i32) unreachable)
      )
      (core instance $m (instantiate $M (with "" (instance (export "new" (func $new))))))
      (func (export "sleep") async
        (canon lift (core func $m "sleep") async (callback (core func $m "sleep-cb"))))
    )
    (component $Starter
      (import "sleep" (func $sleep async))
      (canon lower (func $sleep) (core func $sleep'))
      (core module $M
        (import "" "sleep" (func $sleep))
        (func $init (call $sleep))
        (start $init)
      )
      (core instance (instantiate $M (with "" (instance (export "sleep" (func $sleep'))))))
    )
    (instance $sleeper (instantiate $Sleeper))
    (instance (instantiate $Starter (with "sleep" (func $sleeper "sleep"))))
  )
  "cannot block a synchronous task before returning"
)
