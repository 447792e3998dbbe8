//! Async export whose import is lowered synchronously: the task blocks inside
//! the import, so the instance cannot take another call meanwhile.

wit_bindgen::generate!({
    path: "../../wit",
    world: "round-trip",
    async: ["-import:local:local/baz#foo", "-import:local:local/many#foo"],
});

use local::local::{baz, many};

struct Guest;

impl exports::local::local::baz::Guest for Guest {
    async fn foo(s: String) -> String {
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
    async fn foo(
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
