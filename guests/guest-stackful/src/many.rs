//! `many#foo` lifted stackful, written on the raw ABI: its 15 flat
//! parameters arrive flat (MAX_FLAT_PARAMS is 16), the async lower of the
//! import passes them through memory (more than MAX_FLAT_ASYNC_PARAMS = 4)
//! and gets the result through a pointer, and `task.return` takes the 15
//! flat result values.
//!
//! The parameter tuple's layout in memory (CanonicalABI.md: each field at its
//! alignment, the tuple aligned to its widest field, 8):
//! a: string 0, b: u32 8, c: list<u8> 12, d: tuple<u64, u64> 24,
//! e: point 40, f: option<string> 48 (tag, then the string at 52),
//! g: result<string, string> 60 (tag, then the string at 64); 72 bytes.

use crate::{RetArea, wait_for};

#[link(wasm_import_module = "local:local/many")]
unsafe extern "C" {
    #[link_name = "[async-lower]foo"]
    fn foo_async(params: *const u8, ret: *mut u8) -> u32;
}

#[link(wasm_import_module = "[export]local:local/many")]
unsafe extern "C" {
    #[link_name = "[task-return]foo"]
    #[allow(clippy::too_many_arguments)]
    fn task_return_foo(
        a_ptr: *const u8,
        a_len: usize,
        b: u32,
        c_ptr: *const u8,
        c_len: usize,
        d0: u64,
        d1: u64,
        ex: u32,
        ey: u32,
        f_tag: u32,
        f_ptr: *const u8,
        f_len: usize,
        g_tag: u32,
        g_ptr: *const u8,
        g_len: usize,
    );
}

/// The tuple laid out as the Canonical ABI lays it out in memory.
#[repr(C, align(8))]
#[derive(Default)]
struct Tuple {
    a: RetArea,
    b: u32,
    c: RetArea,
    d: [u64; 2],
    e: [u32; 2],
    f: (u32, RetArea),
    g: (u32, RetArea),
}

const _: () = assert!(size_of::<Tuple>() == 72);

/// # Safety
/// Called by the canonical ABI with the flat parameters of `many#foo`, the
/// strings and list allocated by `cabi_realloc` in this memory.
#[unsafe(export_name = "[async-lift-stackful]local:local/many#foo")]
#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn foo(
    a_ptr: *mut u8,
    a_len: usize,
    b: u32,
    c_ptr: *mut u8,
    c_len: usize,
    d0: u64,
    d1: u64,
    ex: u32,
    ey: u32,
    f_tag: u32,
    f_ptr: *mut u8,
    f_len: usize,
    g_tag: u32,
    g_ptr: *mut u8,
    g_len: usize,
) {
    let a = unsafe { crate::owned(a_ptr, a_len) };
    let a = format!("{a} - entered guest");
    let params = Tuple {
        a: [a.as_ptr() as usize, a.len()],
        b,
        c: [c_ptr as usize, c_len],
        d: [d0, d1],
        e: [ex, ey],
        f: (f_tag, [f_ptr as usize, f_len]),
        g: (g_tag, [g_ptr as usize, g_len]),
    };
    let mut result = Tuple::default();
    // SAFETY: `params` (and what it points to) and `result` live until the
    // subtask returned: `wait_for` blocks until then.
    let code = unsafe { foo_async((&raw const params).cast(), (&raw mut result).cast()) };
    unsafe { wait_for(code) };
    // The result's strings and list were allocated in this memory by the
    // lowering; ours (the parameters) are freed when they go out of scope.
    let inner = unsafe { crate::owned(result.a[0] as *mut u8, result.a[1]) };
    let out = format!("{inner} - exited guest");
    unsafe {
        task_return_foo(
            out.as_ptr(),
            out.len(),
            result.b,
            result.c[0] as *const u8,
            result.c[1],
            result.d[0],
            result.d[1],
            result.e[0],
            result.e[1],
            result.f.0,
            result.f.1[0] as *const u8,
            result.f.1[1],
            result.g.0,
            result.g.1[0] as *const u8,
            result.g.1[1],
        );
    }
}
