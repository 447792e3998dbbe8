;; definitions.py Task.return_: `trap_if(self.state == Task.State.RESOLVED)`; a second task.return from the same task traps, whether it comes from the entry point or from a later callback (where the first result has already reached the caller, so the trap ends the caller's task instead).
(component definition $T
  (component $Callee
    (core module $M
      (import "" "task.return" (func $task.return (param i32)))
      (func (export "twice-in-entry") (result i32)
        (call $task.return (i32.const 1))
        (call $task.return (i32.const 2))
        (i32.const 0 (; EXIT ;))
      )
      (func (export "once-then-yield") (result i32)
        (call $task.return (i32.const 1))
        (i32.const 1 (; YIELD ;))
      )
      (func (export "again-in-callback") (param i32 i32 i32) (result i32)
        (call $task.return (i32.const 2))
        (i32.const 0 (; EXIT ;))
      )
      (func (export "unreachable-cb") (param i32 i32 i32) (result i32) unreachable)
    )
    (canon task.return (result u32) (core func $task.return))
    (core instance $m (instantiate $M (with "" (instance (export "task.return" (func $task.return))))))
    (func (export "twice-in-entry") async (result u32)
      (canon lift (core func $m "twice-in-entry") async (callback (core func $m "unreachable-cb"))))
    (func (export "twice-across-callback") async (result u32)
      (canon lift (core func $m "once-then-yield") async (callback (core func $m "again-in-callback"))))
  )

  ;; Calls the callee, then keeps yielding so that the callee's callback runs
  ;; while this task is still waiting for nothing in particular.
  (component $Caller
    (import "twice-across-callback" (func $twice async (result u32)))
    (core module $Memory (memory (export "mem") 1))
    (core instance $memory (instantiate $Memory))
    (core module $M
      (import "" "mem" (memory 1))
      (import "" "twice" (func $twice (param i32) (result i32)))
      (import "" "thread.yield" (func $thread.yield (result i32)))
      (func (export "run") (result i32)
        ;; The first task.return came before the callee yielded.
        (if (i32.ne (call $twice (i32.const 16)) (i32.const 2 (; RETURNED ;))) (then unreachable))
        (if (i32.ne (i32.load (i32.const 16)) (i32.const 1)) (then unreachable))
        (loop $forever
          (drop (call $thread.yield))
          (br $forever))
        unreachable
      )
    )
    (canon lower (func $twice) async (memory (core memory $memory "mem")) (core func $twice'))
    (canon thread.yield (core func $thread.yield))
    (core instance $m (instantiate $M (with "" (instance
      (export "mem" (memory $memory "mem"))
      (export "twice" (func $twice'))
      (export "thread.yield" (func $thread.yield))
    ))))
    (func (export "run") async (result u32) (canon lift (core func $m "run")))
  )

  (instance $callee (instantiate $Callee))
  (instance $caller (instantiate $Caller (with "twice-across-callback" (func $callee "twice-across-callback"))))
  (func (export "twice-in-entry") (alias export $callee "twice-in-entry"))
  (func (export "twice-across-callback") (alias export $caller "run"))
)
(component instance $a $T)
(assert_trap (invoke "twice-in-entry") "called more than once")
(component instance $b $T)
(assert_trap (invoke "twice-across-callback") "called more than once")
