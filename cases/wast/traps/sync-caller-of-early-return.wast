;; definitions.py canon_lower (sync): the caller waits only `if not subtask.resolved()`; a callee that calls task.return before its first YIELD has resolved the subtask by the time the lower returns, so a sync-typed caller (which may not block) gets the result without blocking and returns, while the callee's task runs on (YIELD, then EXIT from its callback). Nothing traps, so the instance can be called again.
(component
  (component $A
    (canon task.return (result u32) (core func $task.return))
    (core module $M
      (import "" "task.return" (func $task.return (param i32)))
      (global $exits (mut i32) (i32.const 0))
      (func (export "echo") (param i32) (result i32)
        (call $task.return (local.get 0))
        (i32.const 1 (; YIELD ;)))
      (func (export "echo-cb") (param $event i32) (param i32 i32) (result i32)
        (if (i32.ne (local.get $event) (i32.const 0 (; NONE ;))) (then unreachable))
        (i32.const 0 (; EXIT ;)))
    )
    (core instance $m (instantiate $M (with "" (instance (export "task.return" (func $task.return))))))
    (func (export "echo") async (param "n" u32) (result u32)
      (canon lift (core func $m "echo") async (callback (core func $m "echo-cb"))))
  )
  (component $B
    (import "echo" (func $echo async (param "n" u32) (result u32)))
    (canon lower (func $echo) (core func $echo'))
    (core module $M
      (import "" "echo" (func $echo (param i32) (result i32)))
      (func (export "run") (param i32) (result i32) (i32.add (call $echo (local.get 0)) (i32.const 1)))
    )
    (core instance $m (instantiate $M (with "" (instance (export "echo" (func $echo'))))))
    (func (export "run") (param "n" u32) (result u32) (canon lift (core func $m "run")))
  )
  (instance $a (instantiate $A))
  (instance $b (instantiate $B (with "echo" (func $a "echo"))))
  (func (export "run") (alias export $b "run"))
)
(assert_return (invoke "run" (u32.const 41)) (u32.const 42))
(assert_return (invoke "run" (u32.const 6)) (u32.const 7))
