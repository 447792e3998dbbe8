//! What wasmtime's own types mean in the case format's words, as explicit
//! tables rather than text read from `Debug` or `Display`: a wasmtime
//! upgrade that adds or renames a trap then fails a unit test naming it,
//! instead of silently changing what cases see.

use case_format::TrapKind;
use wasmtime::Trap;
use wasmtime::component::Type;
use wasmtime_wasi_http::Error as HttpError;
use wasmtime_wasi_http::p3::bindings::http::types::ErrorCode;

/// Every wasmtime trap code and the rule it stands for. `None`: the trap is
/// not a rule a case can expect: the harness's own time limit (handled as a
/// time-out), fuel, a disabled interpreter opcode, or a wasmtime-internal
/// assertion in a fused adapter (a host bug, shown as an error).
const TRAPS: &[(Trap, Option<TrapKind>)] = &[
    (Trap::StackOverflow, Some(TrapKind::CallStackExhausted)),
    (Trap::MemoryOutOfBounds, Some(TrapKind::OutOfBoundsMemoryAccess)),
    (Trap::HeapMisaligned, Some(TrapKind::UnalignedAtomic)),
    (Trap::TableOutOfBounds, Some(TrapKind::OutOfBoundsTableAccess)),
    (Trap::IndirectCallToNull, Some(TrapKind::UninitializedElement)),
    (Trap::BadSignature, Some(TrapKind::IndirectCallTypeMismatch)),
    (Trap::IntegerOverflow, Some(TrapKind::IntegerOverflow)),
    (Trap::IntegerDivisionByZero, Some(TrapKind::IntegerDivideByZero)),
    (Trap::BadConversionToInteger, Some(TrapKind::InvalidConversionToInteger)),
    (Trap::UnreachableCodeReached, Some(TrapKind::Unreachable)),
    (Trap::Interrupt, None),
    (Trap::OutOfFuel, None),
    (Trap::AtomicWaitNonSharedMemory, Some(TrapKind::AtomicWaitOnUnsharedMemory)),
    (Trap::NullReference, Some(TrapKind::NullReference)),
    (Trap::ArrayOutOfBounds, Some(TrapKind::OutOfBoundsArrayAccess)),
    (Trap::AllocationTooLarge, Some(TrapKind::AllocationTooLarge)),
    (Trap::CastFailure, Some(TrapKind::CastFailure)),
    (Trap::CannotEnterComponent, Some(TrapKind::CannotEnterComponent)),
    (Trap::NoAsyncResult, Some(TrapKind::NoAsyncResult)),
    (Trap::UnhandledTag, Some(TrapKind::UnhandledTag)),
    (Trap::ContinuationAlreadyConsumed, Some(TrapKind::ContinuationAlreadyConsumed)),
    (Trap::DisabledOpcode, None),
    (Trap::AsyncDeadlock, Some(TrapKind::AsyncDeadlock)),
    (Trap::CannotLeaveComponent, Some(TrapKind::CannotLeaveComponent)),
    (Trap::CannotBlockSyncTask, Some(TrapKind::CannotBlockSyncTask)),
    (Trap::InvalidChar, Some(TrapKind::InvalidChar)),
    (Trap::DebugAssertStringEncodingFinished, None),
    (Trap::DebugAssertEqualCodeUnits, None),
    (Trap::DebugAssertPointerAligned, None),
    (Trap::DebugAssertUpperBitsUnset, None),
    (Trap::StringOutOfBounds, Some(TrapKind::StringOutOfBounds)),
    (Trap::ListOutOfBounds, Some(TrapKind::ListOutOfBounds)),
    (Trap::InvalidDiscriminant, Some(TrapKind::InvalidDiscriminant)),
    (Trap::UnalignedPointer, Some(TrapKind::UnalignedPointer)),
    (Trap::TaskCancelNotCancelled, Some(TrapKind::TaskCancelNotCancelled)),
    (Trap::TaskCancelOrReturnTwice, Some(TrapKind::TaskCancelOrReturnTwice)),
    (Trap::SubtaskCancelAfterTerminal, Some(TrapKind::SubtaskCancelAfterTerminal)),
    (Trap::TaskReturnInvalid, Some(TrapKind::TaskReturnInvalid)),
    (Trap::WaitableSetDropHasWaiters, Some(TrapKind::WaitableSetDropHasWaiters)),
    (Trap::SubtaskDropNotResolved, Some(TrapKind::SubtaskDropNotResolved)),
    (Trap::ThreadNewIndirectInvalidType, Some(TrapKind::ThreadStartInvalidType)),
    (Trap::ThreadNewIndirectUninitialized, Some(TrapKind::ThreadStartUninitialized)),
    (Trap::BackpressureOverflow, Some(TrapKind::BackpressureOverflow)),
    (Trap::UnsupportedCallbackCode, Some(TrapKind::UnsupportedCallbackCode)),
    (Trap::CannotResumeThread, Some(TrapKind::CannotResumeThread)),
    (Trap::ConcurrentFutureStreamOp, Some(TrapKind::CopyEndNotIdle)),
    (Trap::ReferenceCountOverflow, Some(TrapKind::ReferenceCountOverflow)),
    (Trap::StreamOpTooBig, Some(TrapKind::StreamOpTooBig)),
    (Trap::WaitableSyncAndAsync, Some(TrapKind::WaitableSyncAndAsync)),
    (Trap::UncaughtException, Some(TrapKind::UncaughtException)),
];

/// Rules wasmtime 48 enforces by failing the call with an error instead of a
/// trap code: the error's message, exactly, and the rule. A wasmtime that
/// rewords one makes the cases that expect it fail with the new message.
const ERRORS: &[(&str, TrapKind)] = &[
    (
        "cannot read from and write to intra-component future/stream with non-numeric payload",
        TrapKind::CopyWithinInstance,
    ),
    ("cannot write after being notified that the readable end dropped", TrapKind::CopyEndNotIdle),
    ("cannot read after being notified that the writable end dropped", TrapKind::CopyEndNotIdle),
    ("cannot read from future after previous read succeeded", TrapKind::CopyEndNotIdle),
    ("cannot write to future after previous write succeeded or readable end dropped", TrapKind::CopyEndNotIdle),
    // Also what wasmtime says when a busy end is passed in a call, whose
    // rule is copy-end-not-idle: one message for two rules (see
    // expectations/wasmtime.toml, traps/pass-busy-end-traps).
    ("cannot remove busy stream", TrapKind::DropEndWhileCopying),
    ("cannot drop busy stream", TrapKind::DropEndWhileCopying),
    ("cannot drop future write end without first writing a value", TrapKind::FutureWriterDroppedUnwritten),
    ("cannot lift stream while it's in a waitable set", TrapKind::TransferJoinedEnd),
    ("cannot lift future while it's in a waitable set", TrapKind::TransferJoinedEnd),
    ("borrow handles still remain at the end of the call", TrapKind::BorrowOutlivesTask),
];

/// Rule errors whose message ends in a number (the handle index): the text
/// before it and the rule.
const NUMBERED_ERRORS: &[(&str, TrapKind)] = &[("unknown handle index ", TrapKind::InvalidHandle)];

/// The rule behind a wasmtime trap; `None` for traps no case can expect
/// (see `TRAPS`) and for codes missing from the table (a unit test keeps
/// that from happening).
pub fn trap_kind(trap: Trap) -> Option<TrapKind> {
    TRAPS.iter().find(|(t, _)| *t == trap).and_then(|(_, kind)| *kind)
}

/// The trap kind behind an error, if it is a trap a case can expect: a
/// trap code (`TRAPS`), or one of the errors wasmtime reports a rule
/// violation with (`ERRORS`), anywhere in the cause chain.
pub fn error_trap_kind(error: &wasmtime::Error) -> Option<TrapKind> {
    if let Some(trap) = error.downcast_ref::<Trap>() {
        return trap_kind(*trap);
    }
    error.chain().find_map(|cause| message_kind(&cause.to_string()))
}

fn message_kind(message: &str) -> Option<TrapKind> {
    let numbered = |(prefix, kind): &(&str, TrapKind)| {
        let n = message.strip_prefix(prefix)?;
        (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then_some(*kind)
    };
    ERRORS
        .iter()
        .find(|(m, _)| *m == message)
        .map(|(_, kind)| *kind)
        .or_else(|| NUMBERED_ERRORS.iter().find_map(numbered))
}

/// The WIT `error-code` case name of a wasi:http error, in lower case
/// (as transcripts have always shown it).
pub fn http_error_code(code: &ErrorCode) -> &'static str {
    match code {
        ErrorCode::DnsTimeout => "dns-timeout",
        ErrorCode::DnsError(_) => "dns-error",
        ErrorCode::DestinationNotFound => "destination-not-found",
        ErrorCode::DestinationUnavailable => "destination-unavailable",
        ErrorCode::DestinationIpProhibited => "destination-ip-prohibited",
        ErrorCode::DestinationIpUnroutable => "destination-ip-unroutable",
        ErrorCode::ConnectionRefused => "connection-refused",
        ErrorCode::ConnectionTerminated => "connection-terminated",
        ErrorCode::ConnectionTimeout => "connection-timeout",
        ErrorCode::ConnectionReadTimeout => "connection-read-timeout",
        ErrorCode::ConnectionWriteTimeout => "connection-write-timeout",
        ErrorCode::ConnectionLimitReached => "connection-limit-reached",
        ErrorCode::TlsProtocolError => "tls-protocol-error",
        ErrorCode::TlsCertificateError => "tls-certificate-error",
        ErrorCode::TlsAlertReceived(_) => "tls-alert-received",
        ErrorCode::HttpRequestDenied => "http-request-denied",
        ErrorCode::HttpRequestLengthRequired => "http-request-length-required",
        ErrorCode::HttpRequestBodySize(_) => "http-request-body-size",
        ErrorCode::HttpRequestMethodInvalid => "http-request-method-invalid",
        ErrorCode::HttpRequestUriInvalid => "http-request-uri-invalid",
        ErrorCode::HttpRequestUriTooLong => "http-request-uri-too-long",
        ErrorCode::HttpRequestHeaderSectionSize(_) => "http-request-header-section-size",
        ErrorCode::HttpRequestHeaderSize(_) => "http-request-header-size",
        ErrorCode::HttpRequestTrailerSectionSize(_) => "http-request-trailer-section-size",
        ErrorCode::HttpRequestTrailerSize(_) => "http-request-trailer-size",
        ErrorCode::HttpResponseIncomplete => "http-response-incomplete",
        ErrorCode::HttpResponseHeaderSectionSize(_) => "http-response-header-section-size",
        ErrorCode::HttpResponseHeaderSize(_) => "http-response-header-size",
        ErrorCode::HttpResponseBodySize(_) => "http-response-body-size",
        ErrorCode::HttpResponseTrailerSectionSize(_) => "http-response-trailer-section-size",
        ErrorCode::HttpResponseTrailerSize(_) => "http-response-trailer-size",
        ErrorCode::HttpResponseTransferCoding(_) => "http-response-transfer-coding",
        ErrorCode::HttpResponseContentCoding(_) => "http-response-content-coding",
        ErrorCode::HttpResponseTimeout => "http-response-timeout",
        ErrorCode::HttpUpgradeFailed => "http-upgrade-failed",
        ErrorCode::HttpProtocolError => "http-protocol-error",
        ErrorCode::LoopDetected => "loop-detected",
        ErrorCode::ConfigurationError => "configuration-error",
        ErrorCode::InternalError(_) => "internal-error",
    }
}

/// The same name for the embedder's error type, which body streams and the
/// request side report. Its variants beyond `error-code`'s cases are the
/// host's own transport errors.
pub fn http_error(error: &HttpError) -> &'static str {
    match error {
        HttpError::DnsTimeout => "dns-timeout",
        HttpError::DnsError { .. } => "dns-error",
        HttpError::DestinationNotFound => "destination-not-found",
        HttpError::DestinationUnavailable => "destination-unavailable",
        HttpError::DestinationIpProhibited => "destination-ip-prohibited",
        HttpError::DestinationIpUnroutable => "destination-ip-unroutable",
        HttpError::ConnectionRefused => "connection-refused",
        HttpError::ConnectionTerminated => "connection-terminated",
        HttpError::ConnectionTimeout => "connection-timeout",
        HttpError::ConnectionReadTimeout => "connection-read-timeout",
        HttpError::ConnectionWriteTimeout => "connection-write-timeout",
        HttpError::ConnectionLimitReached => "connection-limit-reached",
        HttpError::TlsProtocolError => "tls-protocol-error",
        HttpError::TlsCertificateError => "tls-certificate-error",
        HttpError::TlsAlertReceived { .. } => "tls-alert-received",
        HttpError::HttpRequestDenied => "http-request-denied",
        HttpError::HttpRequestLengthRequired => "http-request-length-required",
        HttpError::HttpRequestBodySize(_) => "http-request-body-size",
        HttpError::HttpRequestMethodInvalid => "http-request-method-invalid",
        HttpError::HttpRequestUriInvalid => "http-request-uri-invalid",
        HttpError::HttpRequestUriTooLong => "http-request-uri-too-long",
        HttpError::HttpRequestHeaderSectionSize(_) => "http-request-header-section-size",
        HttpError::HttpRequestHeaderSize { .. } => "http-request-header-size",
        HttpError::HttpRequestTrailerSectionSize(_) => "http-request-trailer-section-size",
        HttpError::HttpRequestTrailerSize { .. } => "http-request-trailer-size",
        HttpError::HttpResponseIncomplete => "http-response-incomplete",
        HttpError::HttpResponseHeaderSectionSize(_) => "http-response-header-section-size",
        HttpError::HttpResponseHeaderSize { .. } => "http-response-header-size",
        HttpError::HttpResponseBodySize(_) => "http-response-body-size",
        HttpError::HttpResponseTrailerSectionSize(_) => "http-response-trailer-section-size",
        HttpError::HttpResponseTrailerSize { .. } => "http-response-trailer-size",
        HttpError::HttpResponseTransferCoding(_) => "http-response-transfer-coding",
        HttpError::HttpResponseContentCoding(_) => "http-response-content-coding",
        HttpError::HttpResponseTimeout => "http-response-timeout",
        HttpError::HttpUpgradeFailed => "http-upgrade-failed",
        HttpError::HttpProtocolError => "http-protocol-error",
        HttpError::LoopDetected => "loop-detected",
        HttpError::ConfigurationError => "configuration-error",
        HttpError::InternalError(_) => "internal-error",
        HttpError::Hyper(_) => "host-hyper-error",
        HttpError::Connect(_) => "host-connect-error",
        HttpError::Tls(_) => "host-tls-error",
        // `#[non_exhaustive]`: a variant added by an upgrade is named as
        // such, and the unit test below fails if it is an `error-code` case.
        _ => "unmapped-host-error",
    }
}

/// A short name of a component type for messages: the WIT keyword.
pub fn type_name(ty: &Type) -> &'static str {
    match ty {
        Type::Bool => "bool",
        Type::S8 => "s8",
        Type::U8 => "u8",
        Type::S16 => "s16",
        Type::U16 => "u16",
        Type::S32 => "s32",
        Type::U32 => "u32",
        Type::S64 => "s64",
        Type::U64 => "u64",
        Type::Float32 => "f32",
        Type::Float64 => "f64",
        Type::Char => "char",
        Type::String => "string",
        Type::List(_) => "list",
        Type::Map(_) => "map",
        Type::Record(_) => "record",
        Type::Tuple(_) => "tuple",
        Type::Variant(_) => "variant",
        Type::Enum(_) => "enum",
        Type::Option(_) => "option",
        Type::Result(_) => "result",
        Type::Flags(_) => "flags",
        Type::Own(_) => "own",
        Type::Borrow(_) => "borrow",
        Type::Future(_) => "future",
        Type::Stream(_) => "stream",
        Type::ErrorContext => "error-context",
        Type::FixedLengthList(_) => "fixed-length-list",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code wasmtime can report is in `TRAPS`: an upgrade that adds
    /// or renumbers one fails here, naming it.
    #[test]
    fn every_wasmtime_trap_code_is_in_the_table() {
        let codes: Vec<Trap> = (0..=u8::MAX).filter_map(Trap::from_u8).collect();
        assert!(codes.len() > 40, "wasmtime reports only {} trap codes", codes.len());
        let missing: Vec<String> =
            codes.iter().filter(|c| !TRAPS.iter().any(|(t, _)| t == *c)).map(|c| format!("{c:?} ({c})")).collect();
        assert!(missing.is_empty(), "wasmtime trap codes with no entry in host/tables.rs TRAPS: {missing:?}");
        let stale: Vec<String> =
            TRAPS.iter().filter(|(t, _)| !codes.contains(t)).map(|(t, _)| format!("{t:?}")).collect();
        assert!(stale.is_empty(), "TRAPS entries wasmtime no longer reports: {stale:?}");
    }

    #[test]
    fn no_trap_kind_is_mapped_twice() {
        let mut kinds: Vec<TrapKind> = TRAPS.iter().filter_map(|(_, k)| *k).collect();
        let all = kinds.len();
        kinds.sort();
        kinds.dedup();
        assert_eq!(kinds.len(), all, "two wasmtime traps map to one kind");
        kinds.extend(ERRORS.iter().chain(NUMBERED_ERRORS).map(|(_, k)| *k));
        // Every kind of the vocabulary is one wasmtime can report.
        let unmapped: Vec<_> = TrapKind::ALL.iter().filter(|k| !kinds.contains(k)).collect();
        assert!(unmapped.is_empty(), "trap kinds wasmtime never reports: {unmapped:?}");
    }

    #[test]
    fn rule_errors_are_found_anywhere_in_the_chain() {
        let error = wasmtime::Error::msg(ERRORS[0].0.to_string()).context("error while executing");
        assert_eq!(error_trap_kind(&error), Some(TrapKind::CopyWithinInstance));
        assert_eq!(error_trap_kind(&wasmtime::Error::msg("something else")), None);
        // Only the exact message: a longer one that mentions it is another error.
        assert_eq!(message_kind(&format!("{}!", ERRORS[0].0)), None);
    }

    /// wasmtime 48 reports a use of a freed handle as `unknown handle index
    /// N` (vm/component/handle_table.rs), not as a trap code.
    #[test]
    fn a_numbered_rule_error_needs_its_number_and_nothing_else() {
        let error = wasmtime::Error::msg("unknown handle index 3").context("error while executing");
        assert_eq!(error_trap_kind(&error), Some(TrapKind::InvalidHandle));
        for other in ["unknown handle index ", "unknown handle index 3 of 4", "unknown handle index x"] {
            assert_eq!(message_kind(other), None, "{other}");
        }
    }

    #[test]
    fn every_error_code_keeps_its_name_through_the_host_error() {
        let codes = [
            ErrorCode::DnsTimeout,
            ErrorCode::DestinationNotFound,
            ErrorCode::ConnectionRefused,
            ErrorCode::HttpRequestDenied,
            ErrorCode::HttpRequestBodySize(Some(1)),
            ErrorCode::HttpResponseIncomplete,
            ErrorCode::HttpResponseContentCoding(None),
            ErrorCode::LoopDetected,
            ErrorCode::ConfigurationError,
            ErrorCode::InternalError(Some("x".into())),
        ];
        for code in codes {
            let name = http_error_code(&code);
            assert_eq!(http_error(&HttpError::from(code)), name);
        }
    }
}
