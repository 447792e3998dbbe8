;; `feed-thing: async func(name: string) -> u32`, lifted without a callback:
;; constructs the host's thing `name`, calls its stream-taking method
;; `feed` (async lower) with the readable end of a new stream<u8>, writes
;; "abc" into the writable end and drops it, waits for the method to
;; return, drops the thing and returns the method's result.
(component
  (import "local:local/things" (instance $things
    (export "thing" (type (sub resource)))
    (export "[constructor]thing" (func (param "name" string) (result (own 0))))
    (export "[method]thing.feed" (func async (param "self" (borrow 0)) (param "items" (stream u8)) (result u32)))))
  (alias export $things "thing" (type $thing))
  (alias export $things "[constructor]thing" (func $ctor))
  (alias export $things "[method]thing.feed" (func $feed))
  (type $ST (stream u8))
  (core module $Libc
    (memory (export "mem") 1)
    (data (i32.const 32) "abc")
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
  (canon lower (func $ctor) (memory (core memory $libc "mem")) (core func $ctor-lowered))
  (canon lower (func $feed) async (memory (core memory $libc "mem")) (core func $feed-lowered))
  (canon resource.drop $thing (core func $drop))
  (canon stream.new $ST (core func $stream.new))
  (canon stream.write $ST async (memory (core memory $libc "mem")) (core func $write))
  (canon stream.drop-writable $ST (core func $drop-writable))
  (canon subtask.drop (core func $subtask.drop))
  (canon waitable-set.new (core func $set.new))
  (canon waitable-set.wait (memory (core memory $libc "mem")) (core func $wait))
  (canon waitable-set.drop (core func $set.drop))
  (canon waitable.join (core func $join))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "ctor" (func $ctor (param i32 i32) (result i32)))
    (import "" "feed" (func $feed (param i32 i32 i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (import "" "stream.new" (func $stream.new (result i64)))
    (import "" "write" (func $write (param i32 i32 i32) (result i32)))
    (import "" "drop-writable" (func $drop-writable (param i32)))
    (import "" "subtask.drop" (func $subtask.drop (param i32)))
    (import "" "set.new" (func $set.new (result i32)))
    (import "" "wait" (func $wait (param i32 i32) (result i32)))
    (import "" "set.drop" (func $set.drop (param i32)))
    (import "" "join" (func $join (param i32 i32)))
    (func (export "feed-thing") (param $ptr i32) (param $len i32) (result i32)
      (local $h i32) (local $ends i64) (local $r i32) (local $w i32) (local $packed i32) (local $sub i32)
      (local $set i32) (local $res i32) (local $event i32)
      (local $written i32) (local $w-joined i32) (local $w-dropped i32) (local $returned i32)
      (local.set $h (call $ctor (local.get $ptr) (local.get $len)))
      (local.set $ends (call $stream.new))
      (local.set $r (i32.wrap_i64 (local.get $ends)))
      (local.set $w (i32.wrap_i64 (i64.shr_u (local.get $ends) (i64.const 32))))
      (local.set $set (call $set.new))
      ;; The method's u32 result goes to 8.
      (local.set $packed (call $feed (local.get $h) (local.get $r) (i32.const 8)))
      (if (i32.eq (local.get $packed) (i32.const 2 (; RETURNED ;)))
        (then (local.set $returned (i32.const 1)))
        (else
          (local.set $sub (i32.shr_u (local.get $packed) (i32.const 4)))
          (call $join (local.get $sub) (local.get $set))))
      (local.set $res (call $write (local.get $w) (i32.const 32) (i32.const 3)))
      (if (i32.eq (local.get $res) (i32.const -1 (; BLOCKED ;)))
        (then
          (call $join (local.get $w) (local.get $set))
          (local.set $w-joined (i32.const 1)))
        (else
          (if (i32.ne (local.get $res) (i32.const 0x30 (; COMPLETED | 3 << 4 ;))) (then unreachable))
          (local.set $written (i32.const 1))))
      (block $done
        (loop $events
          ;; Once the write is done, drop the writable end: the method sees the end.
          (if (i32.and (local.get $written) (i32.eqz (local.get $w-dropped)))
            (then
              (if (local.get $w-joined) (then (call $join (local.get $w) (i32.const 0))))
              (call $drop-writable (local.get $w))
              (local.set $w-dropped (i32.const 1))))
          (br_if $done (i32.and (local.get $returned) (local.get $w-dropped)))
          (local.set $event (call $wait (local.get $set) (i32.const 0)))
          (if (i32.eq (local.get $event) (i32.const 3 (; STREAM_WRITE ;)))
            (then
              (if (i32.ne (i32.load (i32.const 4)) (i32.const 0x30)) (then unreachable))
              (local.set $written (i32.const 1)))
            (else
              (if (i32.ne (local.get $event) (i32.const 1 (; SUBTASK ;))) (then unreachable))
              (if (i32.eq (i32.load (i32.const 4)) (i32.const 2 (; RETURNED ;)))
                (then (local.set $returned (i32.const 1))))))
          (br $events)))
      (if (local.get $sub) (then (call $subtask.drop (local.get $sub))))
      (call $set.drop (local.get $set))
      (call $drop (local.get $h))
      (i32.load (i32.const 8))))
  (core instance $m (instantiate $M
    (with "" (instance
      (export "mem" (memory $libc "mem"))
      (export "ctor" (func $ctor-lowered))
      (export "feed" (func $feed-lowered))
      (export "drop" (func $drop))
      (export "stream.new" (func $stream.new))
      (export "write" (func $write))
      (export "drop-writable" (func $drop-writable))
      (export "subtask.drop" (func $subtask.drop))
      (export "set.new" (func $set.new))
      (export "wait" (func $wait))
      (export "set.drop" (func $set.drop))
      (export "join" (func $join))))))
  (func (export "feed-thing") async (param "name" string) (result u32)
    (canon lift (core func $m "feed-thing") (memory (core memory $libc "mem")) (realloc (core func $libc "realloc")))))
