;; definitions.py canon_thread_yield and Thread.yield_: thread.yield never traps for blocking, in a task of a sync function type too (the yielded thread is always ready again), and returns Cancelled.FALSE (0) when no cancellation is pending.
(component
  (core module $M
    (import "" "task.return" (func $task.return (param i32)))
    (import "" "thread.yield" (func $thread.yield (result i32)))
    ;; Yields $n times and counts the yields that said "not cancelled".
    (func $yields (param $n i32) (result i32)
      (local $ok i32)
      (block $done
        (loop $again
          (br_if $done (i32.eqz (local.get $n)))
          (if (i32.eqz (call $thread.yield))
            (then (local.set $ok (i32.add (local.get $ok) (i32.const 1)))))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $again)))
      (local.get $ok)
    )
    (func (export "sync-yields") (param $n i32) (result i32)
      (call $yields (local.get $n))
    )
    (func (export "async-yields") (param $n i32) (result i32)
      (call $task.return (call $yields (local.get $n)))
      (i32.const 0 (; EXIT ;))
    )
    (func (export "unreachable-cb") (param i32 i32 i32) (result i32) unreachable)
  )
  (canon task.return (result u32) (core func $task.return))
  (canon thread.yield (core func $thread.yield))
  (core instance $m (instantiate $M (with "" (instance
    (export "task.return" (func $task.return))
    (export "thread.yield" (func $thread.yield))
  ))))
  (func (export "sync-yields") (param "n" u32) (result u32) (canon lift (core func $m "sync-yields")))
  (func (export "async-yields") async (param "n" u32) (result u32)
    (canon lift (core func $m "async-yields") async (callback (core func $m "unreachable-cb"))))
)
(assert_return (invoke "sync-yields" (u32.const 3)) (u32.const 3))
(assert_return (invoke "async-yields" (u32.const 4)) (u32.const 4))
