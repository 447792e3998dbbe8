;; Two `async func(name: string) -> u32` exports, lifted without a callback.
;; Each constructs the host's thing `name` and calls its stream-taking
;; method `feed` (async lower) with the readable end of a new stream<u8>
;; it never writes to, so the method stays blocked holding the borrow of
;; the thing; then cancels that subtask (sync).
;; `cancel-feed`: drops the subtask, the writable end and the thing
;; (which traps if the borrow was not given back) and returns the state
;; the cancel returned.
;; `cancel-feed-twice`: cancels the resolved subtask a second time.
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
  (canon stream.drop-writable $ST (core func $drop-writable))
  (canon subtask.cancel (core func $cancel))
  (canon subtask.drop (core func $subtask.drop))
  (core module $M
    (import "" "ctor" (func $ctor (param i32 i32) (result i32)))
    (import "" "feed" (func $feed (param i32 i32 i32) (result i32)))
    (import "" "drop" (func $drop (param i32)))
    (import "" "stream.new" (func $stream.new (result i64)))
    (import "" "drop-writable" (func $drop-writable (param i32)))
    (import "" "cancel" (func $cancel (param i32) (result i32)))
    (import "" "subtask.drop" (func $subtask.drop (param i32)))
    (global $thing (mut i32) (i32.const 0))
    (global $writable (mut i32) (i32.const 0))
    ;; Starts the method on a stream nobody writes; returns the subtask.
    (func $start (param $ptr i32) (param $len i32) (result i32)
      (local $ends i64) (local $packed i32)
      (global.set $thing (call $ctor (local.get $ptr) (local.get $len)))
      (local.set $ends (call $stream.new))
      (global.set $writable (i32.wrap_i64 (i64.shr_u (local.get $ends) (i64.const 32))))
      (local.set $packed (call $feed (global.get $thing) (i32.wrap_i64 (local.get $ends)) (i32.const 8)))
      ;; Anything but STARTED means the method did not block on the stream.
      (if (i32.ne (i32.and (local.get $packed) (i32.const 0xf)) (i32.const 1 (; STARTED ;))) (then unreachable))
      (i32.shr_u (local.get $packed) (i32.const 4)))
    (func (export "cancel-feed") (param $ptr i32) (param $len i32) (result i32)
      (local $sub i32) (local $state i32)
      (local.set $sub (call $start (local.get $ptr) (local.get $len)))
      (local.set $state (call $cancel (local.get $sub)))
      (call $subtask.drop (local.get $sub))
      (call $drop-writable (global.get $writable))
      (call $drop (global.get $thing))
      (local.get $state))
    (func (export "cancel-feed-twice") (param $ptr i32) (param $len i32) (result i32)
      (local $sub i32)
      (local.set $sub (call $start (local.get $ptr) (local.get $len)))
      (drop (call $cancel (local.get $sub)))
      (call $cancel (local.get $sub))))
  (core instance $m (instantiate $M
    (with "" (instance
      (export "ctor" (func $ctor-lowered))
      (export "feed" (func $feed-lowered))
      (export "drop" (func $drop))
      (export "stream.new" (func $stream.new))
      (export "drop-writable" (func $drop-writable))
      (export "cancel" (func $cancel))
      (export "subtask.drop" (func $subtask.drop))))))
  (func (export "cancel-feed") async (param "name" string) (result u32)
    (canon lift (core func $m "cancel-feed") (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))))
  (func (export "cancel-feed-twice") async (param "name" string) (result u32)
    (canon lift (core func $m "cancel-feed-twice") (memory (core memory $libc "mem")) (realloc (core func $libc "realloc")))))
