//! Async export whose import is lowered synchronously: the task blocks inside
//! the import, so the instance cannot take another call meanwhile.

wit_bindgen::generate!({
    path: "../../wit",
    world: "round-trip",
    async: ["-import:local:local/baz#foo"],
});

use local::local::baz;

struct Guest;

impl exports::local::local::baz::Guest for Guest {
    async fn foo(s: String) -> String {
        let inner = baz::foo(&format!("{s} - entered guest"));
        format!("{inner} - exited guest")
    }
}

export!(Guest);
