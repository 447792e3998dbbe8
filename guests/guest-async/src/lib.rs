//! Async export that awaits an async import: concurrent calls into one
//! instance overlap while the import is pending.

wit_bindgen::generate!({ path: "../../wit", world: "round-trip" });

use local::local::baz;

struct Guest;

impl exports::local::local::baz::Guest for Guest {
    async fn foo(s: String) -> String {
        let inner = baz::foo(format!("{s} - entered guest")).await;
        format!("{inner} - exited guest")
    }
}

export!(Guest);
