;; For the self-tests: records empty events into the transcript without end.
;; Each costs the host a `String` even with no bytes, so `limits.host-bytes`
;; must stop it. `run: func()` never returns on its own.
(component
  (import "local:local/transcript" (instance $t
    (export "record" (func (param "event" string)))))
  (core module $libc
    (memory (export "memory") 1))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "memory" (core memory $mem))
  (alias export $t "record" (func $record))
  (core func $record (canon lower (func $record) (memory $mem)))
  (core module $m
    (import "env" "record" (func $record (param i32 i32)))
    (func (export "run") (loop $again (call $record (i32.const 0) (i32.const 0)) (br $again))))
  (core instance $i (instantiate $m (with "env" (instance (export "record" (func $record))))))
  (func (export "run") (canon lift (core func $i "run"))))
