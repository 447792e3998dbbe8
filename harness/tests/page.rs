//! `harness page` in a real browser: two real runs of the harness (the second
//! with a regression), the page built from their reports, and Debian's
//! headless Chromium driven through chromedriver (WebDriver) to check the
//! cells and totals, the filter, "only differences" and a failure's diff.
//! It ends with a screenshot in the target folder.
//!
//! Chromium is required, not optional: without it the test fails and says
//! how to install it (`.ci/run` does on CI).

mod common;
use common::text;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn harness(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_harness"))
        .args(args)
        .env_remove("HARNESS_BLESS")
        .env_remove("CI")
        .output()
        .expect("cannot run the harness binary")
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// A copy of a project case, to run from a scratch folder.
fn project_case(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cases").join(format!("{name}.toml"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Two runs of three cases each; in the second, `round-trip/sync` expects a
/// result its guest never returns. Returns the two reports.
fn two_reports(dir: &Path) -> (PathBuf, PathBuf) {
    let sync = project_case("round-trip/single/sync");
    let asynchronous = project_case("round-trip/single/async");
    let returned = toml::from_str::<toml::Table>(&sync).unwrap()["expect"]["result"].as_str().unwrap().to_string();
    let broken = sync.replace(&format!("result = '{returned}'"), "result = '\"a result this guest never returns\"'");
    assert_ne!(broken, sync, "the case does not write its result as expected");
    let mut reports = Vec::new();
    for (run, sync) in [("old", &sync), ("new", &broken)] {
        let cases = dir.join(run);
        for (file, text) in [
            ("round-trip/sync.toml", sync),
            ("round-trip/async.toml", &asynchronous),
            ("other/again.toml", &asynchronous),
        ] {
            let path = cases.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let report = dir.join(format!("{run}.json"));
        let output = harness(&["run", s(&cases), "--report", s(&report)]);
        assert_eq!(output.status.success(), run == "old", "{}", text(&output));
        reports.push(report);
    }
    (reports[0].clone(), reports[1].clone())
}

/// A chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_driver() -> Driver {
    let chromedriver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| CHROMEDRIVER.into());
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| CHROMIUM.into());
    for (what, path) in [("chromium", &chromium), ("chromedriver", &chromedriver)] {
        assert!(
            Path::new(path).is_file(),
            "{what} is not at {path}: this test needs a real browser. Install Debian's with \
             `apt-get install -y chromium chromium-driver` (.ci/run does), or point \
             CHROMIUM and CHROMEDRIVER at other binaries"
        );
    }
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {chromedriver}: {e}"));
    let driver = Driver { child, url: format!("http://127.0.0.1:{port}") };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not listen on port {port} within 20 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    driver
}

async fn browser(driver: &Driver, profile: &Path) -> Client {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| CHROMIUM.into());
    // The flags keep Chromium off the network (this machine's is closed) and
    // give it a profile of its own; --no-sandbox because CI runs as root.
    let options = json!({
        "binary": chromium,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--window-size=1300,1500", format!("--user-data-dir={}", profile.display()),
        ],
    });
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("cannot start a Chromium session")
}

async fn shown(client: &Client, css: &str) -> bool {
    client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no `{css}`: {e}")).is_displayed().await.unwrap()
}

async fn text_of(client: &Client, css: &str) -> String {
    client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no `{css}`: {e}")).text().await.unwrap()
}

/// The rows a user sees, by case name.
async fn visible_cases(client: &Client) -> Vec<String> {
    let mut names = Vec::new();
    for row in client.find_all(Locator::Css("tr.case")).await.unwrap() {
        if row.is_displayed().await.unwrap() {
            names.push(row.attr("data-name").await.unwrap().unwrap());
        }
    }
    names
}

async fn type_filter(client: &Client, text: &str) {
    let filter = client.find(Locator::Id("filter")).await.unwrap();
    filter.clear().await.unwrap();
    // clear() fires no input event; the script filters on `input`.
    filter.send_keys(if text.is_empty() { " \u{0008}" } else { text }).await.unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn the_page_shows_both_runs_filters_and_opens_a_diff() {
    let guard = tempfile::tempdir().unwrap();
    let dir = guard.path();
    let (old, new) = two_reports(dir);
    let out = dir.join("page");
    let output = harness(&["page", s(&old), s(&new), "-o", s(&out)]);
    assert!(output.status.success(), "{}", text(&output));
    let index = out.join("index.html");
    let html = std::fs::read_to_string(&index).unwrap();
    assert!(!html.contains(" src=") && !html.contains("href=\"http"), "the page must load nothing from elsewhere");

    let driver = start_driver();
    let client = browser(&driver, &dir.join("profile")).await;
    client.goto(&format!("file://{}", index.display())).await.unwrap();

    // Totals per run, and the cells of the case that regressed.
    let total = |run: usize, outcome: &str| format!("#runs td[data-run=\"{run}\"][data-outcome=\"{outcome}\"]");
    assert_eq!(text_of(&client, &total(0, "pass")).await, "3");
    assert_eq!(text_of(&client, &total(0, "fail")).await, "0");
    assert_eq!(text_of(&client, &total(1, "pass")).await, "2");
    assert_eq!(text_of(&client, &total(1, "fail")).await, "1");
    assert_eq!(text_of(&client, &total(1, "works")).await, "2/3");
    let sync = "tr.case[data-name=\"round-trip/sync\"]";
    let cells = client.find_all(Locator::Css(&format!("{sync} td.o"))).await.unwrap();
    let classes = [cells[0].attr("class").await.unwrap().unwrap(), cells[1].attr("class").await.unwrap().unwrap()];
    assert!(classes[0].contains("pass") && classes[1].contains("fail"), "{classes:?}");
    let topic = text_of(&client, "tbody[data-topic^=\"round-trip/\"] tr.topic").await;
    assert!(topic.contains("round-trip/") && topic.contains("2/2") && topic.contains("1/2"), "{topic}");

    // Two topics × two runs in the chart, and the legend; each case links
    // its file (from the first run that has it) and says what it checks.
    assert_eq!(client.find_all(Locator::Css("#chart rect")).await.unwrap().len(), 2 * 2 + 2);
    let link = client.find(Locator::Css(&format!("{sync} a"))).await.unwrap().attr("href").await.unwrap().unwrap();
    assert!(link.starts_with("file://") && link.ends_with("/old/round-trip/sync.toml"), "{link}");
    let case: toml::Table = toml::from_str(&project_case("round-trip/single/sync")).unwrap();
    let checks = case["description"].as_str().unwrap();
    assert_eq!(text_of(&client, &format!("{sync} .desc")).await, checks);

    // The filter hides what does not match, by name or by topic.
    assert_eq!(visible_cases(&client).await.len(), 3);
    type_filter(&client, "async").await;
    assert_eq!(visible_cases(&client).await, ["round-trip/async"]);
    type_filter(&client, "other/").await;
    assert_eq!(visible_cases(&client).await, ["other/again"]);
    assert!(!shown(&client, "tbody[data-topic^=\"round-trip/\"] tr.topic").await);
    type_filter(&client, "").await;
    assert_eq!(visible_cases(&client).await.len(), 3);
    client.find(Locator::Id("only-diff")).await.unwrap().click().await.unwrap();
    assert_eq!(visible_cases(&client).await, ["round-trip/sync"]);
    client.find(Locator::Id("only-diff")).await.unwrap().click().await.unwrap();

    // Clicking the failing cell opens its diff, first divergence marked.
    let failing = client.find(Locator::Css(&format!("{sync} td.fail"))).await.unwrap();
    let detail = format!("#{}", failing.attr("data-detail").await.unwrap().unwrap());
    assert!(!shown(&client, &detail).await, "the diff shows before any click");
    failing.click().await.unwrap();
    assert!(shown(&client, &detail).await, "clicking the failing cell shows no diff");
    let first = text_of(&client, &format!("{detail} mark.first")).await;
    assert!(first.starts_with("first difference") && first.contains("a result this guest never returns"), "{first}");
    let changed = text_of(&client, &format!("{detail} span.first")).await;
    assert!(changed.starts_with('-') && changed.contains("a result this guest never returns"), "{changed}");

    screenshot(&client, "page.png").await;

    // The README's pictures: the same browser on a page of other reports
    // (PAGE_REPORTS, comma-separated; e.g. the fork drill's two), at the
    // top, then showing only differences with the first one's diff open.
    if let Ok(reports) = std::env::var("PAGE_REPORTS") {
        let out = dir.join("reports-page");
        let mut args = vec!["page"];
        args.extend(reports.split(','));
        args.extend(["-o", s(&out)]);
        let output = harness(&args);
        assert!(output.status.success(), "{}", text(&output));
        client.goto(&format!("file://{}", out.join("index.html").display())).await.unwrap();
        screenshot(&client, "page-reports.png").await;
        client.find(Locator::Id("only-diff")).await.unwrap().click().await.unwrap();
        if let Ok(cell) = client.find(Locator::Css("tr.case:not([hidden]) td[data-detail]")).await {
            cell.click().await.unwrap();
        }
        client.execute("document.getElementById('controls').scrollIntoView()", Vec::new()).await.unwrap();
        screenshot(&client, "page-reports-differences.png").await;
    }
    client.close().await.unwrap();
}

async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&shot, png).unwrap();
    println!("screenshot: {}", shot.display());
}
