//! HTTP cases on jco: the request as the driver builds it with
//! preview3-shim's wasi:http@0.3.0 types, and the raw response it reads,
//! turned into transcript events by the same code as wasmtime's exchange
//! (`host::http`), so both hosts' transcripts read alike.

use anyhow::{Context, Result};
use case_format::http::{ContentEncoding, HttpRequest, SendBody};
use serde::{Deserialize, Serialize};

use super::super::http::{body_event, deflate, fields, inflated_body_event};

/// The request, with the body already encoded as the case says.
#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct HttpParams {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    chunks: Vec<Vec<u8>>,
    trailers: Option<Vec<(String, String)>>,
    send_after_response: bool,
}

pub fn params(spec: &HttpRequest) -> Result<HttpParams> {
    let mut headers: Vec<(String, String)> = spec.headers.iter().map(|f| f.get_ref().clone()).collect();
    let chunks = match spec.content_encoding.as_ref().map(|c| *c.get_ref()) {
        None => spec.chunks(),
        Some(ContentEncoding::Deflate) => {
            headers.push(("content-encoding".into(), "deflate".into()));
            deflate(&spec.chunks())?
        }
    };
    Ok(HttpParams {
        method: spec.method.get_ref().clone(),
        path: spec.path.get_ref().clone(),
        headers,
        chunks,
        trailers: spec.trailers.as_ref().map(|t| t.get_ref().iter().map(|f| f.get_ref().clone()).collect()),
        send_after_response: spec.send_body == SendBody::AfterResponse,
    })
}

/// The response as the driver read it.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct HttpSeen {
    status: Option<u16>,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    trailers: Option<Vec<(String, Vec<u8>)>>,
    /// The handler's `error-code` instead of a response.
    error: Option<String>,
    body_error: Option<String>,
}

/// The transcript events wasmtime's exchange records for the same response.
pub fn events(seen: &HttpSeen, budget: u64) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let (Some(status), None) = (seen.status, &seen.error) else {
        out.push(format!("response error {}", seen.error.as_deref().unwrap_or("none")));
        return Ok(out);
    };
    out.push(format!("response status {status}"));
    let head = map(&seen.headers)?;
    out.extend(fields("response header", &head));
    let deflated = head.get_all("content-encoding").iter().any(|v| v.as_bytes().eq_ignore_ascii_case(b"deflate"));
    out.push(if deflated {
        inflated_body_event(&seen.body, budget).0
    } else {
        body_event("response body", &seen.body)
    });
    if let Some(e) = &seen.body_error {
        out.push(format!("response body error {e}"));
        return Ok(out);
    }
    match &seen.trailers {
        Some(t) => out.extend(fields("response trailer", &map(t)?)),
        None => out.push("response trailers none".into()),
    }
    Ok(out)
}

fn map(pairs: &[(String, Vec<u8>)]) -> Result<http::HeaderMap> {
    let mut map = http::HeaderMap::new();
    for (name, value) in pairs {
        let name =
            http::HeaderName::from_bytes(name.as_bytes()).with_context(|| format!("jco gave header `{name}`"))?;
        map.append(name, http::HeaderValue::from_bytes(value).context("jco gave a header value HTTP does not allow")?);
    }
    Ok(map)
}
