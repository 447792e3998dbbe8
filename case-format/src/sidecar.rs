//! Sidecar transcript files (`expect.transcript-file`). A case file is data
//! that CI runs from any pull request, so the file it names must stay inside
//! the case's folder: a relative path without `..`, never a `.toml` (a case
//! file), and a regular file (no FIFO, device or symlink leading out). Both
//! loading (which reads it) and bless (which rewrites it) go through here.

use std::io::Read as _;
use std::path::{Component, Path, PathBuf};

/// Largest sidecar file read, in bytes: far more than any transcript needs.
pub const MAX_BYTES: u64 = 16 << 20;

/// The path of the sidecar `name` of the case file at `case_path`, or why
/// the name is refused. Checks only the name; `check_file` checks the file.
pub fn resolve(case_path: &Path, name: &str) -> Result<PathBuf, String> {
    let rel = Path::new(name);
    if name.is_empty() {
        return Err("`transcript-file` is empty; name a file next to the case".into());
    }
    for component in rel.components() {
        match component {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => {
                return Err(format!("`transcript-file` `{name}` contains `..`; it must stay in the case's folder"));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!(
                    "`transcript-file` `{name}` is an absolute path; give a path relative to the case's folder"
                ));
            }
        }
    }
    if rel.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml")) {
        return Err(format!("`transcript-file` `{name}` is a `.toml` file; a sidecar must never be a case file"));
    }
    Ok(case_path.parent().unwrap_or(Path::new("")).join(rel))
}

/// Check that `path` (from `resolve`) is a regular file that, with every
/// symlink resolved, is still inside the folder of `case_path` and is not the
/// case file itself.
pub fn check_file(case_path: &Path, path: &Path) -> std::io::Result<()> {
    let refuse = |why: &str| Err(std::io::Error::other(why.to_string()));
    let dir = case_path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let dir = dir.canonicalize()?;
    let real = path.canonicalize()?;
    if !real.starts_with(&dir) {
        return refuse("it resolves (through a symlink) to a file outside the case's folder");
    }
    if case_path.canonicalize().is_ok_and(|c| c == real) {
        return refuse("it is the case file itself");
    }
    if real.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml")) {
        return refuse("it resolves to a `.toml` file; a sidecar must never be a case file");
    }
    let meta = std::fs::metadata(&real)?;
    if !meta.is_file() {
        return refuse("it is not a regular file (a FIFO, device or folder is never read)");
    }
    if meta.len() > MAX_BYTES {
        return refuse(&format!("it is {} bytes, more than the {MAX_BYTES} a transcript file may have", meta.len()));
    }
    Ok(())
}

/// Read the sidecar at `path` of the case at `case_path`, after `check_file`,
/// and never more than `MAX_BYTES`.
pub fn read(case_path: &Path, path: &Path) -> std::io::Result<String> {
    check_file(case_path, path)?;
    let mut text = String::new();
    std::fs::File::open(path)?.take(MAX_BYTES + 1).read_to_string(&mut text)?;
    if text.len() as u64 > MAX_BYTES {
        return Err(std::io::Error::other(format!(
            "it has more than the {MAX_BYTES} bytes a transcript file may have"
        )));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_leave_the_folder_are_refused() {
        let case = Path::new("cases/x/case.toml");
        assert_eq!(resolve(case, "case.transcript").unwrap(), Path::new("cases/x/case.transcript"));
        assert_eq!(resolve(case, "sub/a.txt").unwrap(), Path::new("cases/x/sub/a.txt"));
        assert!(resolve(case, "../../outside/victim.txt").unwrap_err().contains("`..`"));
        assert!(resolve(case, "sub/../../x.txt").unwrap_err().contains("`..`"));
        assert!(resolve(case, "/proc/self/environ").unwrap_err().contains("absolute"));
        assert!(resolve(case, "/etc/passwd").unwrap_err().contains("absolute"));
        assert!(resolve(case, "case.toml").unwrap_err().contains(".toml"));
        assert!(resolve(case, "other.TOML").unwrap_err().contains(".toml"));
        assert!(resolve(case, "").unwrap_err().contains("empty"));
    }

    #[test]
    fn only_regular_files_inside_the_folder_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let case = dir.path().join("cases/case.toml");
        std::fs::create_dir_all(dir.path().join("cases/sub")).unwrap();
        std::fs::write(&case, "x").unwrap();
        std::fs::write(dir.path().join("cases/ok.transcript"), "a\n").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "secret\n").unwrap();
        assert_eq!(read(&case, &dir.path().join("cases/ok.transcript")).unwrap(), "a\n");
        // A folder is not a file.
        assert!(read(&case, &dir.path().join("cases/sub")).is_err());
        #[cfg(unix)]
        {
            let link = dir.path().join("cases/link.transcript");
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), &link).unwrap();
            let e = read(&case, &link).unwrap_err().to_string();
            assert!(e.contains("outside the case's folder"), "{e}");
            let to_case = dir.path().join("cases/self.transcript");
            std::os::unix::fs::symlink(&case, &to_case).unwrap();
            let e = read(&case, &to_case).unwrap_err().to_string();
            assert!(e.contains("case file itself"), "{e}");
            let dev = dir.path().join("cases/zero.transcript");
            std::os::unix::fs::symlink("/dev/zero", &dev).unwrap();
            assert!(read(&case, &dev).is_err());
            // A FIFO is refused without opening it (opening would block).
            let fifo = dir.path().join("cases/fifo.transcript");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                let e = read(&case, &fifo).unwrap_err().to_string();
                assert!(e.contains("not a regular file"), "{e}");
            }
        }
    }
}
