//! Exports `local:local/streams`: functions that take and return streams and
//! futures, for the host or a caller guest to drive. Work that must outlive
//! the call runs in tasks spawned before returning.

wit_bindgen::generate!({ path: "../../wit", world: "streams-guest" });

use exports::local::local::streams::Guest;
use wit_bindgen::{FutureReader, StreamReader, StreamResult, spawn_local};

struct Streams;

/// How a read or write ended, as recorded in transcripts.
fn outcome<T: std::fmt::Debug>(result: StreamResult, items: &[T]) -> String {
    match result {
        StreamResult::Complete(_) if items.is_empty() => "complete 0".to_string(),
        StreamResult::Complete(_) => format!("complete {items:?}"),
        StreamResult::Dropped => "dropped".to_string(),
        StreamResult::Cancelled => "cancelled".to_string(),
    }
}

impl Guest for Streams {
    async fn count(n: u32) -> StreamReader<u8> {
        let (mut tx, rx) = wit_stream::new::<u8>();
        spawn_local(async move {
            let bytes: Vec<u8> = (0..n).map(|i| i as u8).collect();
            tx.write_all(bytes).await;
        });
        rx
    }

    async fn echo(mut items: StreamReader<String>) -> StreamReader<String> {
        let (mut tx, rx) = wit_stream::new::<String>();
        spawn_local(async move {
            while let Some(item) = items.next().await {
                if !tx.write_all(vec![item]).await.is_empty() {
                    break; // the reader is gone
                }
            }
        });
        rx
    }

    async fn greet(name: FutureReader<String>) -> String {
        format!("hello, {}!", name.await)
    }

    async fn closed() -> StreamReader<u8> {
        let (tx, rx) = wit_stream::new::<u8>();
        drop(tx);
        rx
    }

    async fn unwritten() -> FutureReader<String> {
        let (tx, rx) = wit_future::new::<String>(|| "unwritten".to_string());
        drop(tx);
        rx
    }

    async fn units(total: u32) -> StreamReader<()> {
        let (mut tx, rx) = wit_stream::new::<()>();
        spawn_local(async move {
            let (mut sent, mut chunk) = (0, 1);
            while sent < total {
                let n = chunk.min(total - sent);
                if !tx.write_all(vec![(); n as usize]).await.is_empty() {
                    break;
                }
                sent += n;
                chunk *= 2;
            }
        });
        rx
    }

    async fn drain(mut items: StreamReader<String>, capacity: u32) -> Vec<String> {
        let mut log = Vec::new();
        loop {
            if capacity == 0 {
                // A zero-length read waits for readiness without taking items.
                let (result, got) = items.read(Vec::with_capacity(0)).await;
                log.push(format!("read 0: {}", outcome(result, &got)));
                if result == StreamResult::Dropped {
                    break;
                }
            }
            let cap = capacity.max(1) as usize;
            let (result, got) = items.read(Vec::with_capacity(cap)).await;
            log.push(format!("read {cap}: {}", outcome(result, &got)));
            if result == StreamResult::Dropped {
                break;
            }
        }
        log
    }

    async fn take(mut items: StreamReader<String>, limit: u32) -> Vec<String> {
        let mut got = Vec::new();
        while got.len() < limit as usize {
            match items.next().await {
                Some(item) => got.push(item),
                None => break,
            }
        }
        drop(items);
        got
    }

    async fn after(go: FutureReader<String>) -> StreamReader<String> {
        let (mut tx, rx) = wit_stream::new::<String>();
        spawn_local(async move {
            let go = go.await;
            tx.write_all(vec![go.clone(), format!("{go}!")]).await;
        });
        rx
    }

    async fn relay(go: FutureReader<String>) -> FutureReader<String> {
        let (tx, rx) = wit_future::new::<String>(|| "relay writer dropped".to_string());
        spawn_local(async move {
            let go = go.await;
            let _ = tx.write(go).await;
        });
        rx
    }

    async fn work_after_return(steps: u32) -> FutureReader<u32> {
        let (tx, rx) = wit_future::new::<u32>(|| u32::MAX);
        spawn_local(async move {
            for _ in 0..steps {
                wit_bindgen::yield_async().await;
            }
            let _ = tx.write(steps).await;
        });
        rx
    }
}

export!(Streams);
