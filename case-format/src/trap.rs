//! The kinds of trap a case may expect, named after the rule that traps, not
//! after one runtime's error type. Each host maps its own traps onto these in
//! one explicit table (wasmtime: `harness/src/host/tables.rs`), so a case
//! reads the same on every host, and a host that traps for another reason
//! than the case expects fails it.
//!
//! The rules come from the WebAssembly core specification (execution traps)
//! and the Component Model's `CanonicalABI.md` / `canonical-abi/definitions.py`
//! (`trap_if(...)` conditions) and `Concurrency.md`.

use std::fmt;

macro_rules! trap_kinds {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $rule:literal; )*) => {
        /// A rule whose violation ends a call in a trap.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum TrapKind {
            $( $(#[$doc])* $variant, )*
        }

        impl TrapKind {
            /// Every kind, in the order of the table below.
            pub const ALL: &'static [TrapKind] = &[$(TrapKind::$variant),*];

            /// The name a case file uses (`expect.trap`).
            pub fn name(self) -> &'static str {
                match self { $(TrapKind::$variant => $name,)* }
            }

            /// The rule, in one sentence, with where the spec states it.
            pub fn rule(self) -> &'static str {
                match self { $(TrapKind::$variant => $rule,)* }
            }
        }
    };
}

trap_kinds! {
    // Core WebAssembly (the core spec's execution traps).
    Unreachable = "unreachable",
        "the `unreachable` instruction was executed (core spec, Execution: `unreachable`)";
    OutOfBoundsMemoryAccess = "out-of-bounds-memory-access",
        "a load, store or bulk memory operation went past the end of a linear memory (core spec)";
    UnalignedAtomic = "unaligned-atomic",
        "an atomic access used an address not aligned to its size (threads proposal)";
    AtomicWaitOnUnsharedMemory = "atomic-wait-on-unshared-memory",
        "`memory.atomic.wait` on a memory that is not shared (threads proposal)";
    OutOfBoundsTableAccess = "out-of-bounds-table-access",
        "a table access went past the end of the table (core spec)";
    UninitializedElement = "uninitialized-element",
        "`call_indirect` reached a null table entry (core spec)";
    IndirectCallTypeMismatch = "indirect-call-type-mismatch",
        "`call_indirect` reached a function of another type (core spec)";
    IntegerOverflow = "integer-overflow",
        "a signed division or truncation overflowed (core spec)";
    IntegerDivideByZero = "integer-divide-by-zero",
        "an integer division or remainder by zero (core spec)";
    InvalidConversionToInteger = "invalid-conversion-to-integer",
        "a float-to-int truncation of NaN or out of range (core spec)";
    CallStackExhausted = "call-stack-exhausted",
        "the call stack overflowed (core spec: implementations limit call depth)";
    NullReference = "null-reference",
        "a null reference was dereferenced (function references / GC proposals)";
    OutOfBoundsArrayAccess = "out-of-bounds-array-access",
        "a GC array access went past its length (GC proposal)";
    AllocationTooLarge = "allocation-too-large",
        "a GC allocation was larger than the implementation allows (GC proposal)";
    CastFailure = "cast-failure",
        "`ref.cast` of a reference that is not of the target type (GC proposal)";
    UnhandledTag = "unhandled-tag",
        "a suspension to a tag with no enclosing handler (stack switching proposal)";
    ContinuationAlreadyConsumed = "continuation-already-consumed",
        "a continuation was resumed twice (stack switching proposal)";
    UncaughtException = "uncaught-exception",
        "an exception propagated out of a component export (exception handling + Canonical ABI)";

    // Component Model: lifting and lowering (CanonicalABI.md).
    InvalidChar = "invalid-char",
        "a lifted `char` is a surrogate or above 0x10FFFF (CanonicalABI.md `convert_i32_to_char`)";
    StringOutOfBounds = "string-out-of-bounds",
        "a string's bytes lie outside linear memory (CanonicalABI.md `load_string_from_range`)";
    ListOutOfBounds = "list-out-of-bounds",
        "a list's elements lie outside linear memory (CanonicalABI.md `load_list_from_range`)";
    InvalidDiscriminant = "invalid-discriminant",
        "a variant's case index is out of range (CanonicalABI.md `load_variant`)";
    UnalignedPointer = "unaligned-pointer",
        "a pointer to a string, list or the parameters is misaligned (CanonicalABI.md `trap_if(ptr != align_to(...))`)";

    // Component Model: entering and leaving instances (Concurrency.md).
    CannotEnterComponent = "cannot-enter-component",
        "a call would re-enter a component instance that may not be entered (CanonicalABI.md `may_enter`, Concurrency.md \"Reentrance\")";
    CannotLeaveComponent = "cannot-leave-component",
        "an instance called an import or built-in while it may not leave, e.g. in `post-return` (CanonicalABI.md `may_leave`)";

    // Component Model: tasks (Concurrency.md, CanonicalABI.md).
    CannotBlockSyncTask = "cannot-block-sync-task",
        "a sync-typed task made a blocking call before it returned (Concurrency.md \"Blocking\", CanonicalABI.md `trap_if(not task.may_block())`)";
    AsyncDeadlock = "async-deadlock",
        "every task is waiting and nothing can ever wake one (Concurrency.md: the host traps a deadlocked store)";
    NoAsyncResult = "no-async-result",
        "an async-lifted export finished without calling `task.return` (CanonicalABI.md `trap_if(not task.returned)` at exit)";
    TaskReturnInvalid = "task-return-invalid",
        "`task.return`'s type or options differ from the current task's function (CanonicalABI.md `canon_task_return`)";
    TaskCancelNotCancelled = "task-cancel-not-cancelled",
        "`task.cancel` by a task that was not told it is cancelled (CanonicalABI.md `canon_task_cancel`)";
    TaskCancelOrReturnTwice = "task-cancel-or-return-twice",
        "`task.return` or `task.cancel` called after the task already returned or was cancelled (CanonicalABI.md `trap_if(self.state == RESOLVED)`)";
    UnsupportedCallbackCode = "unsupported-callback-code",
        "an async callback returned a code that is not EXIT, YIELD, WAIT or POLL (CanonicalABI.md `unpack_callback_result`)";
    BackpressureOverflow = "backpressure-overflow",
        "`backpressure.inc` past the counter's maximum (CanonicalABI.md `canon_backpressure_inc`)";

    // Component Model: subtasks and waitables.
    SubtaskCancelAfterTerminal = "subtask-cancel-after-terminal",
        "`subtask.cancel` after the subtask's final event was delivered (CanonicalABI.md `canon_subtask_cancel`)";
    SubtaskDropNotResolved = "subtask-drop-not-resolved",
        "`subtask.drop` of a subtask that has not resolved (CanonicalABI.md `Subtask.drop`)";
    WaitableSetDropHasWaiters = "waitable-set-drop-has-waiters",
        "`waitable-set.drop` of a set a task is waiting on (CanonicalABI.md `WaitableSet.drop`)";
    WaitableSyncAndAsync = "waitable-sync-and-async",
        "a sync wait on a waitable that is joined to a waitable set, or joining one in a sync wait (CanonicalABI.md `trap_if(self.wset)`)";

    // Component Model: handles and resources.
    InvalidHandle = "invalid-handle",
        "a handle index that holds nothing in the instance's table, e.g. one already dropped (CanonicalABI.md Table.get: `trap_if(i >= len(self.array))`, `trap_if(self.array[i] is None)`)";
    BorrowOutlivesTask = "borrow-outlives-task",
        "a task returned or was cancelled while still holding a borrowed handle it was lent (CanonicalABI.md Task.return_ / Task.cancel: `trap_if(self.num_borrows > 0)`)";

    // Component Model: streams and futures.
    CopyEndNotIdle = "copy-end-not-idle",
        "a read or write on a stream or future end that is not idle: a copy is still in progress (or its event not yet delivered), or the end was told the other side dropped (CanonicalABI.md stream_copy/future_copy: trap_if(e.state != CopyState.IDLE))";
    DropEndWhileCopying = "drop-end-while-copying",
        "a stream or future end dropped while a copy on it is in progress (CanonicalABI.md CopyEnd.drop: trap_if(self.copying()))";
    FutureWriterDroppedUnwritten = "future-writer-dropped-unwritten",
        "a future's writable end dropped before a value was written or the reader was seen to drop (CanonicalABI.md WritableFutureEnd.drop: trap_if(self.state != CopyState.DONE))";
    TransferJoinedEnd = "transfer-joined-end",
        "a stream or future end passed in a call while it is in a waitable set (CanonicalABI.md lift_async_value: trap_if(e.in_waitable_set()))";
    CopyWithinInstance = "copy-within-instance",
        "one instance both reads and writes a stream or future whose payload is not a number type (CanonicalABI.md SharedStreamImpl/SharedFutureImpl: trap_if(inst is self.pending_inst and not none_or_number_type(self.t)), marked temporary)";
    StreamOpTooBig = "stream-op-too-big",
        "a stream read or write of more than 2^28 - 1 items (CanonicalABI.md `trap_if(n > MAX_LENGTH)`)";
    ReferenceCountOverflow = "reference-count-overflow",
        "a handle's reference count overflowed (e.g. `error-context`)";

    // Component Model: threads (Concurrency.md "Threads").
    ThreadStartInvalidType = "thread-start-invalid-type",
        "`thread.new-indirect` names a function whose type is not `(i32) -> ()` (CanonicalABI.md `canon_thread_new_indirect`)";
    ThreadStartUninitialized = "thread-start-uninitialized",
        "`thread.new-indirect` names an empty table slot (CanonicalABI.md `canon_thread_new_indirect`)";
    CannotResumeThread = "cannot-resume-thread",
        "`thread.resume-later` or a switch to a thread that is not suspended (CanonicalABI.md `canon_thread_*`)";
}

impl TrapKind {
    /// The kind a case file names, if there is one of that name.
    pub fn from_name(name: &str) -> Option<TrapKind> {
        TrapKind::ALL.iter().copied().find(|k| k.name() == name)
    }

    /// Every name, for messages and the schema.
    pub fn names() -> Vec<&'static str> {
        TrapKind::ALL.iter().map(|k| k.name()).collect()
    }
}

/// The README's table of trap kinds (between `TRAPS_BEGIN` and `TRAPS_END`):
/// each kind a case may expect, with its rule.
pub fn kinds_table() -> String {
    let mut out = String::from("| kind | the rule |\n|---|---|\n");
    for kind in TrapKind::ALL {
        out.push_str(&format!("| `{}` | {} |\n", kind.name(), kind.rule().replace('|', "\\|")));
    }
    out
}

pub const TRAPS_BEGIN: &str = "<!-- traps:begin -->";
pub const TRAPS_END: &str = "<!-- traps:end -->";

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case_and_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for &kind in TrapKind::ALL {
            let name = kind.name();
            assert!(seen.insert(name), "`{name}` is used twice");
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "`{name}` is not kebab-case");
            assert_eq!(TrapKind::from_name(name), Some(kind));
            assert!(!kind.rule().is_empty());
        }
        assert_eq!(TrapKind::from_name("unreachable-code-reached"), None);
    }
}
