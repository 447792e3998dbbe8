;; CanonicalABI.md "canon lift" with `async (callback ...)`, definitions.py canon_lift and unpack_callback_result: a packed YIELD (1) suspends the task, the callback is then called with EventCode.NONE (0, 0, 0), and the value given to task.return is the export's result once the callback returns EXIT (0).
(component
  (core module $M
    (import "" "task.return" (func $task.return (param i32)))
    (global $arg (mut i32) (i32.const 0))
    (global $callbacks (mut i32) (i32.const 0))

    ;; The entry point only remembers its argument and yields.
    (func (export "add-one") (param $n i32) (result i32)
      (global.set $arg (local.get $n))
      (i32.const 1 (; YIELD ;))
    )
    (func (export "add-one-cb") (param $event i32) (param $p1 i32) (param $p2 i32) (result i32)
      ;; After YIELD the only event is NONE with both payloads zero.
      (if (i32.ne (local.get $event) (i32.const 0 (; NONE ;))) (then unreachable))
      (if (i32.ne (local.get $p1) (i32.const 0)) (then unreachable))
      (if (i32.ne (local.get $p2) (i32.const 0)) (then unreachable))
      (global.set $callbacks (i32.add (global.get $callbacks) (i32.const 1)))
      ;; Yield once more, so the callback runs twice per call.
      (if (i32.lt_u (global.get $callbacks) (i32.const 2))
        (then (return (i32.const 1 (; YIELD ;)))))
      (global.set $callbacks (i32.const 0))
      (call $task.return (i32.add (global.get $arg) (i32.const 1)))
      (i32.const 0 (; EXIT ;))
    )

    ;; EXIT straight from the entry point, with the result already returned.
    (func (export "at-once") (result i32)
      (call $task.return (i32.const 7))
      (i32.const 0 (; EXIT ;))
    )
    (func (export "unreachable-cb") (param i32 i32 i32) (result i32) unreachable)
  )
  (canon task.return (result u32) (core func $task.return))
  (core instance $m (instantiate $M (with "" (instance (export "task.return" (func $task.return))))))
  (func (export "add-one") async (param "n" u32) (result u32)
    (canon lift (core func $m "add-one") async (callback (core func $m "add-one-cb"))))
  (func (export "at-once") async (result u32)
    (canon lift (core func $m "at-once") async (callback (core func $m "unreachable-cb"))))
)
(assert_return (invoke "add-one" (u32.const 41)) (u32.const 42))
(assert_return (invoke "add-one" (u32.const 0)) (u32.const 1))
(assert_return (invoke "at-once") (u32.const 7))
