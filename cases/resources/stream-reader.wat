;; `tally: async func(count: u32) -> u32`, lifted without a callback: it
;; asks the host's `line-up` for a stream of `count` owned things, reads it
;; four handles at a time (waiting on a waitable set when a read blocks)
;; until the host drops its end, asks each thing its name, drops it, and
;; returns how many things it got.
(component
  (import "local:local/things" (instance $things
    (export "thing" (type (sub resource)))
    (export "[method]thing.name" (func (param "self" (borrow 0)) (result string)))
    (export "line-up" (func (param "count" u32) (result (stream (own 0)))))))
  (alias export $things "thing" (type $thing))
  (alias export $things "[method]thing.name" (func $name))
  (alias export $things "line-up" (func $line-up))
  (type $ST (stream (own $thing)))
  (core module $Libc
    (memory (export "mem") 1)
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
  (canon lower (func $name) (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))
    (core func $name-lowered))
  (canon lower (func $line-up) (core func $line-up-lowered))
  (canon resource.drop $thing (core func $drop))
  (canon stream.read $ST async (memory (core memory $libc "mem")) (core func $read))
  (canon stream.drop-readable $ST (core func $drop-readable))
  (canon waitable-set.new (core func $set.new))
  (canon waitable-set.wait (memory (core memory $libc "mem")) (core func $wait))
  (canon waitable-set.drop (core func $set.drop))
  (canon waitable.join (core func $join))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "name" (func $name (param i32 i32)))
    (import "" "line-up" (func $line-up (param i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (import "" "read" (func $read (param i32 i32 i32) (result i32)))
    (import "" "drop-readable" (func $drop-readable (param i32)))
    (import "" "set.new" (func $set.new (result i32)))
    (import "" "wait" (func $wait (param i32 i32) (result i32)))
    (import "" "set.drop" (func $set.drop (param i32)))
    (import "" "join" (func $join (param i32 i32)))
    (func (export "tally") (param $count i32) (result i32)
      (local $r i32) (local $set i32) (local $res i32) (local $n i32) (local $i i32) (local $h i32) (local $total i32)
      (local.set $r (call $line-up (local.get $count)))
      (local.set $set (call $set.new))
      (call $join (local.get $r) (local.get $set))
      (loop $more
        ;; Room for 4 handles at 64.
        (local.set $res (call $read (local.get $r) (i32.const 64) (i32.const 4)))
        (if (i32.eq (local.get $res) (i32.const -1 (; BLOCKED ;)))
          (then
            (if (i32.ne (call $wait (local.get $set) (i32.const 0)) (i32.const 2 (; STREAM_READ ;)))
              (then unreachable))
            (local.set $res (i32.load (i32.const 4)))))
        (local.set $n (i32.shr_u (local.get $res) (i32.const 4)))
        ;; A read copies no more than the room it offered.
        (if (i32.gt_u (local.get $n) (i32.const 4)) (then unreachable))
        (local.set $i (i32.const 0))
        (block $done
          (loop $each
            (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $h (i32.load (i32.add (i32.const 64) (i32.shl (local.get $i) (i32.const 2)))))
            (call $name (local.get $h) (i32.const 16))
            (call $drop (local.get $h))
            (local.set $total (i32.add (local.get $total) (i32.const 1)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $each)))
        ;; COMPLETED (0): read on; DROPPED (1): the host is done.
        (br_if $more (i32.eqz (i32.and (local.get $res) (i32.const 0xf)))))
      (call $join (local.get $r) (i32.const 0))
      (call $drop-readable (local.get $r))
      (call $set.drop (local.get $set))
      (local.get $total)))
  (core instance $m (instantiate $M
    (with "" (instance
      (export "mem" (memory $libc "mem"))
      (export "name" (func $name-lowered))
      (export "line-up" (func $line-up-lowered))
      (export "drop" (func $drop))
      (export "read" (func $read))
      (export "drop-readable" (func $drop-readable))
      (export "set.new" (func $set.new))
      (export "wait" (func $wait))
      (export "set.drop" (func $set.drop))
      (export "join" (func $join))))))
  (func (export "tally") async (param "count" u32) (result u32)
    (canon lift (core func $m "tally"))))
