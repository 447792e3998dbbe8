//! What jco's errors mean in the case format's words. jco reports a trap as
//! a JavaScript error whose only structure is its message (V8's for core
//! wasm traps, jco's runtime's for Canonical ABI rules), so this table
//! matches message texts, each row checked by a unit test: a jco upgrade
//! that rewords one fails the test naming it instead of silently changing
//! what cases see.

use case_format::TrapKind;

/// Message fragments and the rule they stand for, first match wins (jco
/// prefixes `wasm trap: ` to some, V8 says only the fragment).
const MESSAGES: &[(&str, TrapKind)] = &[
    // jco's async runtime (its inlined `_suspendingImport`, task and
    // waitable code).
    ("cannot block a synchronous task", TrapKind::CannotBlockSyncTask),
    ("deadlock detected", TrapKind::AsyncDeadlock),
    ("cannot leave component instance", TrapKind::CannotLeaveComponent),
    ("cannot enter component instance", TrapKind::CannotEnterComponent),
    ("exited without resolution", TrapKind::NoAsyncResult),
    ("called after terminal status delivered", TrapKind::SubtaskCancelAfterTerminal),
    ("cannot drop a subtask which has not yet resolved", TrapKind::SubtaskDropNotResolved),
    ("cannot synchronously cancel a subtask that is in a waitable set", TrapKind::WaitableSyncAndAsync),
    ("for cancellation", TrapKind::TaskCancelNotCancelled),
    ("outside callback code range", TrapKind::UnsupportedCallbackCode),
    ("invalid new backpressure value", TrapKind::BackpressureOverflow),
    ("cannot have concurrent operations active on a future/stream", TrapKind::CopyEndNotIdle),
    ("cannot read from future after previous read succeeded", TrapKind::CopyEndNotIdle),
    ("cannot write to future after previous write succeeded", TrapKind::CopyEndNotIdle),
    ("after being notified that the", TrapKind::CopyEndNotIdle),
    ("cannot drop future write end without first writing a value", TrapKind::FutureWriterDroppedUnwritten),
    ("busy stream", TrapKind::DropEndWhileCopying),
    ("cannot read from and write to intra-component future", TrapKind::CopyWithinInstance),
    ("while it's in a waitable set", TrapKind::TransferJoinedEnd),
    // V8's core wasm traps (RuntimeError messages), and jco's rewording
    // of `unreachable`.
    ("`unreachable` instruction executed", TrapKind::Unreachable),
    ("unreachable", TrapKind::Unreachable),
    ("memory access out of bounds", TrapKind::OutOfBoundsMemoryAccess),
    ("operation does not support unaligned accesses", TrapKind::UnalignedAtomic),
    ("atomics wait operation on unshared memory", TrapKind::AtomicWaitOnUnsharedMemory),
    ("table index is out of bounds", TrapKind::OutOfBoundsTableAccess),
    ("null function or function signature mismatch", TrapKind::IndirectCallTypeMismatch),
    ("divide by zero", TrapKind::IntegerDivideByZero),
    ("remainder by zero", TrapKind::IntegerDivideByZero),
    ("divide result unrepresentable", TrapKind::IntegerOverflow),
    ("float unrepresentable in integer range", TrapKind::InvalidConversionToInteger),
    ("Maximum call stack size exceeded", TrapKind::CallStackExhausted),
    ("dereferencing a null pointer", TrapKind::NullReference),
    ("array element access out of bounds", TrapKind::OutOfBoundsArrayAccess),
    ("illegal cast", TrapKind::CastFailure),
];

/// The trap kind of a JavaScript error, from its message; `None` for an
/// error that is no rule a case can expect (a host or jco failure).
pub fn error_trap_kind(message: &str) -> Option<TrapKind> {
    MESSAGES.iter().find(|(fragment, _)| message.contains(fragment)).map(|&(_, kind)| kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages as jco 1.35.0 on Node 26.10.0 gave them running the
    /// cases (see /work/shared/notes/jco-1.35.md and V8's message templates).
    #[test]
    fn each_message_maps_to_its_rule() {
        let seen = [
            ("wasm trap: wasm `unreachable` instruction executed", TrapKind::Unreachable),
            ("unreachable", TrapKind::Unreachable),
            ("cannot block a synchronous task before returning", TrapKind::CannotBlockSyncTask),
            ("wasm trap: deadlock detected: event loop cannot make further progress", TrapKind::AsyncDeadlock),
            ("memory access out of bounds", TrapKind::OutOfBoundsMemoryAccess),
            ("divide by zero", TrapKind::IntegerDivideByZero),
            ("Maximum call stack size exceeded", TrapKind::CallStackExhausted),
            ("cannot leave component instance", TrapKind::CannotLeaveComponent),
            ("Error: `subtask.cancel` called after terminal status delivered", TrapKind::SubtaskCancelAfterTerminal),
            ("Error: (component [0]) task [2] exited without resolution", TrapKind::NoAsyncResult),
            (
                "Error: (component [0]) task [2] invalid task state [initial] for cancellation",
                TrapKind::TaskCancelNotCancelled,
            ),
            ("Error: invalid async return value [15], outside callback code range", TrapKind::UnsupportedCallbackCode),
            ("Error: invalid new backpressure value [65536], overflow", TrapKind::BackpressureOverflow),
            (
                "RuntimeError: cannot read from stream after being notified that the writable end dropped",
                TrapKind::CopyEndNotIdle,
            ),
            ("RuntimeError: cannot drop busy stream", TrapKind::DropEndWhileCopying),
            ("RuntimeError: cannot remove busy stream", TrapKind::DropEndWhileCopying),
            ("RuntimeError: cannot lift stream while it's in a waitable set", TrapKind::TransferJoinedEnd),
        ];
        for (message, kind) in seen {
            assert_eq!(error_trap_kind(message), Some(kind), "{message}");
        }
        for (fragment, kind) in MESSAGES {
            assert_eq!(error_trap_kind(fragment), Some(*kind), "{fragment} is shadowed by an earlier row");
        }
    }

    #[test]
    fn other_errors_are_no_trap() {
        assert_eq!(error_trap_kind("missing/incomplete global current task meta"), None);
        assert_eq!(error_trap_kind("TypeError: x is not a function"), None);
    }
}
