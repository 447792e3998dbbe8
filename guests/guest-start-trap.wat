;; A component whose core module's start function traps, so instantiating it
;; fails before any export can be called. Hand-written because a Rust guest
;; runs its initialisers lazily, at the first export call, not at
;; instantiation. It exports `run: func()` so a case can name a function.
(component
  (core module $m
    (func (export "run"))
    (func $start unreachable)
    (start $start))
  (core instance $i (instantiate $m))
  (func (export "run") (canon lift (core func $i "run"))))
