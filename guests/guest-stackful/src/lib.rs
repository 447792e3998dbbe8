//! The demo's `baz#foo` lifted async *without* a callback (a stackful lift):
//! it appends ` - entered guest`, calls its import through an async lower,
//! blocks in `waitable-set.wait` until the subtask returns, and hands back
//! the result with ` - exited guest` through `task.return`. wit-bindgen only
//! generates callback lifts, so the export is written against the raw
//! built-ins (see `guest-scripted` for the names).

// Only the world's type information and `cabi_realloc`; no `export!`.
wit_bindgen::generate!({ path: "../../wit", world: "stackful-round-trip" });

mod many;

type RetArea = [usize; 2];

#[link(wasm_import_module = "$root")]
unsafe extern "C" {
    #[link_name = "[waitable-set-new]"]
    fn waitable_set_new() -> u32;
    #[link_name = "[waitable-set-wait]"]
    fn waitable_set_wait(set: u32, payload: *mut [u32; 2]) -> u32;
    #[link_name = "[waitable-set-drop]"]
    fn waitable_set_drop(set: u32);
    #[link_name = "[waitable-join]"]
    fn waitable_join(waitable: u32, set: u32);
    #[link_name = "[subtask-drop]"]
    fn subtask_drop(subtask: u32);
}

#[link(wasm_import_module = "local:local/baz")]
unsafe extern "C" {
    #[link_name = "[async-lower]foo"]
    fn foo_async(ptr: *const u8, len: usize, ret: *mut RetArea) -> u32;
}

#[link(wasm_import_module = "[export]local:local/baz")]
unsafe extern "C" {
    #[link_name = "[task-return]foo"]
    fn task_return_foo(ptr: *const u8, len: usize);
}

const EVENT_SUBTASK: u32 = 1;
const RETURNED: u32 = 2;

/// Take ownership of a string the canonical ABI allocated in this memory
/// through `cabi_realloc` (align 1, exact length).
///
/// # Safety
/// `ptr`/`len` are such a string, not taken before.
unsafe fn owned(ptr: *mut u8, len: usize) -> String {
    if len == 0 { String::new() } else { unsafe { String::from_raw_parts(ptr, len, len) } }
}

/// Block until the subtask an async lower returned (`code`) has returned.
///
/// # Safety
/// `code` is what an async lower just returned.
unsafe fn wait_for(code: u32) {
    let (mut state, subtask) = (code & 0xf, code >> 4);
    if state == RETURNED {
        return;
    }
    unsafe {
        let set = waitable_set_new();
        waitable_join(subtask, set);
        while state != RETURNED {
            let mut payload = [0u32; 2];
            let event = waitable_set_wait(set, &mut payload);
            if event == EVENT_SUBTASK && payload[0] == subtask {
                state = payload[1];
            }
        }
        waitable_join(subtask, 0);
        subtask_drop(subtask);
        waitable_set_drop(set);
    }
}

/// # Safety
/// The canonical ABI calls this with a string it allocated through
/// `cabi_realloc` (align 1, exact length).
#[unsafe(export_name = "[async-lift-stackful]local:local/baz#foo")]
unsafe extern "C" fn foo(ptr: *mut u8, len: usize) {
    let arg = format!("{} - entered guest", unsafe { owned(ptr, len) });
    let mut ret: RetArea = [0, 0];
    // SAFETY: `arg` and `ret` outlive the subtask: `wait_for` blocks until it returned.
    let code = unsafe { foo_async(arg.as_ptr(), arg.len(), &mut ret) };
    unsafe { wait_for(code) };
    let out = format!("{} - exited guest", unsafe { owned(ret[0] as *mut u8, ret[1]) });
    unsafe { task_return_foo(out.as_ptr(), out.len()) };
}
