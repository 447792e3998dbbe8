//! The host side of an `[http]` case: send one request to the chain's
//! `wasi:http/handler@0.3.0` export (wasmtime-wasi-http's p3 host), read the
//! whole response, and record what arrived as host events:
//!
//! ```text
//! response status 200
//! response header foo: bar              one per field, sorted by name
//! response body 27 bytes "And the ..."  text up to 1 KiB, else sha256=<hex>
//! response trailer fizz: buzz           one per field, sorted by name;
//! response trailers none                or this when there are none
//! ```
//!
//! A response with `content-encoding: deflate` is inflated first, as a client
//! that accepts deflate would, and its body event says `response body
//! inflated ...`. Errors are recorded by kind, the `error-code` case name
//! (`tables::http_error_code`), never by message: a handler that returns an error records
//! `response error <kind>`; a body that ends in an error records the bytes
//! that did arrive, then `response body error <kind>`, and no trailers; a
//! request body the guest reported an error for adds `request body error
//! <kind>` at the end.

use std::convert::Infallible;
use std::io::{Read, Write};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use anyhow::{Context, Result};
use bytes::Bytes;
use futures::channel::{mpsc, oneshot};
use http_body::Frame;
use http_body_util::{BodyExt, StreamBody};
use sha2::{Digest, Sha256};
use toml::Spanned;
use wasmtime::Store;
use wasmtime::component::{Accessor, Instance};
use wasmtime_wasi_http::p3::Response;
use wasmtime_wasi_http::p3::bindings::Service;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

use case_format::Loaded;
use case_format::http::{ContentEncoding, HttpRequest, SendBody};

use super::Ctx;
use super::tables::{http_error, http_error_code};

/// Bodies up to this size that are UTF-8 are shown as text; larger ones, or
/// binary ones, by size and hash.
const TEXT_LIMIT: usize = 1024;

/// wasi:http hooks for the cases: the defaults, except that a guest's
/// outgoing request (`wasi:http/client#send`) is refused, because a case's
/// guests talk to the harness only.
pub struct Hooks;

impl WasiHttpHooks for Hooks {
    fn send_request(
        &mut self,
        _request: http::Request<WasiBody>,
        _options: Option<RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> Box<
        dyn Future<
                Output = Result<(http::Response<WasiBody>, Box<dyn Future<Output = Result<(), Error>> + Send>), Error>,
            > + Send,
    > {
        Box::new(async { Err(Error::HttpRequestDenied) })
    }
}

type Frames = StreamBody<mpsc::UnboundedReceiver<Result<Frame<Bytes>, Infallible>>>;

/// The request body: the frames the case sends, through a channel so that
/// `send-body` decides when they go out. With `end-stream =
/// "with-last-frame"` it reports its end as soon as the last frame has been
/// handed over, before the channel says so (the anchor's `is_end_stream`
/// with a frame still carrying data, or an empty one).
struct RequestBody {
    frames: Frames,
    /// Frames still to come when the body reports its end early.
    early_end: Option<usize>,
}

impl http_body::Body for RequestBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let polled = Pin::new(&mut self.frames).poll_frame(cx);
        if let (Poll::Ready(Some(_)), Some(left)) = (&polled, self.early_end.as_mut()) {
            *left = left.saturating_sub(1);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.early_end == Some(0)
    }
}

/// Send the case's request and record the response. The outer `Err` is a
/// problem with the case (the chain has no handler export); the inner one
/// is how the exchange failed (a trap, a host error).
pub async fn exchange(
    store: &mut Store<Ctx>,
    instance: &Instance,
    loaded: &Loaded,
    spec: &Spanned<HttpRequest>,
) -> Result<wasmtime::Result<()>> {
    let service = Service::new(&mut *store, instance).map_err(anyhow::Error::from).with_context(|| {
        format!(
            "{}: the chain's root does not export `wasi:http/handler@0.3.0` to send the request to",
            loaded.source.at(&spec.span())
        )
    })?;
    let spec = spec.get_ref();
    let frames = frames(spec)?;
    let (body_tx, body_rx) = mpsc::unbounded();
    let body = RequestBody {
        frames: StreamBody::new(body_rx),
        early_end: spec.ends_with_last_frame().then_some(frames.len()),
    };
    let request = request(spec, body)?;
    let (request, request_io) = wasmtime_wasi_http::p3::Request::from_http(&mut store.data_mut().http_hooks, request);

    let send_after_response = spec.send_body == SendBody::AfterResponse;
    let (responded, response_arrived) = oneshot::channel::<()>();
    // Polled before `receive` below: with `with-request` the whole body is
    // queued before `handle` starts.
    let send = async move {
        // A handler that traps before responding gets no body at all.
        if send_after_response && response_arrived.await.is_err() {
            return;
        }
        for frame in frames {
            // The receiver is gone when the guest dropped the body unread.
            let _ = body_tx.unbounded_send(Ok(frame));
        }
    };

    Ok(store
        .run_concurrent(async |acc| {
            let receive = async {
                let response = service.handle(acc, request).await?;
                let _ = responded.send(());
                match response {
                    Ok(response) => read_response(acc, response).await,
                    Err(code) => {
                        record(acc, format!("response error {}", http_error_code(&code)))?;
                        Ok(())
                    }
                }
            };
            let ((), received, request_io) = futures::join!(send, receive, request_io);
            received?;
            // After the response events, so the transcript does not depend on
            // when the request side finished.
            if let Err(e) = request_io {
                record(acc, format!("request body error {}", http_error(&e)))?;
            }
            wasmtime::error::Ok(())
        })
        .await
        .and_then(|r| r))
}

/// The request head, from the case.
fn request(spec: &HttpRequest, body: RequestBody) -> Result<http::Request<RequestBody>> {
    let mut builder = http::Request::builder()
        .method(spec.method.get_ref().as_str())
        .uri(format!("http://localhost{}", spec.path.get_ref()));
    for field in &spec.headers {
        let (name, value) = field.get_ref();
        builder = builder.header(name, value);
    }
    if let Some(ContentEncoding::Deflate) = spec.content_encoding.as_ref().map(|c| *c.get_ref()) {
        builder = builder.header("content-encoding", "deflate");
    }
    builder.body(body).context("cannot build the request from the case")
}

/// The body frames as sent: the chunks (encoded when the case says so), then
/// the trailers if any.
fn frames(spec: &HttpRequest) -> Result<Vec<Frame<Bytes>>> {
    let chunks = spec.chunks();
    let data = match spec.content_encoding.as_ref().map(|c| *c.get_ref()) {
        None => chunks,
        Some(ContentEncoding::Deflate) => deflate(&chunks)?,
    };
    let mut frames: Vec<_> = data.into_iter().map(|d| Frame::data(Bytes::from(d))).collect();
    if let Some(trailers) = &spec.trailers {
        let mut map = http::HeaderMap::new();
        for field in trailers.get_ref() {
            let (name, value) = field.get_ref();
            let name = http::HeaderName::from_bytes(name.as_bytes()).context("trailer name")?;
            map.append(name, http::HeaderValue::from_str(value).context("trailer value")?);
        }
        frames.push(Frame::trailers(map));
    }
    Ok(frames)
}

/// One zlib stream over all chunks, flushed at each chunk so every chunk
/// still goes out as a frame of its own; the stream's end is a last frame.
pub(super) fn deflate(chunks: &[Vec<u8>]) -> Result<Vec<Vec<u8>>> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    let mut out = Vec::new();
    for chunk in chunks {
        encoder.write_all(chunk).context("cannot deflate the request body")?;
        encoder.flush().context("cannot deflate the request body")?;
        out.push(std::mem::take(encoder.get_mut()));
    }
    out.push(encoder.finish().context("cannot deflate the request body")?);
    Ok(out)
}

/// Read the response to its end, recording its parts as they arrive.
async fn read_response(acc: &Accessor<Ctx>, response: Response) -> wasmtime::Result<()> {
    let response = acc.with(|store| response.into_http(store, async { Ok(()) }))?;
    let (head, mut body) = response.into_parts();
    record(acc, format!("response status {}", head.status.as_u16()))?;
    for line in fields("response header", &head.headers) {
        record(acc, line)?;
    }
    let mut data = Vec::new();
    let mut trailers = None;
    let mut error = None;
    while let Some(frame) = body.frame().await {
        match frame.map(Frame::into_data) {
            // Charged before it is kept: a body is the guest's to make endless.
            Ok(Ok(bytes)) => {
                acc.with(|mut store| store.data_mut().limits.hold(bytes.len()))?;
                data.extend_from_slice(&bytes);
            }
            Ok(Err(frame)) => trailers = frame.into_trailers().ok(),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    let deflated =
        head.headers.get_all("content-encoding").iter().any(|v| v.as_bytes().eq_ignore_ascii_case(b"deflate"));
    let event = if deflated {
        // Inflated no further than the host may keep: a small deflate bomb
        // must not grow the host without bound.
        let budget = acc.with(|mut store| store.data_mut().limits.host_remaining());
        let (event, inflated) = inflated_body_event(&data, budget);
        acc.with(|mut store| store.data_mut().limits.hold(inflated))?;
        event
    } else {
        body_event("response body", &data)
    };
    record(acc, event)?;
    if let Some(e) = error {
        // The body did not finish, so there are no trailers to speak of.
        record(acc, format!("response body error {}", http_error(&e)))?;
        return Ok(());
    }
    match trailers {
        Some(map) => {
            for line in fields("response trailer", &map) {
                record(acc, line)?;
            }
        }
        None => record(acc, "response trailers none".into())?,
    }
    Ok(())
}

/// `<prefix> name: value` per field, sorted by name; the values of one name
/// keep their order. Sorting makes the transcript independent of how the
/// handler ordered distinct fields, which HTTP gives no meaning.
pub(super) fn fields<'a>(prefix: &'a str, map: &'a http::HeaderMap) -> impl Iterator<Item = String> + 'a {
    let mut pairs: Vec<_> = map.iter().collect();
    pairs.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    pairs
        .into_iter()
        .map(move |(name, value)| format!("{prefix} {name}: {}", String::from_utf8_lossy(value.as_bytes())))
}

/// The event for a deflated body, inflating at most one byte more than
/// `budget`, and how many bytes that took (to be charged).
pub(super) fn inflated_body_event(data: &[u8], budget: u64) -> (String, usize) {
    let mut inflated = Vec::new();
    let read = flate2::read::ZlibDecoder::new(data).take(budget.saturating_add(1)).read_to_end(&mut inflated);
    let event = match read {
        Ok(_) => body_event("response body inflated", &inflated),
        Err(e) => format!("response body {} bytes, not valid deflate data: {e}", data.len()),
    };
    (event, inflated.len())
}

pub(super) fn body_event(prefix: &str, data: &[u8]) -> String {
    match std::str::from_utf8(data) {
        Ok(text) if data.len() <= TEXT_LIMIT => format!("{prefix} {} bytes {text:?}", data.len()),
        _ => {
            let hash: String = Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect();
            format!("{prefix} {} bytes sha256={hash}", data.len())
        }
    }
}

fn record(acc: &Accessor<Ctx>, event: String) -> wasmtime::Result<()> {
    acc.with(|mut store| store.data_mut().record(event))
}
