;; CanonicalABI.md canon error-context.debug-message: `ptr` points to the 8 bytes that receive the message's (pointer, length) pair, and, unlike the lowering of results (`trap_if(ptr != align_to(ptr, ...))`), canon_error_context_debug_message checks nothing about `ptr` before store_string writes the pair: an unaligned pointer inside memory (18) receives it like an aligned one, and the instance goes on.
(component
  (core module $Libc
    (memory (export "mem") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (global.set $next (i32.add (global.get $next) (local.get 3)))
      (i32.sub (global.get $next) (local.get 3)))
  )
  (core instance $libc (instantiate $Libc))
  (canon error-context.new (memory (core memory $libc "mem")) (core func $new))
  (canon error-context.debug-message (memory (core memory $libc "mem")) (realloc (core func $libc "realloc")) (core func $debug-message))
  (canon error-context.drop (core func $drop))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "new" (func $new (param i32 i32) (result i32)))
    (import "" "debug-message" (func $debug-message (param i32 i32)))
    (import "" "drop" (func $drop (param i32)))
    ;; 1 when the stored pair describes a string inside memory.
    (func (export "message-at") (param $dst i32) (result i32) (local $h i32)
      (i32.store (i32.const 0) (i32.const 0x21697962))
      (local.set $h (call $new (i32.const 0) (i32.const 4)))
      (call $debug-message (local.get $h) (local.get $dst))
      (call $drop (local.get $h))
      (i64.le_u
        (i64.add (i64.extend_i32_u (i32.load (local.get $dst))) (i64.extend_i32_u (i32.load offset=4 (local.get $dst))))
        (i64.const 65536)))
  )
  (core instance $m (instantiate $M (with "" (instance
    (export "mem" (memory $libc "mem"))
    (export "new" (func $new))
    (export "debug-message" (func $debug-message))
    (export "drop" (func $drop))
  ))))
  (func (export "message-at") (param "dst" u32) (result u32) (canon lift (core func $m "message-at")))
)
(assert_return (invoke "message-at" (u32.const 18)) (u32.const 1))
(assert_return (invoke "message-at" (u32.const 16)) (u32.const 1))
