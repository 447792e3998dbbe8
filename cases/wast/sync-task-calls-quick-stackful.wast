;; Concurrency.md Blocking with definitions.py canon_lower and canon_lift: a sync-typed task may sync-lower a stackful async export that calls task.return without blocking; nothing blocks, so the call returns the value (x + 1 = 11); only a callee that actually blocks makes the caller trap.
(component
  (component $Callee
    (core func $yield (canon thread.yield))
    (canon task.return (result u32) (core func $task.return))
    (core module $M
      (import "" "yield" (func $yield (result i32)))
      (import "" "task.return" (func $task.return (param i32)))
      (func (export "quick") (param $x i32) (call $task.return (i32.add (local.get $x) (i32.const 1))))
      (func (export "yields") (param $x i32)
        (drop (call $yield))
        (call $task.return (i32.add (local.get $x) (i32.const 2))))
    )
    (core instance $m (instantiate $M (with "" (instance
      (export "yield" (func $yield))
      (export "task.return" (func $task.return))
    ))))
    (func (export "quick") async (param "x" u32) (result u32) (canon lift (core func $m "quick") async))
    (func (export "yields") async (param "x" u32) (result u32) (canon lift (core func $m "yields") async))
  )
  (component $Caller
    (import "quick" (func $quick async (param "x" u32) (result u32)))
    (import "yields" (func $yields async (param "x" u32) (result u32)))
    (core func $quick (canon lower (func $quick)))
    (core func $yields (canon lower (func $yields)))
    (core module $N
      (import "" "quick" (func $quick (param i32) (result i32)))
      (import "" "yields" (func $yields (param i32) (result i32)))
      (func (export "quick") (result i32) (call $quick (i32.const 10)))
      (func (export "yields") (result i32) (call $yields (i32.const 10)))
    )
    (core instance $n (instantiate $N (with "" (instance
      (export "quick" (func $quick))
      (export "yields" (func $yields))
    ))))
    (func (export "quick") (result u32) (canon lift (core func $n "quick")))
  )
  (instance $callee (instantiate $Callee))
  (instance $caller (instantiate $Caller
    (with "quick" (func $callee "quick"))
    (with "yields" (func $callee "yields"))))
  (export "quick" (func $caller "quick"))
)
(assert_return (invoke "quick") (u32.const 11))
