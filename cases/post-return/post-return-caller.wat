;; `run: async func() -> u32`, lifted sync (it may block): calls the
;; import `foo(7)` through an async lower, waits for the subtask to
;; return if it did not at once, checks the result (8), then calls
;; `get-post-return-value` (sync lower) and returns what it says.
(component
  (import "local:local/post-return" (instance $pr
    (export "foo" (func async (param "x" u32) (result u32)))
    (export "get-post-return-value" (func (result u32)))))
  (alias export $pr "foo" (func $foo))
  (alias export $pr "get-post-return-value" (func $get))
  (core module $Libc (memory (export "mem") 1))
  (core instance $libc (instantiate $Libc))
  (canon lower (func $foo) async (memory (core memory $libc "mem")) (core func $foo-lowered))
  (canon lower (func $get) (core func $get-lowered))
  (canon waitable-set.new (core func $set.new))
  (canon waitable.join (core func $join))
  (canon waitable-set.wait (memory (core memory $libc "mem")) (core func $wait))
  (canon waitable-set.drop (core func $set.drop))
  (canon subtask.drop (core func $subtask.drop))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "foo" (func $foo (param i32 i32) (result i32)))
    (import "" "get" (func $get (result i32)))
    (import "" "set.new" (func $set.new (result i32)))
    (import "" "join" (func $join (param i32 i32)))
    (import "" "wait" (func $wait (param i32 i32) (result i32)))
    (import "" "set.drop" (func $set.drop (param i32)))
    (import "" "subtask.drop" (func $subtask.drop (param i32)))
    (func (export "run") (result i32)
      (local $packed i32) (local $sub i32) (local $set i32)
      ;; The result goes to 16; an event's handle and payload to 0 and 4.
      (local.set $packed (call $foo (i32.const 7) (i32.const 16)))
      (if (i32.ne (local.get $packed) (i32.const 2 (; RETURNED ;)))
        (then
          (local.set $sub (i32.shr_u (local.get $packed) (i32.const 4)))
          (local.set $set (call $set.new))
          (call $join (local.get $sub) (local.get $set))
          (block $returned
            (loop $events
              (if (i32.ne (call $wait (local.get $set) (i32.const 0)) (i32.const 1 (; SUBTASK ;))) (then unreachable))
              (br_if $returned (i32.eq (i32.load (i32.const 4)) (i32.const 2 (; RETURNED ;))))
              (br $events)))
          (call $join (local.get $sub) (i32.const 0))
          (call $subtask.drop (local.get $sub))
          (call $set.drop (local.get $set))))
      (if (i32.ne (i32.load (i32.const 16)) (i32.const 8)) (then unreachable))
      (call $get)))
  (core instance $m (instantiate $M
    (with "" (instance
      (export "mem" (memory $libc "mem"))
      (export "foo" (func $foo-lowered))
      (export "get" (func $get-lowered))
      (export "set.new" (func $set.new))
      (export "join" (func $join))
      (export "wait" (func $wait))
      (export "set.drop" (func $set.drop))
      (export "subtask.drop" (func $subtask.drop))))))
  (func (export "run") async (result u32)
    (canon lift (core func $m "run"))))
