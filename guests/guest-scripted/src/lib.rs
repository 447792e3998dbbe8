//! The scripted guest: `local:local/scripted`, whose behaviour is a script
//! from the case (see the README's "The scripted guest"), run on the raw
//! canonical built-ins. `run` is lifted async with a callback, `run-sync`
//! sync; both run the script the bundle names.

// Only for the world's type information, `cabi_realloc` and the typed
// `transcript.record` import; the exports are written by hand below.
#[cfg(not(feature = "more"))]
wit_bindgen::generate!({ path: "../../wit", world: "scripted-guest" });
#[cfg(feature = "more")]
wit_bindgen::generate!({ path: "../../wit", world: "scripted-guest-more" });

mod abi;
#[cfg(feature = "more")]
mod more;
mod script;
mod streams;
mod task;

use task::{Export, Lift, Task};

/// The argument string, which the caller's lowering allocated with
/// `cabi_realloc` (align 1, exact length).
///
/// # Safety
/// `ptr`/`len` are an argument string handed to an export.
pub(crate) unsafe fn argument(ptr: *mut u8, len: usize) -> String {
    if len == 0 {
        return String::new();
    }
    unsafe { String::from_raw_parts(ptr, len, len) }
}

/// The async entry: start the script; keep its state in context slot 0
/// across callbacks.
#[unsafe(export_name = "[async-lift]local:local/scripted#run")]
unsafe extern "C" fn run_entry(ptr: *mut u8, len: usize) -> u32 {
    let bundle = unsafe { argument(ptr, len) };
    let initial = unsafe { abi::context_get() };
    let task = Box::into_raw(Box::new(Task::new(bundle, Lift::Callback, Export::Run, initial)));
    unsafe { abi::context_set(task as u32) };
    unsafe { resume(task) }
}

#[unsafe(export_name = "[callback][async-lift]local:local/scripted#run")]
unsafe extern "C" fn run_callback(event: u32, p1: u32, p2: u32) -> u32 {
    unsafe { callback(event, p1, p2) }
}

/// The async entries that take a readable end: the script calls it `input`.
#[unsafe(export_name = "[async-lift]local:local/scripted#run-with-stream")]
unsafe extern "C" fn run_with_stream_entry(ptr: *mut u8, len: usize, end: u32) -> u32 {
    unsafe { start_with(ptr, len, end, Export::RunWithStream) }
}

#[unsafe(export_name = "[callback][async-lift]local:local/scripted#run-with-stream")]
unsafe extern "C" fn run_with_stream_callback(event: u32, p1: u32, p2: u32) -> u32 {
    unsafe { callback(event, p1, p2) }
}

#[unsafe(export_name = "[async-lift]local:local/scripted#run-with-future")]
unsafe extern "C" fn run_with_future_entry(ptr: *mut u8, len: usize, end: u32) -> u32 {
    unsafe { start_with(ptr, len, end, Export::RunWithFuture) }
}

#[unsafe(export_name = "[callback][async-lift]local:local/scripted#run-with-future")]
unsafe extern "C" fn run_with_future_callback(event: u32, p1: u32, p2: u32) -> u32 {
    unsafe { callback(event, p1, p2) }
}

/// # Safety
/// The arguments of an async entry that was given a readable end.
unsafe fn start_with(ptr: *mut u8, len: usize, end: u32, export: Export) -> u32 {
    let bundle = unsafe { argument(ptr, len) };
    let initial = unsafe { abi::context_get() };
    let mut task = Box::new(Task::new(bundle, Lift::Callback, export, initial));
    task.given(end);
    let task = Box::into_raw(task);
    unsafe { abi::context_set(task as u32) };
    unsafe { resume(task) }
}

/// # Safety
/// Called as a callback, with context slot 0 holding the running task.
unsafe fn callback(event: u32, p1: u32, p2: u32) -> u32 {
    let task = unsafe { abi::context_get() } as *mut Task;
    unsafe { (*task).callback(event, p1, p2) };
    unsafe { resume(task) }
}

/// Run the script on; when it ends, free its state and exit.
///
/// # Safety
/// `task` came from `Box::into_raw` and is not freed yet.
unsafe fn resume(task: *mut Task) -> u32 {
    match unsafe { (*task).run() } {
        Some(code) if code != abi::EXIT => code,
        _ => {
            drop(unsafe { Box::from_raw(task) });
            abi::EXIT
        }
    }
}

static mut RET: abi::RetArea = [0, 0];

/// The sync entries: the script runs to its end, then its `return` value is
/// the result ("" without one). `run-lifted-sync` is typed async, so its
/// script may block.
#[unsafe(export_name = "local:local/scripted#run-sync")]
unsafe extern "C" fn run_sync_entry(ptr: *mut u8, len: usize) -> *mut abi::RetArea {
    unsafe { run_to_end(ptr, len) }
}

#[unsafe(export_name = "local:local/scripted#run-lifted-sync")]
unsafe extern "C" fn run_lifted_sync_entry(ptr: *mut u8, len: usize) -> *mut abi::RetArea {
    unsafe { run_to_end(ptr, len) }
}

#[unsafe(export_name = "cabi_post_local:local/scripted#run-lifted-sync")]
unsafe extern "C" fn run_lifted_sync_post_return(ret: *mut abi::RetArea) {
    unsafe { run_sync_post_return(ret) }
}

/// # Safety
/// The arguments of a sync entry.
unsafe fn run_to_end(ptr: *mut u8, len: usize) -> *mut abi::RetArea {
    let bundle = unsafe { argument(ptr, len) };
    let initial = unsafe { abi::context_get() };
    let mut task = Task::new(bundle, Lift::Sync, Export::Run, initial);
    task.run();
    let result = task.result.take().unwrap_or_default().into_bytes().into_boxed_slice();
    let len = result.len();
    let ptr = Box::into_raw(result) as *mut u8;
    // SAFETY: a sync-lifted task holds the instance's lock until it returns,
    // so these entries run one at a time, and the caller reads the area
    // before post-return frees what it points to.
    unsafe {
        RET = [ptr as usize, len];
        &raw mut RET
    }
}

#[unsafe(export_name = "cabi_post_local:local/scripted#run-sync")]
unsafe extern "C" fn run_sync_post_return(ret: *mut abi::RetArea) {
    let [ptr, len] = unsafe { *ret };
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr as *mut u8, len)) });
}
