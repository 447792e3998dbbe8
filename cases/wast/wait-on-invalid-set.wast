;; definitions.py canon_lift, CallbackCode.WAIT case: `wset = inst.handles.get(si); trap_if(not isinstance(wset, WaitableSet))`, where Table.get traps on an index that holds nothing; a trap leaves the instance unusable, so the next call into it traps too (CanonicalABI.md: a trapped instance cannot be entered again).
(component definition $T
  (core module $M
    (import "" "task.return" (func $task.return))
    ;; Returns, then waits on index 5: this instance never created a handle.
    (func (export "wait-on-5") (result i32)
      (call $task.return)
      (i32.const 0x52 (; WAIT | 5 << 4 ;))
    )
    (func (export "unreachable-cb") (param i32 i32 i32) (result i32) unreachable)
    (func (export "ok") (result i32) (i32.const 1))
  )
  (canon task.return (core func $task.return))
  (core instance $m (instantiate $M (with "" (instance (export "task.return" (func $task.return))))))
  (func (export "wait-on-5") async
    (canon lift (core func $m "wait-on-5") async (callback (core func $m "unreachable-cb"))))
  (func (export "ok") (result u32) (canon lift (core func $m "ok")))
)
(component instance $a $T)
(assert_return (invoke "ok") (u32.const 1))
(assert_trap (invoke "wait-on-5") "handle index 5")
(assert_trap (invoke "ok") "cannot enter component instance")
