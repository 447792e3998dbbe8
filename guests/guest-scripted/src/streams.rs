//! Steps on streams (`stream<u8>`, written and read as text) and futures
//! (`future<string>`), and calls that pass a readable end along.

use crate::abi::{self, RetArea, given, made};
use crate::task::{Copy, Pending, Task, handles};

/// The built-ins for an end: the export's for ends this instance was given,
/// the import's for ends it made.
fn is_given(end: u32) -> bool {
    handles(|h| h.given.contains(&end))
}

/// A copy's result: `code` unless it is BLOCKED, else the result its event
/// brings, waited for in a set of its own (a host end may or may not finish
/// a copy at once, Concurrency.md "Determinism").
fn await_copy(end: u32, code: u32) -> u32 {
    if code != abi::BLOCKED {
        return code;
    }
    let mut payload = [0u32; 2];
    // SAFETY: `payload` is the 8 bytes the wait writes; the rest take handles.
    unsafe {
        let set = abi::waitable_set_new();
        abi::waitable_join(end, set);
        abi::waitable_set_wait(set, &mut payload);
        abi::waitable_join(end, 0);
        abi::waitable_set_drop(set);
    }
    payload[1]
}

impl Task {
    /// `stream-*`, `future-*` and `call-*-with-*` steps; `args` are the
    /// step's words after the operation.
    pub(crate) fn copy_step(&mut self, op: &str, args: &[String]) {
        let arg = |i: usize| args.get(i).map_or("", String::as_str);
        match op {
            "stream-from-host" | "future-from-host" => {
                let text = arg(0).as_bytes();
                // SAFETY: a sync call reads its argument before it returns.
                let end = unsafe {
                    if op == "stream-from-host" {
                        abi::stream_of(text.as_ptr(), text.len())
                    } else {
                        abi::future_of(text.as_ptr(), text.len())
                    }
                };
                self.name(arg(1), end);
            }
            "stream-new" | "future-new" => {
                // SAFETY: built-ins without memory arguments.
                let pair = unsafe { if op == "stream-new" { made::stream_new() } else { made::future_new() } };
                self.name(arg(0), pair as u32);
                self.name(arg(1), (pair >> 32) as u32);
            }
            "stream-write" | "future-write" | "stream-write-await" | "future-write-await" => {
                let end = self.handle(arg(0));
                let bytes = arg(1).as_bytes().to_vec();
                let area = Box::new([bytes.as_ptr() as usize, bytes.len()]);
                let future = op.starts_with("future");
                // SAFETY: `bytes` and `area` stay in `copies` until the copy ends.
                let code = unsafe {
                    match (future, is_given(end)) {
                        (false, true) => given::stream_write(end, bytes.as_ptr(), bytes.len()),
                        (false, false) => made::stream_write(end, bytes.as_ptr(), bytes.len()),
                        (true, true) => given::future_write(end, &*area),
                        (true, false) => made::future_write(end, &*area),
                    }
                };
                handles(|h| h.copies.push(Copy { end, bytes, area, read: false, future }));
                let code = if op.ends_with("-await") { await_copy(end, code) } else { code };
                let shown = self.finish_copy(end, code);
                self.record(&format!("{op} {} '{}' -> {shown}", arg(0), arg(1)));
            }
            "stream-read" | "future-read" | "stream-read-await" | "future-read-await" => {
                let end = self.handle(arg(0));
                let future = op.starts_with("future");
                let capacity: usize = if future { 0 } else { arg(1).parse().unwrap_or_else(|_| self.fail("a count")) };
                let mut bytes = vec![0u8; capacity];
                let mut area = Box::new([0usize; 2]);
                // SAFETY: `bytes` and `area` stay in `copies` until the copy ends.
                let code = unsafe {
                    match (future, is_given(end)) {
                        (false, true) => given::stream_read(end, bytes.as_mut_ptr(), capacity),
                        (false, false) => made::stream_read(end, bytes.as_mut_ptr(), capacity),
                        (true, true) => given::future_read(end, &mut *area),
                        (true, false) => made::future_read(end, &mut *area),
                    }
                };
                handles(|h| h.copies.push(Copy { end, bytes, area, read: true, future }));
                let code = if op.ends_with("-await") { await_copy(end, code) } else { code };
                let shown = self.finish_copy(end, code);
                let what = if future { arg(0).to_string() } else { format!("{} {}", arg(0), arg(1)) };
                self.record(&format!("{op} {what} -> {shown}"));
            }
            "stream-cancel-read" | "stream-cancel-write" | "future-cancel-read" | "future-cancel-write" => {
                let end = self.handle(arg(0));
                let g = is_given(end);
                // SAFETY: the sync cancels take a handle only.
                let code = unsafe {
                    match (op, g) {
                        ("stream-cancel-read", true) => given::stream_cancel_read(end),
                        ("stream-cancel-read", false) => made::stream_cancel_read(end),
                        ("stream-cancel-write", true) => given::stream_cancel_write(end),
                        ("stream-cancel-write", false) => made::stream_cancel_write(end),
                        ("future-cancel-read", true) => given::future_cancel_read(end),
                        ("future-cancel-read", false) => made::future_cancel_read(end),
                        ("future-cancel-write", true) => given::future_cancel_write(end),
                        _ => made::future_cancel_write(end),
                    }
                };
                let shown = self.finish_copy(end, code);
                self.record(&format!("{op} {} -> {shown}", arg(0)));
            }
            "stream-drop-readable" | "stream-drop-writable" | "future-drop-readable" | "future-drop-writable" => {
                let end = self.handle(arg(0));
                let g = is_given(end);
                // SAFETY: the drops take a handle only.
                unsafe {
                    match (op, g) {
                        ("stream-drop-readable", true) => given::stream_drop_readable(end),
                        ("stream-drop-readable", false) => made::stream_drop_readable(end),
                        ("stream-drop-writable", true) => given::stream_drop_writable(end),
                        ("stream-drop-writable", false) => made::stream_drop_writable(end),
                        ("future-drop-readable", true) => given::future_drop_readable(end),
                        ("future-drop-readable", false) => made::future_drop_readable(end),
                        ("future-drop-writable", true) => given::future_drop_writable(end),
                        _ => made::future_drop_writable(end),
                    }
                }
            }
            "call-async-with-stream" | "call-async-with-future" => self.call_with(op, arg(0), arg(1), Some(arg(3))),
            "call-sync-with-stream" | "call-sync-with-future" => self.call_with(op, arg(0), arg(1), None),
            other => self.fail(&format!("unknown step `{other}` (gated steps need guest-scripted-more)")),
        }
    }

    /// A copy's result as the transcript shows it (`COMPLETED 2 "ab"`); a
    /// copy that ended gives its buffer back.
    pub(crate) fn finish_copy(&mut self, end: u32, code: u32) -> String {
        let mut shown = abi::copy_result(code);
        if code == abi::BLOCKED {
            return shown;
        }
        let done = handles(|h| h.copies.iter().position(|c| c.end == end).map(|i| h.copies.remove(i)));
        let Some(done) = done else { return shown };
        let count = (code >> 4) as usize;
        if done.read && done.future && code & 0xf == 0 {
            // SAFETY: a completed future read wrote its string through `area`.
            let value = unsafe { abi::take_string(&done.area) };
            shown.push_str(&format!(" {value:?}"));
        } else if done.read && !done.future {
            let data = String::from_utf8_lossy(&done.bytes[..count.min(done.bytes.len())]);
            shown.push_str(&format!(" {data:?}"));
        }
        shown
    }

    /// Call `run-with-stream`/`run-with-future`, passing a readable end.
    fn call_with(&mut self, op: &str, script: &str, end_name: &str, as_name: Option<&str>) {
        let end = self.handle(end_name);
        let bytes = self.argument("run", script);
        let mut ret = Box::new([0usize; 2]);
        let stream = op.ends_with("stream");
        let function = if stream { "run-with-stream" } else { "run-with-future" };
        match as_name {
            Some(name) => {
                // SAFETY: `bytes` and `ret` live in `pending` until the subtask ends.
                let code = unsafe {
                    if stream {
                        abi::run_with_stream_async(bytes.as_ptr(), bytes.len(), end, &mut *ret)
                    } else {
                        abi::run_with_future_async(bytes.as_ptr(), bytes.len(), end, &mut *ret)
                    }
                };
                let (state, handle) = (code & 0xf, code >> 4);
                if handle != 0 {
                    self.name(name, handle);
                }
                handles(|h| h.pending.push(Pending { handle, _arg: bytes, ret }));
                let shown = self.settle(handle, state);
                self.record(&format!("call-async {function}({script}, {end_name}) -> {shown}"));
            }
            None => {
                let mut area: RetArea = [0, 0];
                // SAFETY: a sync call reads its arguments and writes its result before it returns.
                let result = unsafe {
                    if stream {
                        abi::run_with_stream_sync(bytes.as_ptr(), bytes.len(), end, &mut area);
                    } else {
                        abi::run_with_future_sync(bytes.as_ptr(), bytes.len(), end, &mut area);
                    }
                    abi::take_string(&area)
                };
                self.record(&format!("call-sync {function}({script}, {end_name}) -> {result:?}"));
            }
        }
    }
}
