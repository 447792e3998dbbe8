//! A stable hash for cache keys and stamps: SHA-256, so it does not change
//! with the Rust version as `DefaultHasher` may.

use std::hash::Hasher;

use sha2::{Digest as _, Sha256};

/// A SHA-256 that std's `Hash` impls can feed, for inputs that are only
/// available as `impl Hash` (the engine's compatibility hash). Unlike
/// `DefaultHasher`, its output does not depend on the Rust version.
#[derive(Default)]
pub struct StableHasher(Sha256);

impl StableHasher {
    pub fn new() -> StableHasher {
        StableHasher::default()
    }

    /// Length-prefixed, so consecutive fields cannot run into each other.
    pub fn field(&mut self, bytes: &[u8]) {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    pub fn hex(self) -> String {
        self.0.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl Hasher for StableHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// `Hasher` requires it; nothing here reads a 64-bit digest.
    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        u64::from_le_bytes(digest[..8].try_into().unwrap())
    }
}
