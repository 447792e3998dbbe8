;; Exports `local:local/post-return`: `foo: async func(x: u32) -> u32`,
;; lifted sync with a post-return, returns x + 1; its post-return keeps
;; the core result it is given. `get-post-return-value: func() -> u32`
;; returns what the last post-return kept (0 before any ran).
(component
  (core module $M
    (global $kept (mut i32) (i32.const 0))
    (func (export "foo") (param $x i32) (result i32)
      (i32.add (local.get $x) (i32.const 1)))
    (func (export "foo-post-return") (param $result i32)
      (global.set $kept (local.get $result)))
    (func (export "get") (result i32)
      (global.get $kept)))
  (core instance $m (instantiate $M))
  (func $foo async (param "x" u32) (result u32)
    (canon lift (core func $m "foo") (post-return (core func $m "foo-post-return"))))
  (func $get (result u32)
    (canon lift (core func $m "get")))
  (instance $i
    (export "foo" (func $foo))
    (export "get-post-return-value" (func $get)))
  (export "local:local/post-return" (instance $i)))
