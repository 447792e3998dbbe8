;; `run: async func() -> u32` calls the import `add5: async func(a..e: u32)
;; -> u32` through an async lower. Five flat values are more than
;; MAX_FLAT_ASYNC_PARAMS (4), so the lowered core function takes a pointer
;; to the arguments (a tuple of 5 u32s) and, since there is a result, a
;; pointer where the result goes: (i32 i32) -> i32, the packed subtask state.
(component
  (import "local:local/adder" (instance $adder
    (export "add5" (func async (param "a" u32) (param "b" u32) (param "c" u32) (param "d" u32) (param "e" u32) (result u32)))))
  (alias export $adder "add5" (func $add5))
  (core module $Libc (memory (export "mem") 1))
  (core instance $libc (instantiate $Libc))
  (alias core export $libc "mem" (core memory $mem))
  (canon lower (func $add5) async (memory (core memory $libc "mem")) (core func $add5-lowered))
  (canon task.return (result u32) (core func $task.return))
  (canon waitable-set.new (core func $set-new))
  (canon waitable.join (core func $join))
  (canon subtask.drop (core func $subtask-drop))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "add5" (func $add5 (param i32 i32) (result i32)))
    (import "" "task.return" (func $task.return (param i32)))
    (import "" "waitable-set.new" (func $set-new (result i32)))
    (import "" "waitable.join" (func $join (param i32 i32)))
    (import "" "subtask.drop" (func $subtask-drop (param i32)))
    ;; Arguments at 16 (a tuple<u32 x 5>), the result at 64.
    (data (i32.const 16) "\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\05\00\00\00")
    (global $set (mut i32) (i32.const 0))
    (func $finish (result i32)
      (call $task.return (i32.load (i32.const 64)))
      (i32.const 0 (; EXIT ;)))
    (func (export "run") (result i32)
      (local $packed i32)
      (local.set $packed (call $add5 (i32.const 16) (i32.const 64)))
      ;; RETURNED (2) at once: no subtask, the result is already written.
      (if (i32.eq (local.get $packed) (i32.const 2)) (then (return (call $finish))))
      (global.set $set (call $set-new))
      (call $join (i32.shr_u (local.get $packed) (i32.const 4)) (global.get $set))
      (i32.or (i32.const 2 (; WAIT ;)) (i32.shl (global.get $set) (i32.const 4))))
    (func (export "cb") (param $event i32) (param $subtask i32) (param $state i32) (result i32)
      (if (i32.ne (local.get $event) (i32.const 1 (; SUBTASK ;))) (then unreachable))
      ;; Progress short of RETURNED: wait on the same set again.
      (if (i32.ne (local.get $state) (i32.const 2 (; RETURNED ;)))
        (then (return (i32.or (i32.const 2) (i32.shl (global.get $set) (i32.const 4))))))
      (call $subtask-drop (local.get $subtask))
      (call $finish)))
  (core instance $m (instantiate $M
    (with "" (instance
      (export "mem" (memory $mem))
      (export "add5" (func $add5-lowered))
      (export "task.return" (func $task.return))
      (export "waitable-set.new" (func $set-new))
      (export "waitable.join" (func $join))
      (export "subtask.drop" (func $subtask-drop))))))
  (func (export "run") async (result u32)
    (canon lift (core func $m "run") async (callback (core func $m "cb")))))
