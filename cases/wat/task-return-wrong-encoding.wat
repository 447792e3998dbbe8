;; `run: async func() -> string` lifted with UTF-8 (the default), returning
;; through a task.return of the right type but `string-encoding=utf16`.
;; Both use the same memory, so only the encoding differs.
(component
  (core module $Libc
    (memory (export "mem") 1)
    (data (i32.const 16) "hi")
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $next))
      (global.set $next (i32.add (local.get $p) (local.get 3)))
      (local.get $p)))
  (core instance $libc (instantiate $Libc))
  (canon task.return (result string) (memory (core memory $libc "mem")) string-encoding=utf16
    (core func $task.return))
  (core module $M
    (import "" "task.return" (func $task.return (param i32 i32)))
    (func (export "run") (result i32)
      ;; "hi" at 16: two code units in UTF-16, two bytes in UTF-8.
      (call $task.return (i32.const 16) (i32.const 2))
      (i32.const 0))
    (func (export "cb") (param i32 i32 i32) (result i32) unreachable))
  (core instance $m (instantiate $M (with "" (instance (export "task.return" (func $task.return))))))
  (func (export "run") async (result string)
    (canon lift (core func $m "run") async
      (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))
      (callback (core func $m "cb")))))
