;; definitions.py store_list_into_range and store_string_into_range as a stream copy lowers a list<string> into the reader: the list's element array comes first (realloc(0, 0, 4, 8 * n)), then each string in order (realloc(0, 0, 1, length)), and the array holds each string's (ptr, len); the writer's memory is only read.
(component definition $C
  (component $Producer
    (type $S (stream (list string)))
    (core module $Libc (memory (export "mem") 1))
    (core instance $libc (instantiate $Libc))
    (canon stream.new $S (core func $new))
    (canon stream.write $S async (memory (core memory $libc "mem")) (core func $write))
    (canon task.return (result $S) (core func $task.return))
    (core module $M
      (import "" "mem" (memory 1))
      (import "" "new" (func $new (result i64)))
      (import "" "write" (func $write (param i32 i32 i32) (result i32)))
      (import "" "task.return" (func $task.return (param i32)))
      ;; One element: ["ab", "xyz"], its strings at 100 and 102, their (ptr, len) pairs at 64.
      (data (i32.const 100) "abxyz")
      (data (i32.const 64) "\64\00\00\00\02\00\00\00\66\00\00\00\03\00\00\00")
      (data (i32.const 32) "\40\00\00\00\02\00\00\00")
      (func (export "words") (result i32)
        (local $ends i64)
        (local.set $ends (call $new))
        (if (i32.ne (call $write (i32.wrap_i64 (i64.shr_u (local.get $ends) (i64.const 32))) (i32.const 32) (i32.const 1))
                    (i32.const -1 (; BLOCKED ;))) (then unreachable))
        (call $task.return (i32.wrap_i64 (local.get $ends)))
        (i32.const 0 (; EXIT ;)))
      (func (export "cb") (param i32 i32 i32) (result i32) unreachable))
    (core instance $m (instantiate $M (with "" (instance
      (export "mem" (memory $libc "mem"))
      (export "new" (func $new))
      (export "write" (func $write))
      (export "task.return" (func $task.return))))))
    (func (export "words") async (result $S) (canon lift (core func $m "words") async (callback (core func $m "cb")))))

  (component $Consumer
    (type $S (stream (list string)))
    (import "words" (func $words async (result $S)))
    (core module $Libc
      (memory (export "mem") 1)
      (global $next (mut i32) (i32.const 1024))
      (global $log (mut i32) (i32.const 512))
      ;; A bump allocator that logs each request as align << 16 | size from 512 on.
      (func (export "realloc") (param $old i32) (param $old-size i32) (param $align i32) (param $size i32) (result i32)
        (local $p i32)
        (if (i32.or (local.get $old) (local.get $old-size)) (then unreachable))
        (i32.store (global.get $log) (i32.or (i32.shl (local.get $align) (i32.const 16)) (local.get $size)))
        (global.set $log (i32.add (global.get $log) (i32.const 4)))
        (local.set $p (i32.and (i32.add (global.get $next) (i32.sub (local.get $align) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get $align))))
        (global.set $next (i32.add (local.get $p) (local.get $size)))
        (local.get $p)))
    (core instance $libc (instantiate $Libc))
    (canon lower (func $words) (core func $words'))
    (canon stream.read $S async (memory (core memory $libc "mem")) (realloc (core func $libc "realloc")) (core func $read))
    (core module $M
      (import "" "mem" (memory 1))
      (import "" "words" (func $words (result i32)))
      (import "" "read" (func $read (param i32 i32 i32) (result i32)))
      ;; How many of the 9 checks hold.
      (func (export "run") (result i32)
        (local $list i32)
        (if (i32.ne (call $read (call $words) (i32.const 16) (i32.const 1)) (i32.const 0x10 (; COMPLETED | 1 << 4 ;)))
          (then unreachable))
        (local.set $list (i32.load (i32.const 16)))
        (i32.add (i32.add (i32.add
          (i32.add (i32.eq (i32.load (i32.const 512)) (i32.const 0x40010)) (i32.eq (i32.load (i32.const 516)) (i32.const 0x10002)))
          (i32.add (i32.eq (i32.load (i32.const 520)) (i32.const 0x10003)) (i32.eq (i32.load (i32.const 524)) (i32.const 0))))
          (i32.add (i32.eq (i32.load (i32.const 20)) (i32.const 2)) (i32.eq (i32.load offset=4 (local.get $list)) (i32.const 2))))
          (i32.add (i32.add
            (i32.eq (i32.load offset=12 (local.get $list)) (i32.const 3))
            (i32.eq (i32.load16_u (i32.load (local.get $list))) (i32.const 0x6261)))
            (i32.eq (i32.load (i32.load offset=8 (local.get $list))) (i32.const 0x007A7978))))))
    (core instance $m (instantiate $M (with "" (instance
      (export "mem" (memory $libc "mem"))
      (export "words" (func $words'))
      (export "read" (func $read))))))
    (func (export "run") async (result u32) (canon lift (core func $m "run"))))

  (instance $producer (instantiate $Producer))
  (instance $consumer (instantiate $Consumer (with "words" (func $producer "words"))))
  (func (export "run") (alias export $consumer "run")))

(component instance $i $C)
(assert_return (invoke "run") (u32.const 9))
