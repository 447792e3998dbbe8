//! Sync export, sync import: the WIT says `async func`, but a sync lift and a
//! sync lower of it are legal; each call blocks the instance until it is done.

wit_bindgen::generate!({ path: "../../wit", world: "round-trip", async: false });

use local::local::{baz, many};

struct Guest;

impl exports::local::local::baz::Guest for Guest {
    fn foo(s: String) -> String {
        let inner = baz::foo(&format!("{s} - entered guest"));
        format!("{inner} - exited guest")
    }
}

use exports::local::local::many::Point;

type Many = (String, u32, Vec<u8>, (u64, u64), Point, Option<String>, Result<String, String>);

/// The import's and the export's `point` are distinct Rust types.
fn inward(e: Point) -> many::Point {
    many::Point { x: e.x, y: e.y }
}

impl exports::local::local::many::Guest for Guest {
    fn foo(
        a: String,
        b: u32,
        c: Vec<u8>,
        d: (u64, u64),
        e: Point,
        f: Option<String>,
        g: Result<String, String>,
    ) -> Many {
        let (a, b, c, d, e, f, g) = many::foo(
            &format!("{a} - entered guest"),
            b,
            &c,
            d,
            inward(e),
            f.as_deref(),
            g.as_deref().map_err(String::as_str),
        );
        (format!("{a} - exited guest"), b, c, d, Point { x: e.x, y: e.y }, f, g)
    }
}

export!(Guest);
