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

#[link(wasm_import_module = "local:local/scripted-stackful")]
unsafe extern "C" {
    #[link_name = "[async-lower]run"]
    fn run_stackful_async(ptr: *const u8, len: usize, ret: *mut abi::RetArea) -> u32;
    #[link_name = "run"]
    fn run_stackful_sync(ptr: *const u8, len: usize, ret: *mut abi::RetArea);
}

#[link(wasm_import_module = "[export]local:local/scripted-stackful")]
unsafe extern "C" {
    #[link_name = "[task-return]run"]
    pub fn task_return_stackful(ptr: *const u8, len: usize);
}

/// The stackful entry: the whole script runs in this one call, blocking
/// where it waits; `return` is `task.return`, and the entry returns when the
/// script ends.
#[unsafe(export_name = "[async-lift-stackful]local:local/scripted-stackful#run")]
unsafe extern "C" fn run_stackful_entry(ptr: *mut u8, len: usize) {
    let bundle = unsafe { crate::argument(ptr, len) };
    let initial = unsafe { abi::context_get() };
    let mut task = Task::new(bundle, crate::task::Lift::Stackful, crate::task::Export::Stackful, initial);
    task.run();
}

impl Task {
    /// The gated steps; `None` when `op` is not one.
    pub(crate) fn more_step(&mut self, op: &str, args: &[String]) -> Option<()> {
        let arg = |i: usize| args.get(i).map_or("", String::as_str);
        match op {
            "call-async-stackful" => {
                let bytes = self.argument("run", arg(0));
                let mut ret = Box::new([0usize; 2]);
                // SAFETY: `bytes` and `ret` live in `pending` until the subtask ends.
                let code = unsafe { run_stackful_async(bytes.as_ptr(), bytes.len(), &mut *ret) };
                self.started(code, bytes, ret, &format!("call-async-stackful run({})", arg(0)), arg(2));
            }
            "call-sync-stackful" => {
                let bytes = self.argument("run", arg(0));
                let mut ret: abi::RetArea = [0, 0];
                // SAFETY: a sync call reads its argument and writes its result before it returns.
                let result = unsafe {
                    run_stackful_sync(bytes.as_ptr(), bytes.len(), &mut ret);
                    abi::take_string(&ret)
                };
                self.record(&format!("call-sync-stackful run({}) -> {result:?}", arg(0)));
            }
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
