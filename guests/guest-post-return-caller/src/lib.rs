//! Calls a sync-lifted `foo`, then asks the callee what `foo`'s post-return
//! function stored: post-return must have run between the two calls.

wit_bindgen::generate!({ path: "../../wit", world: "post-return-caller" });

use local::local::post_return;
use local::local::transcript::record;

struct Scenario;

impl exports::local::local::scenario::Guest for Scenario {
    async fn run(line: String) {
        record(&format!("caller: stored before any call: {:?}", post_return::get_post_return_value()));
        let echoed = post_return::foo(&line);
        record(&format!("caller: foo returned {echoed:?}"));
        record(&format!("caller: post-return stored {:?}", post_return::get_post_return_value()));
    }
}

export!(Scenario);
