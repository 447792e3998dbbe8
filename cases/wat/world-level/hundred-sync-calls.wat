;; `run: async func() -> u32`, lifted without a callback, calls the
;; world-level import `foo: async func(s: string) -> string` 100 times
;; through a sync lower (each call blocks the task until the host returns)
;; and returns how many results came back as "x - entered host - exited host".
(component
  (import "foo" (func $foo async (param "s" string) (result string)))
  (core module $Libc
    (memory (export "mem") 1)
    (data (i32.const 16) "x")
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param $old i32) (param $old-size i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32)
      (if (i32.or (local.get $old) (local.get $old-size)) (then unreachable))
      (local.set $p
        (i32.and
          (i32.add (global.get $next) (i32.sub (local.get $align) (i32.const 1)))
          (i32.sub (i32.const 0) (local.get $align))))
      (global.set $next (i32.add (local.get $p) (local.get $size)))
      (local.get $p)))
  (core instance $libc (instantiate $Libc))
  (canon lower (func $foo)
    (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))
    (core func $foo-lowered))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "foo" (func $foo (param i32 i32 i32)))
    (func (export "run") (result i32)
      (local $i i32) (local $ok i32)
      (loop $again
        (call $foo (i32.const 16) (i32.const 1) (i32.const 32))
        ;; "x - entered host - exited host" is 30 bytes.
        (if (i32.eq (i32.load offset=4 (i32.const 32)) (i32.const 30))
          (then (local.set $ok (i32.add (local.get $ok) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $again (i32.lt_u (local.get $i) (i32.const 100))))
      (local.get $ok)))
  (core instance $m (instantiate $M
    (with "" (instance
      (export "mem" (memory $libc "mem"))
      (export "foo" (func $foo-lowered))))))
  (func (export "run") async (result u32)
    (canon lift (core func $m "run"))))
