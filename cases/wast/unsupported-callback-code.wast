;; definitions.py unpack_callback_result: `code = packed & 0xf; trap_if(code > CallbackCode.MAX)` with MAX = WAIT = 2, so codes 3 to 15 trap, from the entry point or after task.return; the bits above the low four are the waitable set's index, which EXIT and YIELD ignore.
(component definition $T
  (core module $M
    (import "" "task.return" (func $task.return))
    (global $code (mut i32) (i32.const 0))
    ;; Returns its argument as the packed callback code, from the entry point.
    (func (export "return-code") (param $code i32) (result i32)
      (local.get $code)
    )
    ;; Returns the task's result, then its argument as the packed code.
    (func (export "return-then-code") (param $code i32) (result i32)
      (call $task.return)
      (local.get $code)
    )
    ;; Yields with garbage in the upper bits; the callback then returns.
    (func (export "yield-with-high-bits") (result i32)
      (i32.const 0x7ff1 (; YIELD | 0x7ff << 4 ;))
    )
    (func (export "return-cb") (param $event i32) (param i32 i32) (result i32)
      (if (i32.ne (local.get $event) (i32.const 0 (; NONE ;))) (then unreachable))
      (call $task.return)
      (i32.const 0 (; EXIT ;))
    )
    (func (export "unreachable-cb") (param i32 i32 i32) (result i32) unreachable)
  )
  (canon task.return (core func $task.return))
  (core instance $m (instantiate $M (with "" (instance (export "task.return" (func $task.return))))))
  (func (export "return-code") async (param "code" u32)
    (canon lift (core func $m "return-code") async (callback (core func $m "unreachable-cb"))))
  (func (export "return-then-code") async (param "code" u32)
    (canon lift (core func $m "return-then-code") async (callback (core func $m "unreachable-cb"))))
  (func (export "yield-with-high-bits") async
    (canon lift (core func $m "yield-with-high-bits") async (callback (core func $m "return-cb"))))
)

;; Codes 3 to 15 are not callback codes.
(component instance $a $T)
(assert_trap (invoke "return-code" (u32.const 3)) "unsupported callback code")
(component instance $b $T)
(assert_trap (invoke "return-code" (u32.const 7)) "unsupported callback code")
(component instance $c $T)
(assert_trap (invoke "return-then-code" (u32.const 0xf)) "unsupported callback code")

;; EXIT with bits above the code: the code is still EXIT.
(component instance $d $T)
(assert_return (invoke "return-then-code" (u32.const 0x10)))
(assert_return (invoke "yield-with-high-bits"))
