;; definitions.py canon_lift for a non-async type (`trap_if(not candidates)`) and Explainer.md Component Invariant 1 ("each component instance is given a mutable lockdown state that is set upon trap"): a sync-typed caller whose async callee WAITs (on a set nothing will join) before calling task.return must wait, so it traps; afterwards the caller's instance cannot be entered again. (Which other instances a trap locks is not spelled out, so this checks only the one that trapped.)
(component definition $T
  (component $A
    (canon waitable-set.new (core func $set.new))
    (core module $M
      (import "" "set.new" (func $set.new (result i32)))
      ;; A YIELD may or may not let the caller run first; a WAIT on an empty set always blocks.
      (func (export "echo-later") (param i32) (result i32)
        (i32.or (i32.const 2 (; WAIT ;)) (i32.shl (call $set.new) (i32.const 4))))
      (func (export "echo-later-cb") (param i32 i32 i32) (result i32) unreachable)
    )
    (core instance $m (instantiate $M (with "" (instance (export "set.new" (func $set.new))))))
    (func (export "echo-later") async (param "n" u32) (result u32)
      (canon lift (core func $m "echo-later") async (callback (core func $m "echo-later-cb"))))
  )
  (component $B
    (import "echo" (func $echo async (param "n" u32) (result u32)))
    (canon lower (func $echo) (core func $echo'))
    (core module $M
      (import "" "echo" (func $echo (param i32) (result i32)))
      (func (export "run") (param i32) (result i32) (call $echo (local.get 0)))
    )
    (core instance $m (instantiate $M (with "" (instance (export "echo" (func $echo'))))))
    (func (export "run") (param "n" u32) (result u32) (canon lift (core func $m "run")))
  )
  (instance $a (instantiate $A))
  (instance $b (instantiate $B (with "echo" (func $a "echo-later"))))
  (func (export "run") (alias export $b "run"))
)
(component instance $i $T)
(assert_trap (invoke "run" (u32.const 1)) "cannot block a synchronous task before returning")
(assert_trap (invoke "run" (u32.const 2)) "cannot enter component instance")
