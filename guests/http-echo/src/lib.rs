//! A `wasi:http/handler@0.3.0` service that answers every request with
//! status 200, the request's headers, its body and its trailers.
//!
//! The response is returned before any of the body has been read: a spawned
//! task copies the body and then the trailers after `handle` has returned.
//! A host that sends the request body only once it has the response (as the
//! harness does by default) therefore sees this echo finish, where one that
//! buffered the body first would wait forever.

use wasip3::http::types::{ErrorCode, Request, Response};
use wasip3::wit_bindgen::StreamResult;
use wasip3::{spawn_local, wit_future, wit_stream};

/// Upper bound of one read; the echo writes out whatever one read returned.
const CHUNK: usize = 64 * 1024;

struct Echo;

wasip3::http::service::export!(Echo);

impl wasip3::exports::http::handler::Guest for Echo {
    async fn handle(request: Request) -> Result<Response, ErrorCode> {
        // The request's own headers are an immutable child of the request;
        // the response needs fields of its own.
        let headers = request.get_headers().clone();
        // Reports to the sender how consuming the request went; written once
        // the body and trailers have been passed on.
        let (request_done, request_done_rx) = wit_future::new(|| Ok(()));
        let (mut body_in, trailers_in) = Request::consume_body(request, request_done_rx);
        let (mut body_out, body_out_rx) = wit_stream::new();
        let (trailers_out, trailers_out_rx) = wit_future::new(|| Ok(None));
        let (response, _delivered) = Response::new(headers, Some(body_out_rx), trailers_out_rx);

        spawn_local(async move {
            let mut buf = Vec::with_capacity(CHUNK);
            loop {
                let (status, data) = body_in.read(buf).await;
                match status {
                    StreamResult::Complete(_) => {
                        let unsent = body_out.write_all(data).await;
                        if !unsent.is_empty() {
                            // The reader of the response went away; nobody
                            // is left to echo to.
                            return;
                        }
                        buf = unsent;
                        buf.reserve(CHUNK);
                    }
                    StreamResult::Dropped | StreamResult::Cancelled => break,
                }
            }
            // End of body before the trailers, as on the wire.
            drop(body_out);
            let trailers = trailers_in.await;
            let _ = trailers_out.write(trailers).await;
            let _ = request_done.write(Ok(())).await;
        });
        Ok(response)
    }
}
