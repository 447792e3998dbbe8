;; definitions.py BufferGuestImpl.__init__ (via stream_copy, at the stream.read or stream.write call itself): trap_if(ptr != align_to(ptr, alignment(t))) for a payload t and a length > 0; a stream<u64> buffer at an address that is not 8-aligned traps at once, whether or not the other end has a copy pending.
(component definition $C
  (core module $Libc (memory (export "mem") 1))
  (core instance $libc (instantiate $Libc))
  (type $S (stream u64))
  (canon stream.new $S (core func $new))
  (canon stream.read $S async (memory (core memory $libc "mem")) (core func $read))
  (canon stream.write $S async (memory (core memory $libc "mem")) (core func $write))
  (core module $M
    (import "" "new" (func $new (result i64)))
    (import "" "read" (func $read (param i32 i32 i32) (result i32)))
    (import "" "write" (func $write (param i32 i32 i32) (result i32)))
    (func (export "write") (result i32)
      (call $write (i32.wrap_i64 (i64.shr_u (call $new) (i64.const 32))) (i32.const 4) (i32.const 1)))
    (func (export "read") (result i32)
      (call $read (i32.wrap_i64 (call $new)) (i32.const 12) (i32.const 2))))
  (core instance $m (instantiate $M (with "" (instance
    (export "new" (func $new))
    (export "read" (func $read))
    (export "write" (func $write))))))
  (func (export "write") (result u32) (canon lift (core func $m "write")))
  (func (export "read") (result u32) (canon lift (core func $m "read"))))

(component instance $i $C)
(assert_trap (invoke "write") "pointer not aligned")
(component instance $i $C)
(assert_trap (invoke "read") "pointer not aligned")
