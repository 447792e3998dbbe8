;; A world with no interfaces: it imports `foo: async func(s: string) ->
;; string` and exports a `foo` of the same type, both by bare name. The
;; export (callback lift) appends " - entered guest", calls the import
;; through an async lower, waits for the subtask, appends " - exited guest"
;; and returns it with task.return. Each call keeps its own frame (the
;; lowered call's result and its waitable set) in context slot 0, so calls
;; running at once into the one instance do not share state.
(component
  (import "foo" (func $foo async (param "s" string) (result string)))
  (core module $Libc
    (memory (export "mem") 1)
    (data (i32.const 16) " - entered guest")
    (data (i32.const 48) " - exited guest")
    (global $next (mut i32) (i32.const 1024))
    ;; A bump allocator: the component never frees, and a case makes few calls.
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
  (canon lower (func $foo) async
    (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))
    (core func $foo-lowered))
  (canon task.return (result string) (memory (core memory $libc "mem")) (core func $task.return))
  (canon context.get i32 0 (core func $context.get))
  (canon context.set i32 0 (core func $context.set))
  (canon waitable-set.new (core func $set.new))
  (canon waitable-set.drop (core func $set.drop))
  (canon waitable.join (core func $join))
  (canon subtask.drop (core func $subtask.drop))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "realloc" (func $realloc (param i32 i32 i32 i32) (result i32)))
    (import "" "foo" (func $foo (param i32 i32 i32) (result i32)))
    (import "" "task.return" (func $task.return (param i32 i32)))
    (import "" "context.get" (func $context.get (result i32)))
    (import "" "context.set" (func $context.set (param i32)))
    (import "" "set.new" (func $set.new (result i32)))
    (import "" "set.drop" (func $set.drop (param i32)))
    (import "" "join" (func $join (param i32 i32)))
    (import "" "subtask.drop" (func $subtask.drop (param i32)))
    ;; A fresh copy of the bytes (a, alen) followed by (b, blen).
    (func $concat (param $a i32) (param $alen i32) (param $b i32) (param $blen i32) (result i32)
      (local $p i32)
      (local.set $p (call $realloc (i32.const 0) (i32.const 0) (i32.const 1) (i32.add (local.get $alen) (local.get $blen))))
      (memory.copy (local.get $p) (local.get $a) (local.get $alen))
      (memory.copy (i32.add (local.get $p) (local.get $alen)) (local.get $b) (local.get $blen))
      (local.get $p))
    ;; The import's result (ptr, len) is at frame+0; frame+8 holds the set.
    (func $finish (param $frame i32) (result i32)
      (local $len i32)
      (local.set $len (i32.load offset=4 (local.get $frame)))
      (call $task.return
        (call $concat (i32.load (local.get $frame)) (local.get $len) (i32.const 48) (i32.const 15))
        (i32.add (local.get $len) (i32.const 15)))
      (i32.const 0 (; EXIT ;)))
    (func (export "foo") (param $ptr i32) (param $len i32) (result i32)
      (local $frame i32) (local $packed i32) (local $set i32)
      (local.set $frame (call $realloc (i32.const 0) (i32.const 0) (i32.const 8) (i32.const 16)))
      (call $context.set (local.get $frame))
      (local.set $packed
        (call $foo
          (call $concat (local.get $ptr) (local.get $len) (i32.const 16) (i32.const 16))
          (i32.add (local.get $len) (i32.const 16))
          (local.get $frame)))
      ;; RETURNED at once: no subtask, the result is already at frame+0.
      (if (i32.eq (local.get $packed) (i32.const 2)) (then (return (call $finish (local.get $frame)))))
      (local.set $set (call $set.new))
      (i32.store offset=8 (local.get $frame) (local.get $set))
      (call $join (i32.shr_u (local.get $packed) (i32.const 4)) (local.get $set))
      (i32.or (i32.const 2 (; WAIT ;)) (i32.shl (local.get $set) (i32.const 4))))
    (func (export "foo-cb") (param $event i32) (param $subtask i32) (param $state i32) (result i32)
      (local $frame i32)
      (local.set $frame (call $context.get))
      (if (i32.ne (local.get $event) (i32.const 1 (; SUBTASK ;))) (then unreachable))
      ;; STARTED on the way: keep waiting for RETURNED.
      (if (i32.ne (local.get $state) (i32.const 2 (; RETURNED ;)))
        (then (return (i32.or (i32.const 2) (i32.shl (i32.load offset=8 (local.get $frame)) (i32.const 4))))))
      (call $subtask.drop (local.get $subtask))
      (call $set.drop (i32.load offset=8 (local.get $frame)))
      (call $finish (local.get $frame))))
  (core instance $m (instantiate $M
    (with "" (instance
      (export "mem" (memory $libc "mem"))
      (export "realloc" (func $libc "realloc"))
      (export "foo" (func $foo-lowered))
      (export "task.return" (func $task.return))
      (export "context.get" (func $context.get))
      (export "context.set" (func $context.set))
      (export "set.new" (func $set.new))
      (export "set.drop" (func $set.drop))
      (export "join" (func $join))
      (export "subtask.drop" (func $subtask.drop))))))
  (func (export "foo") async (param "s" string) (result string)
    (canon lift (core func $m "foo") async
      (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))
      (callback (core func $m "foo-cb")))))
