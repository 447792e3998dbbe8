//! A guest that misbehaves on purpose (never finishes, exhausts memory,
//! traps) so the harness's self-tests can prove each failure is caught and
//! reported, and that probes the host through Rust std (files, environment,
//! sockets) so the isolation cases can assert it reaches nothing.
//!
//! Probes return the `std::io::ErrorKind` name (`NotFound`) rather than the
//! message: kinds are what std guarantees, messages vary with the libc.

wit_bindgen::generate!({ path: "../../wit", world: "misbehave-guest", async: false });

use std::hint::black_box;
use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs, UdpSocket};

struct Guest;

fn kind(e: std::io::Error) -> String {
    format!("{:?}", e.kind())
}

const CHUNK: usize = 1 << 20;

impl exports::local::local::misbehave::Guest for Guest {
    fn spin() {
        let mut n: u64 = 0;
        // `black_box` keeps the loop from being folded into a trap or away.
        loop {
            n = black_box(n.wrapping_add(1));
        }
    }

    fn hog() -> u32 {
        let mut chunks: Vec<Vec<u8>> = Vec::new();
        loop {
            // Touch every page so the memory is really used, not just reserved.
            chunks.push(vec![1u8; CHUNK]);
            if chunks.len().is_multiple_of(16) {
                // Progress on stderr, for the failure report.
                let _ = writeln!(std::io::stderr(), "hog: {} MiB allocated", chunks.len());
            }
            if black_box(chunks.len()) == usize::MAX {
                return chunks.len() as u32;
            }
        }
    }

    fn trap() {
        // Not `unreachable!()`: a panic would print first; the point is a trap.
        core::arch::wasm32::unreachable()
    }

    fn read_file(path: String) -> Result<String, String> {
        std::fs::read_to_string(path).map_err(kind)
    }

    fn list_dir(path: String) -> Result<Vec<String>, String> {
        let entries = std::fs::read_dir(path).map_err(kind)?;
        entries.map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()).map_err(kind)).collect()
    }

    fn get_env(name: String) -> Option<String> {
        std::env::var(name).ok()
    }

    fn env_vars() -> Vec<String> {
        std::env::vars().map(|(k, v)| format!("{k}={v}")).collect()
    }

    fn args() -> Vec<String> {
        std::env::args().collect()
    }

    fn tcp_connect(addr: String) -> Result<(), String> {
        TcpStream::connect(addr).map(drop).map_err(kind)
    }

    fn udp_send(addr: String, to: String) -> Result<(), String> {
        let socket = UdpSocket::bind(addr).map_err(kind)?;
        socket.send_to(b"probe", to).map(drop).map_err(kind)
    }

    fn resolve(name: String) -> Result<Vec<String>, String> {
        // A failed lookup has no specific kind (std reports getaddrinfo's
        // error as `Uncategorized`), so the message is the observation.
        let addrs = name.to_socket_addrs().map_err(|e| e.to_string())?;
        Ok(addrs.map(|a| a.to_string()).collect())
    }
}

export!(Guest);
