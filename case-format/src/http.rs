//! The `[http]` table of a case: one HTTP request sent to the chain's
//! `wasi:http/handler@0.3.0` export instead of a WAVE `[call]`. The host's
//! side of it is the harness's `host/http.rs`.

use std::str::FromStr;

use anyhow::{Result, bail};
use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use crate::load::Source;
use crate::types::Case;

/// The request the host sends. What comes back is recorded as host events
/// (`response status 200`, `response header foo: bar`, ...) and compared
/// with `expect.transcript`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HttpRequest {
    /// The request method, e.g. `POST`.
    #[serde(default = "get")]
    #[schemars(with = "String")]
    pub method: Spanned<String>,
    /// The path with query, starting with `/`. The scheme is `http` and the
    /// authority `localhost`; no connection is made, the request goes
    /// straight to the handler.
    #[serde(default = "slash")]
    #[schemars(with = "String")]
    pub path: Spanned<String>,
    /// Header fields in order, as `[name, value]` pairs; a name may repeat.
    #[serde(default)]
    #[schemars(with = "Vec<(String, String)>")]
    pub headers: Vec<Field>,
    /// The body as text chunks; each chunk is sent as one data frame, so a
    /// list of several exercises a handler reading the body in pieces.
    /// Neither `body` nor `body-repeat`: an empty body.
    #[serde(default)]
    pub body: Vec<String>,
    /// A generated body instead of `body`, for sizes no one writes out.
    #[schemars(with = "Option<BodyRepeat>")]
    pub body_repeat: Option<Spanned<BodyRepeat>>,
    /// Trailer fields sent after the body, as `[name, value]` pairs.
    /// Omitted: the request has no trailers at all.
    #[schemars(with = "Option<Vec<(String, String)>>")]
    pub trailers: Option<Spanned<Vec<Field>>>,
    /// `deflate`: the host compresses the body in the zlib format (RFC 9110
    /// "deflate"), flushing at every chunk so each chunk still arrives as a
    /// frame of its own, and adds `content-encoding: deflate`.
    #[schemars(with = "Option<ContentEncoding>")]
    pub content_encoding: Option<Spanned<ContentEncoding>>,
    /// When the host sends the body: `after-response` (default) holds it back
    /// until the handler has returned the response, so a handler that reads
    /// the body before responding never finishes (the case times out);
    /// `with-request` has it all queued before the handler is called.
    #[serde(default)]
    pub send_body: SendBody,
    /// When the body says it has ended (`http_body::Body::is_end_stream`):
    /// `after-last-frame` (default) only once no frame is left;
    /// `with-last-frame` already while the last frame is handed over, as
    /// some HTTP implementations do.
    #[schemars(with = "Option<EndStream>")]
    pub end_stream: Option<Spanned<EndStream>>,
}

/// A header or trailer field, `[name, value]`, with where it is written.
pub type Field = Spanned<(String, String)>;

/// `text` repeated `times` times, sent in frames of `chunk-bytes`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BodyRepeat {
    /// The text to repeat; not empty.
    pub text: String,
    /// How many times; at least 1. The whole body (`text` × `times`) may be
    /// at most `limits.host-bytes` (and 1 GiB).
    pub times: usize,
    /// Bytes per data frame (default 65536); at least 1.
    #[serde(default = "sixty_four_kib")]
    pub chunk_bytes: usize,
}

/// Content codings the host can apply to a request body.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ContentEncoding {
    Deflate,
}

/// When the request body is sent, relative to the response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SendBody {
    #[default]
    AfterResponse,
    WithRequest,
}

/// When the request body reports its end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EndStream {
    #[default]
    AfterLastFrame,
    WithLastFrame,
}

fn get() -> Spanned<String> {
    Spanned::new(0..0, "GET".into())
}
fn slash() -> Spanned<String> {
    Spanned::new(0..0, "/".into())
}
/// Largest generated body (`body-repeat`), whatever `limits.host-bytes` says.
pub const MAX_BODY_BYTES: u64 = 1 << 30;

fn sixty_four_kib() -> usize {
    64 * 1024
}

impl HttpRequest {
    /// Whether the body reports its end together with its last frame.
    pub fn ends_with_last_frame(&self) -> bool {
        self.end_stream.as_ref().is_some_and(|e| *e.get_ref() == EndStream::WithLastFrame)
    }

    /// The body's data frames, before any content coding.
    pub fn chunks(&self) -> Vec<Vec<u8>> {
        match &self.body_repeat {
            Some(r) => {
                let r = r.get_ref();
                let all = r.text.repeat(r.times).into_bytes();
                all.chunks(r.chunk_bytes).map(<[u8]>::to_vec).collect()
            }
            None => self.body.iter().map(|c| c.clone().into_bytes()).collect(),
        }
    }
}

/// Checks of an `[http]` case that need no component: exactly one of `call`
/// and `http`, well-formed method, path and fields, and an expectation that
/// can be checked.
pub(super) fn validate(case: &Case, src: &Source) -> Result<()> {
    let http = match (&case.call, &case.http) {
        (Some(_), Some(http)) => bail!(
            "{}: the case has both `[call]` and `[http]`; a case makes either a WAVE call or an HTTP request",
            src.at(&http.span())
        ),
        (None, None) => {
            bail!("{}: the case has neither `[call]` nor `[http]`; add one saying what the host sends", src.at(&(0..0)))
        }
        (Some(_), None) => return Ok(()),
        (None, Some(http)) => http,
    };
    let req = http.get_ref();
    if http::Method::from_bytes(req.method.get_ref().as_bytes()).is_err() {
        bail!("{}: `{}` is not an HTTP method", src.at(&req.method.span()), req.method.get_ref());
    }
    let path = req.path.get_ref();
    if !path.starts_with('/') || http::uri::PathAndQuery::from_str(path).is_err() {
        bail!("{}: `{path}` is not a path with query starting with `/`", src.at(&req.path.span()));
    }
    let trailers = req.trailers.iter().flat_map(Spanned::get_ref);
    for field in req.headers.iter().chain(trailers) {
        let (name, value) = field.get_ref();
        if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
            bail!("{}: `{name}` is not a valid field name", src.at(&field.span()));
        }
        if http::HeaderValue::from_str(value).is_err() {
            bail!("{}: the value of `{name}` is not a valid field value", src.at(&field.span()));
        }
    }
    if let Some(trailers) = &req.trailers
        && trailers.get_ref().is_empty()
    {
        bail!("{}: `trailers` is empty; omit it for a request without trailers", src.at(&trailers.span()));
    }
    if let Some(end) = &req.end_stream
        && *end.get_ref() == EndStream::WithLastFrame
        && req.body.is_empty()
        && req.body_repeat.is_none()
        && req.trailers.is_none()
    {
        bail!(
            "{}: `end-stream = \"with-last-frame\"` needs a last frame: give a `body` or `trailers`",
            src.at(&end.span())
        );
    }
    if let Some(repeat) = &req.body_repeat {
        let r = repeat.get_ref();
        if !req.body.is_empty() {
            bail!("{}: give either `body` or `body-repeat`, not both", src.at(&repeat.span()));
        }
        if r.text.is_empty() || r.times == 0 || r.chunk_bytes == 0 {
            bail!(
                "{}: `body-repeat` needs a non-empty `text` and `times` and `chunk-bytes` of at least 1",
                src.at(&repeat.span())
            );
        }
        // The body is built in host memory before it is sent: its size is
        // checked here, so no case can make the host allocate without bound.
        let cap = case.limits.host_bytes.min(MAX_BODY_BYTES);
        match r.text.len().checked_mul(r.times) {
            Some(total) if total as u64 <= cap => {}
            total => bail!(
                "{}: `body-repeat` is {} bytes ({} × {}), more than the {cap} bytes a generated body may have \
                 (limits.host-bytes = {}, at most {MAX_BODY_BYTES})",
                src.at(&repeat.span()),
                total.map_or_else(|| "more than 2^64".to_string(), |t| t.to_string()),
                r.text.len(),
                r.times,
                case.limits.host_bytes
            ),
        }
    }
    if let Some(result) = &case.expect.result {
        bail!(
            "{}: an `[http]` case has no WAVE result; the response is checked through the transcript",
            src.at(&result.span())
        );
    }
    if case.expect.transcript.is_none() && case.expect.transcript_file.is_none() {
        bail!(
            "{}: an `[http]` case needs `expect.transcript` (or `transcript-file`): the response events it must produce",
            src.at(&http.span())
        );
    }
    Ok(())
}
