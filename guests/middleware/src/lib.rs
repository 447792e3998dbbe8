//! A `wasi:http/handler@0.3.0` middleware for the deflate content coding,
//! composed in front of another handler (the one it imports):
//!
//! - a request with `content-encoding: deflate` reaches the inner handler
//!   inflated, without `content-encoding` and `content-length` (both
//!   described the encoded body);
//! - when the request's `accept-encoding` lists `deflate`, the middleware
//!   deflates the inner handler's response (unless it is already encoded),
//!   sets `content-encoding: deflate` and drops `content-length`. It removes
//!   `accept-encoding` from the forwarded request so the inner handler does
//!   not encode as well.
//!
//! "deflate" is the zlib format (RFC 9110 §8.4.1.2: a zlib stream holding
//! deflate data). Bodies are transformed as they stream: a flushed block is
//! written out for every chunk read, and the response is returned before
//! any of its body has been read.

wit_bindgen::generate!({
    path: "wit",
    world: "local:middleware/middleware",
    // The types are wasip3's, so values pass between this world's handler
    // import/export and wasip3's `types` functions without conversion.
    with: {
        "wasi:http/types@0.3.0": wasip3::http::types,
        "wasi:clocks/types@0.3.0": wasip3::clocks::types,
        "wasi:http/handler@0.3.0": generate,
    },
});

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use wasi::http::handler;
use wasip3::http::types::{ErrorCode, Fields, Request, Response};
use wasip3::wit_bindgen::{StreamReader, StreamResult, StreamWriter};
use wasip3::{spawn_local, wit_future, wit_stream};

/// Upper bound of one read from a body stream.
const CHUNK: usize = 64 * 1024;

struct Middleware;

export!(Middleware);

impl exports::wasi::http::handler::Guest for Middleware {
    async fn handle(request: Request) -> Result<Response, ErrorCode> {
        let headers = request.get_headers().copy_all();
        let inflate = header_values(&headers, "content-encoding").any(|v| v.eq_ignore_ascii_case("deflate"));
        let deflate = header_values(&headers, "accept-encoding").any(accepts_deflate);
        let request = if inflate || deflate { forward(request, headers, inflate, deflate)? } else { request };
        let response = handler::handle(request).await?;
        let encoded = response.get_headers().has("content-encoding");
        if deflate && !encoded { encode(response) } else { Ok(response) }
    }
}

/// The comma-separated tokens of every field `name` (case-insensitive), e.g.
/// `gzip`, `deflate;q=0.5` for `accept-encoding: gzip, deflate;q=0.5`.
fn header_values<'a>(headers: &'a [(String, Vec<u8>)], name: &'a str) -> impl Iterator<Item = &'a str> {
    headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .filter_map(|(_, v)| std::str::from_utf8(v).ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
}

/// Whether one `accept-encoding` entry accepts deflate: `deflate` or `*`,
/// unless its weight is zero (`deflate;q=0` means "not deflate").
fn accepts_deflate(entry: &str) -> bool {
    let mut parts = entry.split(';').map(str::trim);
    let coding = parts.next().unwrap_or_default();
    let refused = parts.any(|p| {
        p.split_once('=').is_some_and(|(k, v)| k.trim().eq_ignore_ascii_case("q") && v.trim().parse::<f32>() == Ok(0.0))
    });
    (coding.eq_ignore_ascii_case("deflate") || coding == "*") && !refused
}

/// A copy of `request` for the inner handler: body inflated when `inflate`,
/// the headers that no longer hold removed.
fn forward(
    request: Request,
    headers: Vec<(String, Vec<u8>)>,
    inflate: bool,
    deflate: bool,
) -> Result<Request, ErrorCode> {
    let dropped = |name: &str| {
        let is = |h: &str| name.eq_ignore_ascii_case(h);
        (inflate && (is("content-encoding") || is("content-length"))) || (deflate && is("accept-encoding"))
    };
    let kept: Vec<_> = headers.into_iter().filter(|(n, _)| !dropped(n)).collect();
    let fields = Fields::from_list(&kept).map_err(|e| internal(format!("cannot copy the request headers: {e:?}")))?;
    let method = request.get_method();
    let path = request.get_path_with_query();
    let scheme = request.get_scheme();
    let authority = request.get_authority();
    let options = request.get_options().map(|o| o.clone());

    let (outer_done, outer_done_rx) = wit_future::new(|| Ok(()));
    let (body, trailers) = Request::consume_body(request, outer_done_rx);
    let inner = if inflate {
        let (body_tx, body_rx) = wit_stream::new();
        let (trailers_tx, trailers_rx) = wit_future::new(|| Ok(None));
        let (inner, inner_done) = Request::new(fields, Some(body_rx), trailers_rx, options);
        spawn_local(async move {
            let done = match transform(body, body_tx, Inflate::new()).await {
                // Trailers follow the body, so they go on only once it is through.
                Ok(()) => {
                    let _ = trailers_tx.write(trailers.await).await;
                    inner_done.await
                }
                // The inner handler must not take a cut-off body for a whole
                // one: its trailers carry the error instead.
                Err(message) => {
                    let _ = trailers_tx.write(Err(internal(message.clone()))).await;
                    Err(internal(message))
                }
            };
            let _ = outer_done.write(done).await;
        });
        inner
    } else {
        let (inner, inner_done) = Request::new(fields, Some(body), trailers, options);
        spawn_local(async move {
            let _ = outer_done.write(inner_done.await).await;
        });
        inner
    };
    let refused = |what: &str| internal(format!("the inner request refused the {what}"));
    inner.set_method(&method).map_err(|()| refused("method"))?;
    inner.set_path_with_query(path.as_deref()).map_err(|()| refused("path"))?;
    inner.set_scheme(scheme.as_ref()).map_err(|()| refused("scheme"))?;
    inner.set_authority(authority.as_deref()).map_err(|()| refused("authority"))?;
    Ok(inner)
}

/// The inner response with its body deflated.
fn encode(response: Response) -> Result<Response, ErrorCode> {
    let status = response.get_status_code();
    let mut headers: Vec<_> = response
        .get_headers()
        .copy_all()
        .into_iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("content-length"))
        .collect();
    headers.push(("content-encoding".into(), b"deflate".to_vec()));
    let fields =
        Fields::from_list(&headers).map_err(|e| internal(format!("cannot build the response headers: {e:?}")))?;

    let (inner_done, inner_done_rx) = wit_future::new(|| Ok(()));
    let (body, trailers) = Response::consume_body(response, inner_done_rx);
    let (body_tx, body_rx) = wit_stream::new();
    // The trailers do not depend on the coding: the inner handler's future
    // goes out unchanged.
    let (outer, outer_done) = Response::new(fields, Some(body_rx), trailers);
    outer.set_status_code(status).map_err(|()| internal(format!("status {status} refused")))?;
    spawn_local(async move {
        let done = match transform(body, body_tx, Deflate::new()).await {
            Ok(()) => outer_done.await,
            Err(message) => Err(internal(message)),
        };
        let _ = inner_done.write(done).await;
    });
    Ok(outer)
}

fn internal(message: String) -> ErrorCode {
    ErrorCode::InternalError(Some(message))
}

/// A streaming transformation of body bytes.
trait Codec {
    /// Bytes to send for one chunk read.
    fn feed(&mut self, input: &[u8]) -> Result<Vec<u8>, String>;
    /// Bytes to send once the input has ended.
    fn finish(&mut self) -> Result<Vec<u8>, String>;
}

/// Copy `input` to `output` through `codec`, chunk by chunk. `output` is
/// closed when this returns, so an error leaves the reader a short body.
async fn transform(
    mut input: StreamReader<u8>,
    mut output: StreamWriter<u8>,
    mut codec: impl Codec,
) -> Result<(), String> {
    let mut buf = Vec::with_capacity(CHUNK);
    loop {
        let (status, data) = input.read(buf).await;
        let ended = !matches!(status, StreamResult::Complete(_));
        let out = if ended { codec.finish()? } else { codec.feed(&data)? };
        if !out.is_empty() && !output.write_all(out).await.is_empty() {
            return Err("the body's reader went away".into());
        }
        if ended {
            return Ok(());
        }
        buf = data;
        buf.clear();
    }
}

struct Inflate {
    zlib: Decompress,
    ended: bool,
}

impl Inflate {
    fn new() -> Inflate {
        Inflate { zlib: Decompress::new(true), ended: false }
    }
}

impl Codec for Inflate {
    fn feed(&mut self, mut input: &[u8]) -> Result<Vec<u8>, String> {
        let mut out = Vec::with_capacity(input.len() * 4 + 64);
        loop {
            if self.ended {
                return match input.len() {
                    0 => Ok(out),
                    n => Err(format!("{n} bytes after the end of the deflate stream in the request body")),
                };
            }
            let (before_in, before_out) = (self.zlib.total_in(), out.len());
            let status = self
                .zlib
                .decompress_vec(input, &mut out, FlushDecompress::None)
                .map_err(|e| format!("the request body is not valid deflate data: {e}"))?;
            let used = (self.zlib.total_in() - before_in) as usize;
            input = &input[used..];
            self.ended = status == Status::StreamEnd;
            let full = out.len() == out.capacity();
            // Room left means nothing is held back for want of space.
            if !self.ended && input.is_empty() && !full {
                return Ok(out);
            }
            if full {
                out.reserve(out.capacity());
            } else if used == 0 && out.len() == before_out && !self.ended {
                return Err("the deflate data in the request body makes no progress".into());
            }
        }
    }

    fn finish(&mut self) -> Result<Vec<u8>, String> {
        if self.ended { Ok(Vec::new()) } else { Err("the deflate stream in the request body is cut off".into()) }
    }
}

struct Deflate {
    zlib: Compress,
}

impl Deflate {
    fn new() -> Deflate {
        Deflate { zlib: Compress::new(Compression::default(), true) }
    }

    fn run(&mut self, mut input: &[u8], flush: FlushCompress) -> Result<Vec<u8>, String> {
        let mut out = Vec::with_capacity(input.len() / 2 + 64);
        loop {
            let before = self.zlib.total_in();
            let status = self.zlib.compress_vec(input, &mut out, flush).map_err(|e| format!("deflate failed: {e}"))?;
            input = &input[(self.zlib.total_in() - before) as usize..];
            // Done when the input is used up and the flush did not fill the
            // buffer (a full one may hold more of the flush back).
            if status == Status::StreamEnd || (input.is_empty() && out.len() < out.capacity()) {
                return Ok(out);
            }
            out.reserve(out.capacity());
        }
    }
}

impl Codec for Deflate {
    fn feed(&mut self, input: &[u8]) -> Result<Vec<u8>, String> {
        // A sync flush per chunk, so the client gets each chunk's data as it
        // streams instead of at the end.
        self.run(input, FlushCompress::Sync)
    }

    fn finish(&mut self) -> Result<Vec<u8>, String> {
        self.run(&[], FlushCompress::Finish)
    }
}
