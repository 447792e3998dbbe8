;; CanonicalABI.md ComponentInstance.may_enter_from / entering_set with definitions.py Store.lift (`trap_if(not inst.may_enter_from(caller))`): a call into an instance that is already on the call stack traps "cannot enter component instance" when that instance is in the callee's entering set, i.e. is not an ancestor shared with the caller: sibling A calls sibling B, which reaches A again through the parent; and a parent calls child C, which calls the parent, which calls C again.

;; Siblings: host -> A.run -> B.run -> P.shim -> A.run. A.entering_set(P) = {A}, and A.may_enter is False.
(component definition $Siblings
  (core module $Shim
    (table (export "slots") 1 1 funcref)
    (func (export "call-slot") (result i32) (call_indirect (result i32) (i32.const 0)))
  )
  (core instance $shim (instantiate $Shim))
  (func $shim (result u32) (canon lift (core func $shim "call-slot")))

  ;; Both children have this shape: export "run" calls import "next" and adds one.
  (component $Link
    (import "next" (func $next (result u32)))
    (canon lower (func $next) (core func $next'))
    (core module $M
      (import "" "next" (func $next (result i32)))
      (func (export "run") (result i32) (i32.add (call $next) (i32.const 1)))
    )
    (core instance $m (instantiate $M (with "" (instance (export "next" (func $next'))))))
    (func (export "run") (result u32) (canon lift (core func $m "run")))
  )
  (instance $b (instantiate $Link (with "next" (func $shim))))
  (instance $a (instantiate $Link (with "next" (func $b "run"))))

  ;; Closes the cycle: the shim's slot calls A's export.
  (canon lower (func $a "run") (core func $a-run))
  (core module $Fill
    (import "" "slots" (table 1 1 funcref))
    (import "" "a-run" (func $a-run (result i32)))
    (elem (table 0) (i32.const 0) func $a-run)
  )
  (core instance (instantiate $Fill (with "" (instance
    (export "slots" (table $shim "slots"))
    (export "a-run" (func $a-run))
  ))))
  (func (export "run") (alias export $a "run"))
)
(component instance $siblings $Siblings)
(assert_trap (invoke "run") "cannot enter component instance")

;; Parent and child: host -> P.run -> C.run -> P.back -> C.run. C.entering_set(P) = {C}, and C.may_enter is False.
(component definition $Donut
  (core module $Shim
    (table (export "slots") 1 1 funcref)
    (func (export "call-slot") (result i32) (call_indirect (result i32) (i32.const 0)))
  )
  (core instance $shim (instantiate $Shim))
  (func $back (result u32) (canon lift (core func $shim "call-slot")))

  (component $Child
    (import "back" (func $back (result u32)))
    (canon lower (func $back) (core func $back'))
    (core module $M
      (import "" "back" (func $back (result i32)))
      (func (export "run") (result i32) (i32.add (call $back) (i32.const 1)))
    )
    (core instance $m (instantiate $M (with "" (instance (export "back" (func $back'))))))
    (func (export "run") (result u32) (canon lift (core func $m "run")))
  )
  (instance $c (instantiate $Child (with "back" (func $back))))

  (canon lower (func $c "run") (core func $c-run))
  (core module $Fill
    (import "" "slots" (table 1 1 funcref))
    (import "" "c-run" (func $c-run (result i32)))
    (elem (table 0) (i32.const 0) func $c-run)
  )
  (core instance (instantiate $Fill (with "" (instance
    (export "slots" (table $shim "slots"))
    (export "c-run" (func $c-run))
  ))))
  (core module $Outer
    (import "" "c-run" (func $c-run (result i32)))
    (func (export "run") (result i32) (call $c-run))
  )
  (core instance $outer (instantiate $Outer (with "" (instance (export "c-run" (func $c-run))))))
  (func (export "run") (result u32) (canon lift (core func $outer "run")))
)
(component instance $donut $Donut)
(assert_trap (invoke "run") "cannot enter component instance")
