;; definitions.py canon_thread_new_indirect / canon_thread_index / canon_thread_suspend / canon_thread_yield / canon_thread_resume_later / canon_thread_{suspend,yield}_then_{resume,promote} each begin with trap_if(not inst.may_leave), and canon_lift clears may_leave around post-return (LiftLowerContext.reallocate does so around realloc): every thread built-in called from a post-return function or from realloc traps before doing anything.
;; config: threading
;; thread.new-indirect from post-return.
(component definition $post-return-new-indirect
  (core module $Table (table (export "t") 1 funcref))
  (core instance $table (instantiate $Table))
  (core type $start (func (param i32)))
  (core func $f (canon thread.new-indirect $start (core table $table "t")))
  (core module $M
    (import "" "f" (func $f (param i32 i32) (result i32)))
    (func (export "run") (result i32) (i32.const 5))
    (func (export "post-return") (param i32) (drop (call $f (i32.const 0) (i32.const 0))))
  )
  (core instance $m (instantiate $M (with "" (instance (export "f" (func $f))))))
  (func (export "run") (result u32)
    (canon lift (core func $m "run") (post-return (core func $m "post-return"))))
)
(component instance $post-return-new-indirect $post-return-new-indirect)
(assert_trap (invoke "run") "cannot leave component instance")
;; thread.index from post-return.
(component definition $post-return-index
  (core module $Table (table (export "t") 1 funcref))
  (core instance $table (instantiate $Table))
  (core type $start (func (param i32)))
  (core func $f (canon thread.index))
  (core module $M
    (import "" "f" (func $f (result i32)))
    (func (export "run") (result i32) (i32.const 5))
    (func (export "post-return") (param i32) (drop (call $f)))
  )
  (core instance $m (instantiate $M (with "" (instance (export "f" (func $f))))))
  (func (export "run") (result u32)
    (canon lift (core func $m "run") (post-return (core func $m "post-return"))))
)
(component instance $post-return-index $post-return-index)
(assert_trap (invoke "run") "cannot leave component instance")
;; thread.suspend from post-return.
(component definition $post-return-suspend
  (core module $Table (table (export "t") 1 funcref))
  (core instance $table (instantiate $Table))
  (core type $start (func (param i32)))
  (core func $f (canon thread.suspend))
  (core module $M
    (import "" "f" (func $f (result i32)))
    (func (export "run") (result i32) (i32.const 5))
    (func (export "post-return") (param i32) (drop (call $f)))
  )
  (core instance $m (instantiate $M (with "" (instance (export "f" (func $f))))))
  (func (export "run") (result u32)
    (canon lift (core func $m "run") (post-return (core func $m "post-return"))))
)
(component instance $post-return-suspend $post-return-suspend)
(assert_trap (invoke "run") "cannot leave component instance")
;; thread.yield from post-return.
(component definition $post-return-yield
  (core module $Table (table (export "t") 1 funcref))
  (core instance $table (instantiate $Table))
  (core type $start (func (param i32)))
  (core func $f (canon thread.yield))
  (core module $M
    (import "" "f" (func $f (result i32)))
    (func (export "run") (result i32) (i32.const 5))
    (func (export "post-return") (param i32) (drop (call $f)))
  )
  (core instance $m (instantiate $M (with "" (instance (export "f" (func $f))))))
  (func (export "run") (result u32)
    (canon lift (core func $m "run") (post-return (core func $m "post-return"))))
)
(component instance $post-return-yield $post-return-yield)
(assert_trap (invoke "run") "cannot leave component instance")
;; thread.resume-later from post-return.
(component definition $post-return-resume-later
  (core module $Table (table (export "t") 1 funcref))
  (core instance $table (instantiate $Table))
  (core type $start (func (param i32)))
  (core func $f (canon thread.resume-later))
  (core module $M
    (import "" "f" (func $f (param i32)))
    (func (export "run") (result i32) (i32.const 5))
    (func (export "post-return") (param i32) (call $f (i32.const 1)))
  )
  (core instance $m (instantiate $M (with "" (instance (export "f" (func $f))))))
  (func (export "run") (result u32)
    (canon lift (core func $m "run") (post-return (core func $m "post-return"))))
)
(component instance $post-return-resume-later $post-return-resume-later)
(assert_trap (invoke "run") "cannot leave component instance")
;; thread.suspend-then-resume from post-return.
(component definition $post-return-suspend-then-resume
  (core module $Table (table (export "t") 1 funcref))
  (core instance $table (instantiate $Table))
  (core type $start (func (param i32)))
  (core func $f (canon thread.suspend-then-resume))
  (core module $M
    (import "" "f" (func $f (param i32) (result i32)))
    (func (export "run") (result i32) (i32.const 5))
    (func (export "post-return") (param i32) (drop (call $f (i32.const 1))))
  )
  (core instance $m (instantiate $M (with "" (instance (export "f" (func $f))))))
  (func (export "run") (result u32)
    (canon lift (core func $m "run") (post-return (core func $m "post-return"))))
)
(component instance $post-return-suspend-then-resume $post-return-suspend-then-resume)
(assert_trap (invoke "run") "cannot leave component instance")
;; thread.yield-then-resume from post-return.
(component definition $post-return-yield-then-resume
  (core module $Table (table (export "t") 1 funcref))
  (core instance $table (instantiate $Table))
  (core type $start (func (param i32)))
  (core func $f (canon thread.yield-then-resume))
  (core module $M
    (import "" "f" (func $f (param i32) (result i32)))
    (func (export "run") (result i32) (i32.const 5))
    (func (export "post-return") (param i32) (drop (call $f (i32.const 1))))
  )
  (core instance $m (instantiate $M (with "" (instance (export "f" (func $f))))))
  (func (export "run") (result u32)
    (canon lift (core func $m "run") (post-return (core func $m "post-return"))))
)
(component instance $post-return-yield-then-resume $post-return-yield-then-resume)
(assert_trap (invoke "run") "cannot leave component instance")
;; thread.suspend-then-promote from post-return.
(component definition $post-return-suspend-then-promote
  (core module $Table (table (export "t") 1 funcref))
  (core instance $table (instantiate $Table))
  (core type $start (func (param i32)))
  (core func $f (canon thread.suspend-then-promote))
  (core module $M
    (import "" "f" (func $f (param i32) (result i32)))
    (func (export "run") (result i32) (i32.const 5))
    (func (export "post-return") (param i32) (drop (call $f (i32.const 1))))
  )
  (core instance $m (instantiate $M (with "" (instance (export "f" (func $f))))))
  (func (export "run") (result u32)
    (canon lift (core func $m "run") (post-return (core func $m "post-return"))))
)
(component instance $post-return-suspend-then-promote $post-return-suspend-then-promote)
(assert_trap (invoke "run") "cannot leave component instance")
;; thread.yield-then-promote from post-return.
(component definition $post-return-yield-then-promote
  (core module $Table (table (export "t") 1 funcref))
  (core instance $table (instantiate $Table))
  (core type $start (func (param i32)))
  (core func $f (canon thread.yield-then-promote))
  (core module $M
    (import "" "f" (func $f (param i32) (result i32)))
    (func (export "run") (result i32) (i32.const 5))
    (func (export "post-return") (param i32) (drop (call $f (i32.const 1))))
  )
  (core instance $m (instantiate $M (with "" (instance (export "f" (func $f))))))
  (func (export "run") (result u32)
    (canon lift (core func $m "run") (post-return (core func $m "post-return"))))
)
(component instance $post-return-yield-then-promote $post-return-yield-then-promote)
(assert_trap (invoke "run") "cannot leave component instance")
;; thread.index from realloc, while the caller's string is copied in.
(component
  (core func $index (canon thread.index))
  (core module $M
    (import "" "index" (func $index (result i32)))
    (memory (export "memory") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (drop (call $index))
      (i32.const 16))
    (func (export "len") (param i32 i32) (result i32) (local.get 1))
  )
  (core instance $m (instantiate $M (with "" (instance (export "index" (func $index))))))
  (func (export "len") (param "s" string) (result u32)
    (canon lift (core func $m "len") (memory (core memory $m "memory")) (realloc (core func $m "realloc"))))
)
(assert_trap (invoke "len" (str.const "abc")) "cannot leave component instance")
;; The same built-in outside post-return and realloc is allowed, so the traps
;; above come from where it was called.
(component
  (core func $index (canon thread.index))
  (core module $M
    (import "" "index" (func $index (result i32)))
    (func (export "run") (result i32) (i32.ne (call $index) (i32.const 0)))
  )
  (core instance $m (instantiate $M (with "" (instance (export "index" (func $index))))))
  (func (export "run") (result bool) (canon lift (core func $m "run")))
)
(assert_return (invoke "run") (bool.const true))
