;; `add5: async func(a..e: u32) -> u32` in an exported `local:local/adder`
;; instance. Five values fit MAX_FLAT_PARAMS (16), so this lift takes them
;; flat. It weighs each by a power of ten, so the result spells the order
;; in which the arguments arrived: a + 10b + 100c + 1000d + 10000e.
(component
  (core module $M
    (import "" "task.return" (func $task.return (param i32)))
    (func (export "add5") (param $a i32) (param $b i32) (param $c i32) (param $d i32) (param $e i32) (result i32)
      (call $task.return
        (i32.add (local.get $a)
          (i32.add (i32.mul (local.get $b) (i32.const 10))
            (i32.add (i32.mul (local.get $c) (i32.const 100))
              (i32.add (i32.mul (local.get $d) (i32.const 1000))
                (i32.mul (local.get $e) (i32.const 10000)))))))
      (i32.const 0))
    (func (export "cb") (param i32 i32 i32) (result i32) unreachable))
  (canon task.return (result u32) (core func $task.return))
  (core instance $m (instantiate $M (with "" (instance (export "task.return" (func $task.return))))))
  (func $add5 async (param "a" u32) (param "b" u32) (param "c" u32) (param "d" u32) (param "e" u32) (result u32)
    (canon lift (core func $m "add5") async (callback (core func $m "cb"))))
  (instance $adder (export "add5" (func $add5)))
  (export "local:local/adder" (instance $adder)))
