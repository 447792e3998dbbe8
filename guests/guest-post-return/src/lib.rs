//! `local:local/post-return`, lifted synchronously with hand-written
//! canonical-ABI exports: wit-bindgen generates the post-return function
//! itself (it only frees memory), and this guest needs one that does
//! observable work: storing the value it returned.

// Only for the world's type information; the exports are below.
wit_bindgen::generate!({ path: "../../wit", world: "post-return-callee" });

use std::cell::RefCell;

thread_local! {
    static STORED: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Where a string result is returned: (pointer, length), as the canonical
/// ABI lays it out for wasm32.
#[repr(C)]
struct RetArea {
    ptr: *mut u8,
    len: usize,
}

static mut RET: RetArea = RetArea { ptr: std::ptr::null_mut(), len: 0 };

/// Hand `s` to the caller through the return area; its memory is reclaimed
/// by the matching post-return function.
fn give(s: String) -> *mut RetArea {
    let bytes = s.into_bytes().into_boxed_slice();
    let len = bytes.len();
    let ptr = Box::into_raw(bytes) as *mut u8;
    // SAFETY: exports run one at a time (sync lift, single thread), and the
    // area is read by the caller before the next export call.
    unsafe {
        RET = RetArea { ptr, len };
        &raw mut RET
    }
}

/// Take back a string handed out by `give`.
///
/// SAFETY: `ret` must be the area `give` returned, not taken back yet.
unsafe fn take(ret: *mut RetArea) -> String {
    unsafe {
        let RetArea { ptr, len } = std::ptr::read(ret);
        let bytes = Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len));
        String::from_utf8(bytes.into_vec()).expect("we wrote UTF-8")
    }
}

/// `foo(s) -> s`. The argument was written into memory from `cabi_realloc`
/// (align 1, exact size), which is how `String` can own it.
#[unsafe(export_name = "local:local/post-return#foo")]
unsafe extern "C" fn foo(ptr: *mut u8, len: usize) -> *mut RetArea {
    let s = unsafe { String::from_raw_parts(ptr, len, len) };
    give(s)
}

/// Runs after the caller has copied `foo`'s result: keeps it, observably.
#[unsafe(export_name = "cabi_post_local:local/post-return#foo")]
unsafe extern "C" fn foo_post_return(ret: *mut RetArea) {
    let s = unsafe { take(ret) };
    STORED.with(|stored| *stored.borrow_mut() = s);
}

#[unsafe(export_name = "local:local/post-return#get-post-return-value")]
unsafe extern "C" fn get_post_return_value() -> *mut RetArea {
    give(STORED.with(|stored| stored.borrow().clone()))
}

#[unsafe(export_name = "cabi_post_local:local/post-return#get-post-return-value")]
unsafe extern "C" fn get_post_return_value_post_return(ret: *mut RetArea) {
    drop(unsafe { take(ret) });
}
