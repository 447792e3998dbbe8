//! Steps on the built-ins wasmtime 48 gates behind
//! `wasm_component_model_more_async_builtins`: only in `guest-scripted-more`
//! (the `more` feature), whose cases turn the flag on.

use crate::abi;
use crate::task::Task;

#[link(wasm_import_module = "$root")]
unsafe extern "C" {
    #[link_name = "[async-lower][subtask-cancel]"]
    fn subtask_cancel_async(subtask: u32) -> u32;
}

// Typed by the export's function, while the async forms in `abi` are typed
// by the import's: wit-component (0.245, in Rust 1.95's linker) keeps one
// canonical function per built-in and type, so a sync and an async form of
// one copy built-in on one type would become the same function.
#[link(wasm_import_module = "[export]local:local/scripted")]
unsafe extern "C" {
    #[link_name = "[stream-read-0]run-with-stream"]
    fn stream_read_sync(end: u32, ptr: *mut u8, n: usize) -> u32;
    #[link_name = "[stream-write-0]run-with-stream"]
    fn stream_write_sync(end: u32, ptr: *const u8, n: usize) -> u32;
    #[link_name = "[async-lower][stream-cancel-read-0]run-with-stream"]
    fn stream_cancel_read_async(end: u32) -> u32;
    #[link_name = "[async-lower][stream-cancel-write-0]run-with-stream"]
    fn stream_cancel_write_async(end: u32) -> u32;
}

impl Task {
    /// The gated steps; `None` when `op` is not one.
    pub(crate) fn more_step(&mut self, op: &str, args: &[String]) -> Option<()> {
        let arg = |i: usize| args.get(i).map_or("", String::as_str);
        match op {
            "cancel-async" => {
                let subtask = self.handle(arg(0));
                // SAFETY: takes a handle only.
                let code = unsafe { subtask_cancel_async(subtask) };
                let shown = if code == abi::BLOCKED { "BLOCKED".to_string() } else { self.settle(subtask, code) };
                self.record(&format!("cancel-async {} -> {shown}", arg(0)));
            }
            "stream-write-sync" => {
                let end = self.handle(arg(0));
                let bytes = arg(1).as_bytes().to_vec();
                // SAFETY: a sync write is done with the buffer when it returns.
                let code = unsafe { stream_write_sync(end, bytes.as_ptr(), bytes.len()) };
                self.record(&format!("stream-write-sync {} '{}' -> {}", arg(0), arg(1), abi::copy_result(code)));
            }
            "stream-read-sync" => {
                let end = self.handle(arg(0));
                let n: usize = arg(1).parse().unwrap_or_else(|_| self.fail("a count"));
                let mut bytes = vec![0u8; n];
                // SAFETY: a sync read is done with the buffer when it returns.
                let code = unsafe { stream_read_sync(end, bytes.as_mut_ptr(), n) };
                let count = ((code >> 4) as usize).min(n);
                let data = String::from_utf8_lossy(&bytes[..count]).into_owned();
                self.record(&format!("stream-read-sync {} {n} -> {} {data:?}", arg(0), abi::copy_result(code)));
            }
            "stream-cancel-read-async" | "stream-cancel-write-async" => {
                let end = self.handle(arg(0));
                // SAFETY: takes a handle only.
                let code = unsafe {
                    if op == "stream-cancel-read-async" {
                        stream_cancel_read_async(end)
                    } else {
                        stream_cancel_write_async(end)
                    }
                };
                let shown = self.finish_copy(end, code);
                self.record(&format!("{op} {} -> {shown}", arg(0)));
            }
            _ => return None,
        }
        Some(())
    }
}
