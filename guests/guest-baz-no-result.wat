;; For the self-tests: imports `local:local/baz#foo` with no result, a shape
;; the `baz` preset does not implement (`func(s: string) -> string`). The
;; host must fail the case, never panic. `run: func()` calls it once.
(component
  (import "local:local/baz" (instance $baz
    (export "foo" (func async (param "s" string)))))
  (core module $libc
    (memory (export "memory") 1)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 1024))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "memory" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))
  (alias export $baz "foo" (func $foo))
  (core func $foo (canon lower (func $foo) (memory $mem) (realloc $realloc)))
  (core module $m
    (import "env" "memory" (memory 1))
    (import "env" "foo" (func $foo (param i32 i32)))
    (data (i32.const 0) "hi")
    (func (export "run") (call $foo (i32.const 0) (i32.const 2))))
  (core instance $i (instantiate $m
    (with "env" (instance (export "memory" (memory $mem)) (export "foo" (func $foo))))))
  ;; `async` in its type (lifted without the async option), so the call may
  ;; block on the host, as guest-sync's `foo` does.
  (type $run (func async))
  (func (export "run") (type $run) (canon lift (core func $i "run"))))
