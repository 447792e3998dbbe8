//! The jco host: the same presets as wasmtime's, implemented in JavaScript
//! by `hosts/jco/driver.mjs` on a chain jco transpiled (`build::jco`). One
//! Node process per case: jco can report a deadlock as an uncaught
//! exception that ends the process, and that must end only its case. The
//! request and the response are JSON files (the guests' stdout is the
//! process's stdout).

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::build::jco::JcoTools;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub mod http;
pub mod tables;
pub mod values;

/// How long past the case's own limit the driver may take to report it
/// (Node's start, importing a 1.5 MiB module) before it is killed.
const GRACE: Duration = Duration::from_secs(10);

/// One parameter of the call, as the driver builds it.
#[derive(Serialize, Debug)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Param {
    Plain,
    Stream { name: String, chunks: Vec<Vec<Value>>, pending: bool },
    Future { name: String, value: Option<Value>, pending: bool },
}

/// How a returned value's streams and futures are laid out, so the driver
/// reads each one to its end.
#[derive(Serialize, Debug, Clone)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Shape {
    Stream,
    Future,
    Tuple { items: Vec<Shape> },
    Plain,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct BazParams {
    pub delay_ms: u64,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct ScriptedParams {
    pub delay_ms: u64,
    pub reenter: Option<String>,
}

/// A case in the driver's terms.
#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    /// The transpiled chain's `.js` module.
    pub module: PathBuf,
    pub iface: Option<String>,
    pub func: String,
    /// The plain arguments, in order (jco's JSON shapes, `values`).
    pub args: Vec<Value>,
    pub params: Vec<Param>,
    pub concurrent: u32,
    pub again: bool,
    pub baz: BazParams,
    pub scripted: ScriptedParams,
    pub timeout_ms: u64,
    /// `[host] clock = "real"`: the presets' sleeps last what the case says.
    pub real_clock: bool,
    /// The function returns `result<T, E>`, which jco turns into a value or
    /// a thrown `ComponentError`.
    pub result_is_result: bool,
    pub result_shape: Option<Shape>,
    /// Instead of a call: the HTTP request to the chain's handler.
    pub http: Option<http::HttpParams>,
}

/// An error jco (or the driver) threw.
#[derive(Deserialize, Debug, Clone)]
pub struct JsError {
    pub name: String,
    pub message: String,
    #[serde(default)]
    pub stack: Option<String>,
}

/// How the call (or calls) ended, as the driver saw it.
#[derive(Deserialize, Debug)]
#[serde(untagged)]
pub enum Ended {
    Http { http: http::HttpSeen },
    Returned { returned: Vec<Value> },
    Error { error: JsError, during: String },
    TimedOut { timeout: bool },
}

/// What crossed one stream or future.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct HandleSeen {
    pub name: String,
    pub to_guest: bool,
    pub is_stream: bool,
    pub items: Vec<Value>,
    pub end: Option<String>,
}

#[derive(Deserialize, Debug)]
pub struct Response {
    pub outcome: Ended,
    pub again: Option<Ended>,
    pub events: Vec<String>,
    pub handles: Vec<HandleSeen>,
}

/// What one driver run gave: its response, or `None` when it was killed
/// at the time limit, and what the guests printed.
pub struct Run {
    pub response: Option<Response>,
    pub stdout: String,
    pub stderr: String,
}

/// Run one case through the driver, killing it when it outlives the case's
/// limit by more than `GRACE`.
pub fn run(tools: &JcoTools, request: &Request, scratch: &Path) -> Result<Run> {
    std::fs::create_dir_all(scratch).with_context(|| format!("cannot create {}", scratch.display()))?;
    let req_path = scratch.join("request.json");
    let resp_path = scratch.join("response.json");
    let _ = std::fs::remove_file(&resp_path);
    std::fs::write(&req_path, serde_json::to_vec(request)?)
        .with_context(|| format!("cannot write {}", req_path.display()))?;
    let mut child = Command::new(tools.node())
        .arg(tools.driver())
        .arg(&req_path)
        .arg(&resp_path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", tools.node().display()))?;
    let mut out = child.stdout.take().context("no stdout pipe")?;
    let mut err = child.stderr.take().context("no stderr pipe")?;
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_millis(request.timeout_ms) + GRACE;
    let killed = loop {
        if child.try_wait()?.is_some() {
            break false;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break true;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = String::from_utf8_lossy(&reader.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    if killed {
        return Ok(Run { response: None, stdout, stderr });
    }
    let text = std::fs::read(&resp_path).with_context(|| {
        format!("the jco driver ended without a response ({}); its stderr:\n{stderr}", resp_path.display())
    })?;
    let response = serde_json::from_slice(&text)
        .with_context(|| format!("the jco driver's response {} does not parse", resp_path.display()))?;
    Ok(Run { response: Some(response), stdout, stderr })
}

/// What crossed a handle as the harness logs it for wasmtime, so both
/// hosts' transcripts read the same; `payload` is the element type.
pub fn handle_log(seen: &HandleSeen, payload: Option<&wasmtime::component::Type>) -> Result<super::transmit::Log> {
    let log = super::transmit::HandleLog::new(seen.name.clone(), seen.to_guest, seen.is_stream);
    {
        let mut l = log.lock().unwrap();
        for item in &seen.items {
            let val = match payload {
                Some(ty) => values::from_js(item, ty).with_context(|| format!("an item of `{}`", seen.name))?,
                None => continue,
            };
            l.items.push(val);
        }
        l.end = seen.end.clone();
    }
    Ok(log)
}
