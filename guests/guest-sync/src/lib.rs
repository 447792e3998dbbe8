//! Sync export, sync import: the WIT says `async func`, but a sync lift and a
//! sync lower of it are legal; each call blocks the instance until it is done.

wit_bindgen::generate!({ path: "../../wit", world: "round-trip", async: false });

use local::local::baz;

struct Guest;

impl exports::local::local::baz::Guest for Guest {
    fn foo(s: String) -> String {
        let inner = baz::foo(&format!("{s} - entered guest"));
        format!("{inner} - exited guest")
    }
}

export!(Guest);
