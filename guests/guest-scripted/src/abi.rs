//! The canonical built-ins and the lowered imports, declared raw: the core
//! names wit-component links (see the notes in `wit/scripted.wit`'s guest
//! README section). wit-bindgen's async runtime is not used, because it
//! hides the event codes, cancellation and waitable sets this guest exists
//! to exercise.

#[link(wasm_import_module = "$root")]
unsafe extern "C" {
    #[link_name = "[waitable-set-new]"]
    pub fn waitable_set_new() -> u32;
    #[link_name = "[waitable-set-wait]"]
    pub fn waitable_set_wait(set: u32, payload: *mut [u32; 2]) -> u32;
    #[cfg(not(feature = "no-cancellable"))]
    #[link_name = "[cancellable][waitable-set-wait]"]
    pub fn waitable_set_wait_cancellable(set: u32, payload: *mut [u32; 2]) -> u32;
    #[link_name = "[waitable-set-poll]"]
    pub fn waitable_set_poll(set: u32, payload: *mut [u32; 2]) -> u32;
    #[cfg(not(feature = "no-cancellable"))]
    #[link_name = "[cancellable][waitable-set-poll]"]
    pub fn waitable_set_poll_cancellable(set: u32, payload: *mut [u32; 2]) -> u32;
    #[link_name = "[waitable-set-drop]"]
    pub fn waitable_set_drop(set: u32);
    #[link_name = "[waitable-join]"]
    pub fn waitable_join(waitable: u32, set: u32);
    #[link_name = "[subtask-cancel]"]
    pub fn subtask_cancel(subtask: u32) -> u32;
    #[link_name = "[subtask-drop]"]
    pub fn subtask_drop(subtask: u32);
    #[link_name = "[context-get-0]"]
    pub fn context_get() -> u32;
    #[link_name = "[context-set-0]"]
    pub fn context_set(value: u32);
    #[link_name = "[backpressure-inc]"]
    pub fn backpressure_inc();
    #[link_name = "[backpressure-dec]"]
    pub fn backpressure_dec();
    #[link_name = "[thread-yield]"]
    pub fn thread_yield() -> u32;
    #[cfg(not(feature = "no-cancellable"))]
    #[link_name = "[cancellable][thread-yield]"]
    pub fn thread_yield_cancellable() -> u32;
}

#[link(wasm_import_module = "[export]$root")]
unsafe extern "C" {
    #[link_name = "[task-cancel]"]
    pub fn task_cancel();
}

#[link(wasm_import_module = "[export]local:local/scripted")]
unsafe extern "C" {
    #[link_name = "[task-return]run"]
    pub fn task_return_run(ptr: *const u8, len: usize);
}

/// Where a lowered import writes its string result: (pointer, length).
pub type RetArea = [usize; 2];

#[link(wasm_import_module = "local:local/scripted")]
unsafe extern "C" {
    #[link_name = "[async-lower]run"]
    pub fn run_async(ptr: *const u8, len: usize, ret: *mut RetArea) -> u32;
    #[link_name = "run"]
    pub fn run_sync_lowered(ptr: *const u8, len: usize, ret: *mut RetArea);
    #[link_name = "run-sync"]
    pub fn run_sync(ptr: *const u8, len: usize, ret: *mut RetArea);
    #[link_name = "[async-lower]run-lifted-sync"]
    pub fn run_lifted_sync_async(ptr: *const u8, len: usize, ret: *mut RetArea) -> u32;
    #[link_name = "run-lifted-sync"]
    pub fn run_lifted_sync(ptr: *const u8, len: usize, ret: *mut RetArea);
}

#[link(wasm_import_module = "local:local/baz")]
unsafe extern "C" {
    #[link_name = "[async-lower]foo"]
    pub fn foo_async(ptr: *const u8, len: usize, ret: *mut RetArea) -> u32;
    #[link_name = "foo"]
    pub fn foo_sync(ptr: *const u8, len: usize, ret: *mut RetArea);
}

/// Event codes (`waitable-set.wait`/`poll`, the callback's first argument).
pub fn event_name(code: u32) -> String {
    match code {
        0 => "NONE".into(),
        1 => "SUBTASK".into(),
        2 => "STREAM_READ".into(),
        3 => "STREAM_WRITE".into(),
        4 => "FUTURE_READ".into(),
        5 => "FUTURE_WRITE".into(),
        6 => "TASK_CANCELLED".into(),
        other => format!("EVENT_{other}"),
    }
}

pub const EVENT_SUBTASK: u32 = 1;

/// Subtask states, as the async lower and SUBTASK events give them.
pub fn state_name(state: u32) -> String {
    match state {
        0 => "STARTING".into(),
        1 => "STARTED".into(),
        2 => "RETURNED".into(),
        3 => "CANCELLED_BEFORE_STARTED".into(),
        4 => "CANCELLED_BEFORE_RETURNED".into(),
        other => format!("STATE_{other}"),
    }
}

pub const RETURNED: u32 = 2;

/// Callback codes.
pub const EXIT: u32 = 0;
pub const YIELD: u32 = 1;
pub const WAIT: u32 = 2;

/// Take ownership of a string the canonical ABI wrote into this module's
/// memory through `cabi_realloc` (align 1, exact length).
///
/// # Safety
/// `area` holds a pointer and length written by a lift into this memory,
/// not taken before.
pub unsafe fn take_string(area: &RetArea) -> String {
    let [ptr, len] = *area;
    if len == 0 {
        return String::new();
    }
    let bytes = unsafe { Vec::from_raw_parts(ptr as *mut u8, len, len) };
    String::from_utf8(bytes).unwrap_or_else(|e| format!("<not UTF-8: {e}>"))
}

/// Stream and future built-ins, once for each side: ends this instance made
/// with `stream.new`/`future.new` (typed by the import's function) and ends
/// it was given as a parameter (typed by the export's function).
macro_rules! copy_builtins {
    ($module:literal, $mod_name:ident) => {
        #[allow(dead_code, reason = "ends are made only through the import's built-ins")]
        pub mod $mod_name {
            #[link(wasm_import_module = $module)]
            unsafe extern "C" {
                #[link_name = "[stream-new-0]run-with-stream"]
                pub fn stream_new() -> u64;
                #[link_name = "[async-lower][stream-read-0]run-with-stream"]
                pub fn stream_read(end: u32, ptr: *mut u8, n: usize) -> u32;
                #[link_name = "[async-lower][stream-write-0]run-with-stream"]
                pub fn stream_write(end: u32, ptr: *const u8, n: usize) -> u32;
                #[link_name = "[stream-cancel-read-0]run-with-stream"]
                pub fn stream_cancel_read(end: u32) -> u32;
                #[link_name = "[stream-cancel-write-0]run-with-stream"]
                pub fn stream_cancel_write(end: u32) -> u32;
                #[link_name = "[stream-drop-readable-0]run-with-stream"]
                pub fn stream_drop_readable(end: u32);
                #[link_name = "[stream-drop-writable-0]run-with-stream"]
                pub fn stream_drop_writable(end: u32);
                #[link_name = "[future-new-0]run-with-future"]
                pub fn future_new() -> u64;
                #[link_name = "[async-lower][future-read-0]run-with-future"]
                pub fn future_read(end: u32, ptr: *mut super::RetArea) -> u32;
                #[link_name = "[async-lower][future-write-0]run-with-future"]
                pub fn future_write(end: u32, ptr: *const super::RetArea) -> u32;
                #[link_name = "[future-cancel-read-0]run-with-future"]
                pub fn future_cancel_read(end: u32) -> u32;
                #[link_name = "[future-cancel-write-0]run-with-future"]
                pub fn future_cancel_write(end: u32) -> u32;
                #[link_name = "[future-drop-readable-0]run-with-future"]
                pub fn future_drop_readable(end: u32);
                #[link_name = "[future-drop-writable-0]run-with-future"]
                pub fn future_drop_writable(end: u32);
            }
        }
    };
}

copy_builtins!("local:local/scripted", made);
copy_builtins!("[export]local:local/scripted", given);

#[link(wasm_import_module = "local:local/scripted")]
unsafe extern "C" {
    #[link_name = "[async-lower]run-with-stream"]
    pub fn run_with_stream_async(ptr: *const u8, len: usize, end: u32, ret: *mut RetArea) -> u32;
    #[link_name = "run-with-stream"]
    pub fn run_with_stream_sync(ptr: *const u8, len: usize, end: u32, ret: *mut RetArea);
    #[link_name = "[async-lower]run-with-future"]
    pub fn run_with_future_async(ptr: *const u8, len: usize, end: u32, ret: *mut RetArea) -> u32;
    #[link_name = "run-with-future"]
    pub fn run_with_future_sync(ptr: *const u8, len: usize, end: u32, ret: *mut RetArea);
}

#[link(wasm_import_module = "[export]local:local/scripted")]
unsafe extern "C" {
    #[link_name = "[task-return]run-with-stream"]
    pub fn task_return_run_with_stream(ptr: *const u8, len: usize);
    #[link_name = "[task-return]run-with-future"]
    pub fn task_return_run_with_future(ptr: *const u8, len: usize);
}

/// Copy results (stream and future reads and writes, cancels).
pub const BLOCKED: u32 = 0xffff_ffff;

pub fn copy_result(code: u32) -> String {
    if code == BLOCKED {
        return "BLOCKED".into();
    }
    let kind = match code & 0xf {
        0 => "COMPLETED".to_string(),
        1 => "DROPPED".to_string(),
        2 => "CANCELLED".to_string(),
        other => format!("RESULT_{other}"),
    };
    format!("{kind} {}", code >> 4)
}

// Sync lowers: the one flat result, the readable end, comes back directly.
#[link(wasm_import_module = "local:local/host-ends")]
unsafe extern "C" {
    #[link_name = "stream-of"]
    pub fn stream_of(ptr: *const u8, len: usize) -> u32;
    #[link_name = "future-of"]
    pub fn future_of(ptr: *const u8, len: usize) -> u32;
}
