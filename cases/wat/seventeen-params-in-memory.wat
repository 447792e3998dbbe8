;; `weigh: async func(p1: u32, ..., p17: u32) -> u32`, lifted with a callback.
;; 17 flat values are more than MAX_FLAT_PARAMS (16), so the core function
;; takes one pointer to the parameters, which the caller stored through this
;; component's `realloc` as a tuple of 17 u32s (alignment 4, size 68).
(component
  (core module $Libc
    (memory (export "mem") 1)
    (global $next (mut i32) (i32.const 1024))
    ;; A bump allocator that insists on being asked for exactly one fresh
    ;; tuple<u32 x 17>: realloc(0, 0, 4, 68), as lower_flat_values calls it.
    (func (export "realloc") (param $old i32) (param $old-size i32) (param $align i32) (param $size i32) (result i32)
      (local $p i32)
      (if (i32.ne (local.get $old) (i32.const 0)) (then unreachable))
      (if (i32.ne (local.get $old-size) (i32.const 0)) (then unreachable))
      (if (i32.ne (local.get $align) (i32.const 4)) (then unreachable))
      (if (i32.ne (local.get $size) (i32.const 68)) (then unreachable))
      (local.set $p (global.get $next))
      (global.set $next (i32.add (local.get $p) (local.get $size)))
      (local.get $p)))
  (core instance $libc (instantiate $Libc))
  ;; task.return must name the lift's memory too (LiftOptions.equal).
  (canon task.return (result u32) (memory (core memory $libc "mem")) (core func $task.return))
  (alias core export $libc "mem" (core memory $mem))
  (core module $M
    (import "" "mem" (memory 1))
    (import "" "task.return" (func $task.return (param i32)))
    (func (export "run") (param $ptr i32) (result i32)
      (local $i i32)
      (local $sum i32)
      ;; Each u32 weighed by its position (1-based), read at ptr + 4*i.
      (loop $next
        (local.set $sum
          (i32.add (local.get $sum)
            (i32.mul
              (i32.load (i32.add (local.get $ptr) (i32.mul (local.get $i) (i32.const 4))))
              (i32.add (local.get $i) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $i) (i32.const 17))))
      (call $task.return (local.get $sum))
      (i32.const 0))
    (func (export "cb") (param i32 i32 i32) (result i32) unreachable))
  (core instance $m (instantiate $M
    (with "" (instance
      (export "mem" (memory $mem))
      (export "task.return" (func $task.return))))))
  (func (export "weigh") async (param "p1" u32) (param "p2" u32) (param "p3" u32) (param "p4" u32) (param "p5" u32) (param "p6" u32) (param "p7" u32) (param "p8" u32) (param "p9" u32) (param "p10" u32) (param "p11" u32) (param "p12" u32) (param "p13" u32) (param "p14" u32) (param "p15" u32) (param "p16" u32) (param "p17" u32) (result u32)
    (canon lift (core func $m "run") async
      (memory (core memory $libc "mem")) (realloc (core func $libc "realloc"))
      (callback (core func $m "cb")))))
