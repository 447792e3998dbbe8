//! Sync export that lowers the import asynchronously and blocks on it
//! (`waitable-set.wait` under `block_on`).

wit_bindgen::generate!({
    path: "../../wit",
    world: "round-trip",
    async: ["-export:local:local/baz#foo"],
});

use local::local::baz;

struct Guest;

impl exports::local::local::baz::Guest for Guest {
    fn foo(s: String) -> String {
        let inner = wit_bindgen::block_on(baz::foo(format!("{s} - entered guest")));
        format!("{inner} - exited guest")
    }
}

export!(Guest);
