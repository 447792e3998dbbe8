;; Async exports (callback lifts) that use the host's `thing` resource
;; (`local:local/things`). Each entry keeps its task's handle in context
;; slot 0 and yields once, so the handle is used from a later callback:
;; - describe(x: borrow<thing>): asks the host for x's name, drops the
;;   borrow, returns the name;
;; - use-after-return(x): the same, then asks for the name once more with
;;   the handle it has dropped;
;; - keep-borrow(x): asks the name and returns without dropping the borrow;
;; - make(name): constructs a host thing and returns it, owned.
(component
  (import "local:local/things" (instance $things
    (export "thing" (type (sub resource)))
    (export "[constructor]thing" (func (param "name" string) (result (own 0))))
    (export "[method]thing.name" (func (param "self" (borrow 0)) (result string)))))
  (alias export $things "thing" (type $thing))
  (alias export $things "[constructor]thing" (func $ctor))
  (alias export $things "[method]thing.name" (func $name))
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
  (canon lower (func $name) (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))
    (core func $name-lowered))
  (canon resource.drop $thing (core func $drop))
  (canon context.get i32 0 (core func $context.get))
  (canon context.set i32 0 (core func $context.set))
  (canon task.return (result string) (memory (core memory $libc "mem")) (core func $return-string))
  (canon task.return (result (own $thing)) (memory (core memory $libc "mem")) (core func $return-own))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "ctor" (func $ctor (param i32 i32) (result i32)))
    (import "" "name" (func $name (param i32 i32)))
    (import "" "drop" (func $drop (param i32)))
    (import "" "context.get" (func $context.get (result i32)))
    (import "" "context.set" (func $context.set (param i32)))
    (import "" "return-string" (func $return-string (param i32 i32)))
    (import "" "return-own" (func $return-own (param i32)))
    ;; Every entry: keep the handle for the callback, then YIELD.
    (func $hold (param $h i32) (result i32)
      (call $context.set (local.get $h))
      (i32.const 1 (; YIELD ;)))
    ;; The thing's name, as the (ptr, len) pair at 16.
    (func $ask (param $h i32)
      (call $name (local.get $h) (i32.const 16)))
    (func $return-name
      (call $return-string (i32.load (i32.const 16)) (i32.load (i32.const 20))))
    (func (export "describe") (param i32) (result i32) (call $hold (local.get 0)))
    (func (export "describe-cb") (param i32 i32 i32) (result i32)
      (call $ask (call $context.get))
      (call $drop (call $context.get))
      (call $return-name)
      (i32.const 0 (; EXIT ;)))
    (func (export "use-after-return") (param i32) (result i32) (call $hold (local.get 0)))
    (func (export "use-after-return-cb") (param i32 i32 i32) (result i32)
      (call $ask (call $context.get))
      (call $drop (call $context.get))
      (call $return-name)
      ;; The borrow was dropped before returning: its index holds nothing.
      (call $ask (call $context.get))
      (i32.const 0 (; EXIT ;)))
    (func (export "keep-borrow") (param i32) (result i32) (call $hold (local.get 0)))
    (func (export "keep-borrow-cb") (param i32 i32 i32) (result i32)
      (call $ask (call $context.get))
      (call $return-name)
      (i32.const 0 (; EXIT ;)))
    (func (export "make") (param $ptr i32) (param $len i32) (result i32)
      (call $hold (call $ctor (local.get $ptr) (local.get $len))))
    (func (export "make-cb") (param i32 i32 i32) (result i32)
      (call $return-own (call $context.get))
      (i32.const 0 (; EXIT ;))))
  (core instance $m (instantiate $M
    (with "" (instance
      (export "mem" (memory $libc "mem"))
      (export "ctor" (func $ctor-lowered))
      (export "name" (func $name-lowered))
      (export "drop" (func $drop))
      (export "context.get" (func $context.get))
      (export "context.set" (func $context.set))
      (export "return-string" (func $return-string))
      (export "return-own" (func $return-own))))))
  (func (export "describe") async (param "x" (borrow $thing)) (result string)
    (canon lift (core func $m "describe") async (memory (core memory $libc "mem"))
      (callback (core func $m "describe-cb"))))
  (func (export "use-after-return") async (param "x" (borrow $thing)) (result string)
    (canon lift (core func $m "use-after-return") async (memory (core memory $libc "mem"))
      (callback (core func $m "use-after-return-cb"))))
  (func (export "keep-borrow") async (param "x" (borrow $thing)) (result string)
    (canon lift (core func $m "keep-borrow") async (memory (core memory $libc "mem"))
      (callback (core func $m "keep-borrow-cb"))))
  (func (export "make") async (param "name" string) (result (own $thing))
    (canon lift (core func $m "make") async
      (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))
      (callback (core func $m "make-cb")))))
