;; CanonicalABI.md ComponentInstance.entering_set ("to distinguish and allow donut-wrapping-reentrance ... any component instance already entered by the caller is subtracted"), in force since component-model #650: a parent calling its child's export, a child calling a function its parent lifted, and parent -> child -> parent (async) are not recursive entries and do not trap; each call returns its value.

;; Parent -> child: C.entering_set(P) = {C}, and C.may_enter is True.
(component
  (component $Child
    (core module $M (func (export "seven") (result i32) (i32.const 7)))
    (core instance $m (instantiate $M))
    (func (export "seven") (result u32) (canon lift (core func $m "seven")))
  )
  (instance $c (instantiate $Child))
  (canon lower (func $c "seven") (core func $seven))
  (core module $Outer
    (import "" "seven" (func $seven (result i32)))
    (func (export "run") (result i32) (i32.add (call $seven) (i32.const 1)))
  )
  (core instance $outer (instantiate $Outer (with "" (instance (export "seven" (func $seven))))))
  (func (export "parent-calls-child") (result u32) (canon lift (core func $outer "run")))
)
(assert_return (invoke "parent-calls-child") (u32.const 8))

;; Child -> parent: P.entering_set(C) is empty, since P is C's ancestor.
(component
  (core module $Inner (func (export "seven") (result i32) (i32.const 7)))
  (core instance $inner (instantiate $Inner))
  (func $seven (result u32) (canon lift (core func $inner "seven")))
  (component $Child
    (import "seven" (func $seven (result u32)))
    (canon lower (func $seven) (core func $seven'))
    (core module $M
      (import "" "seven" (func $seven (result i32)))
      (func (export "run") (result i32) (i32.add (call $seven) (i32.const 2)))
    )
    (core instance $m (instantiate $M (with "" (instance (export "seven" (func $seven'))))))
    (func (export "run") (result u32) (canon lift (core func $m "run")))
  )
  (instance $c (instantiate $Child (with "seven" (func $seven))))
  (func (export "child-calls-parent") (alias export $c "run"))
)
(assert_return (invoke "child-calls-parent") (u32.const 9))

;; Parent -> child -> parent, with async tasks: P.run (callback-lifted) async-lowers C.run,
;; which sync-lowers P's sync-typed "five" (sync types take no exclusive lock, so P.run holding
;; it does not matter); C.run returns five + 1 before blocking, so the async lower returns
;; RETURNED (2) with the result already written, and P.run returns it + 1.
(component
  (core module $Libc (memory (export "mem") 1))
  (core instance $libc (instantiate $Libc))
  (core module $Five (func (export "five") (result i32) (i32.const 5)))
  (core instance $five (instantiate $Five))
  (func $five (result u32) (canon lift (core func $five "five")))

  (component $Child
    (import "five" (func $five (result u32)))
    (canon lower (func $five) (core func $five'))
    (canon task.return (result u32) (core func $task.return))
    (core module $M
      (import "" "five" (func $five (result i32)))
      (import "" "task.return" (func $task.return (param i32)))
      (func (export "run") (result i32)
        (call $task.return (i32.add (call $five) (i32.const 1)))
        (i32.const 0 (; EXIT ;)))
      (func (export "run-cb") (param i32 i32 i32) (result i32) unreachable)
    )
    (core instance $m (instantiate $M (with "" (instance
      (export "five" (func $five'))
      (export "task.return" (func $task.return))
    ))))
    (func (export "run") async (result u32)
      (canon lift (core func $m "run") async (callback (core func $m "run-cb"))))
  )
  (instance $c (instantiate $Child (with "five" (func $five))))

  (canon lower (func $c "run") async (memory (core memory $libc "mem")) (core func $c-run))
  (canon task.return (result u32) (core func $task.return))
  (core module $Outer
    (import "" "mem" (memory 1))
    (import "" "c-run" (func $c-run (param i32) (result i32)))
    (import "" "task.return" (func $task.return (param i32)))
    (func (export "run") (result i32)
      (if (i32.ne (call $c-run (i32.const 16)) (i32.const 2 (; RETURNED ;))) (then unreachable))
      (call $task.return (i32.add (i32.load (i32.const 16)) (i32.const 1)))
      (i32.const 0 (; EXIT ;)))
    (func (export "run-cb") (param i32 i32 i32) (result i32) unreachable)
  )
  (core instance $outer (instantiate $Outer (with "" (instance
    (export "mem" (memory $libc "mem"))
    (export "c-run" (func $c-run))
    (export "task.return" (func $task.return))
  ))))
  (func (export "parent-child-parent") async (result u32)
    (canon lift (core func $outer "run") async (callback (core func $outer "run-cb"))))
)
(assert_return (invoke "parent-child-parent") (u32.const 7))
