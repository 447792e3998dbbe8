//! Build: from guest names to a compiled chain. The guests are built once
//! (`guests`), a chain is composed into one component (`compose`), and the
//! compiled result is kept on disk across runs (`cache`). `lockfile` says
//! what the harness itself was built with. A case's own components in the
//! text format are compiled when it runs (`local`).

pub mod cache;
pub mod compose;
pub mod guests;
pub mod hasher;
pub mod jco;
pub mod local;
pub mod lockfile;

use std::path::Path;
use std::time::{Duration, SystemTime};

/// Temporary files older than this are left over from a killed run: a
/// live writer renames its file into place within seconds.
const STALE_AFTER: Duration = Duration::from_secs(3600);

/// Remove the `.*.tmp` files a killed run left in `dir` (the chain cache);
/// whatever cannot be removed stays, since they are never read.
pub fn sweep_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let now = SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let temporary = name.starts_with('.') && name.ends_with(".tmp");
        let modified = entry.metadata().and_then(|m| m.modified());
        let stale = modified.is_ok_and(|m| now.duration_since(m).is_ok_and(|age| age > STALE_AFTER));
        if temporary && stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_temporaries_are_swept_and_fresh_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, age: u64| {
            let path = dir.path().join(name);
            let f = std::fs::File::create(&path).unwrap();
            f.set_modified(SystemTime::now() - Duration::from_secs(age)).unwrap();
            path
        };
        let stale = file(".abc.cwasm.1-0.tmp", 7200);
        let fresh = file(".abc.cwasm.2-0.tmp", 10);
        let entry = file("abc.cwasm", 7200);
        sweep_temporaries(dir.path());
        assert!(!stale.exists() && fresh.exists() && entry.exists());
    }
}
