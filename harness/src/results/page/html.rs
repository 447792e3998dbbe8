//! The page's HTML: built here as text, so the page needs no script to show
//! its data; the inline script only filters rows and opens diffs.

use std::fmt::Write as _;

use super::super::{CaseResult, Outcome};
use super::{Group, Row, Run, Tally, switches, tally};

const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

/// One colour per run in the chart, repeating after ten.
const PALETTE: [&str; 10] =
    ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

pub fn page(runs: &[Run], groups: &[Group], to_root: &str) -> String {
    let mut out = String::new();
    let total: usize = groups.iter().map(|g| g.rows.len()).sum();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Conformance: {total} cases × {} run(s)</title><style>{STYLE}</style></head><body>\n\
         <h1>Component Model async conformance</h1>\n<p>{total} cases in {} topics, {} run(s). \
         Click a failing cell for its diff.</p>",
        runs.len(),
        groups.len(),
        runs.len()
    );
    runs_table(&mut out, runs, groups);
    chart(&mut out, runs, groups);
    let _ = writeln!(
        out,
        "<div id=\"controls\"><label>Filter <input id=\"filter\" type=\"search\" \
         placeholder=\"case name or topic\"></label> <label><input id=\"only-diff\" type=\"checkbox\"> \
         show only differences between runs</label> <span id=\"shown\"></span></div>"
    );
    matrix(&mut out, runs, groups, to_root);
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body></html>\n");
    out
}

/// One column per run: what it ran on, and its totals per outcome.
fn runs_table(out: &mut String, runs: &[Run], groups: &[Group]) {
    out.push_str("<h2>Runs</h2>\n<table id=\"runs\"><thead><tr><th></th>");
    for (i, run) in runs.iter().enumerate() {
        let _ = write!(out, "<th title=\"{}\">{}</th>", esc(&run.path), run_label(i, run));
    }
    out.push_str("</tr></thead><tbody>\n");
    for name in ["host", "version", "patched", "config switches", "commit"] {
        let _ = write!(out, "<tr><th>{name}</th>");
        for run in runs {
            let _ = write!(out, "<td>{}</td>", esc(&field(name, run)));
        }
        out.push_str("</tr>\n");
    }
    for outcome in Outcome::ALL {
        let _ =
            write!(out, "<tr class=\"total\"><th><span class=\"o {}\">{}</span></th>", class(outcome), outcome.name());
        for (i, _) in runs.iter().enumerate() {
            let t = tally(groups.iter().flat_map(|g| g.rows.iter().map(move |r| r.cells[i])));
            let _ = write!(
                out,
                "<td class=\"n\" data-run=\"{i}\" data-outcome=\"{}\">{}</td>",
                key(outcome),
                t.get(outcome)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("<tr class=\"total\"><th>works / ran</th>");
    for (i, _) in runs.iter().enumerate() {
        let t = tally(groups.iter().flat_map(|g| g.rows.iter().map(move |r| r.cells[i])));
        let _ = write!(out, "<td class=\"n\" data-run=\"{i}\" data-outcome=\"works\">{}</td>", rate(&t));
    }
    out.push_str("</tr>\n</tbody></table>\n");
}

/// A horizontal bar per topic and run: the share of the cases that ran
/// whose behaviour works.
fn chart(out: &mut String, runs: &[Run], groups: &[Group]) {
    let (label_w, bar_w, bar_h, gap) = (330.0, 420.0, 11.0, 9.0);
    let group_h = bar_h * runs.len() as f64 + gap;
    let height = group_h * groups.len() as f64 + 30.0;
    let _ = write!(
        out,
        "<h2>Pass rate per topic</h2>\n<p class=\"note\">Cases whose behaviour works (pass or unexpected pass) \
         among those that ran; known failures count as not working.</p>\n\
         <svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\">\n",
        label_w + bar_w + 60.0
    );
    for (g, group) in groups.iter().enumerate() {
        let y0 = g as f64 * group_h;
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"label\">{}</text>",
            label_w - 6.0,
            y0 + group_h / 2.0,
            esc(&group.title)
        );
        for (i, run) in runs.iter().enumerate() {
            let (works, ran) = tally(group.rows.iter().map(|r| r.cells[i])).works_of_ran();
            let y = y0 + bar_h * i as f64;
            let share = if ran == 0 { 0.0 } else { works as f64 / ran as f64 };
            let text = if ran == 0 { "n/a".to_string() } else { format!("{:.0}%", share * 100.0) };
            let _ = writeln!(
                out,
                "<rect x=\"{label_w}\" y=\"{y}\" width=\"{:.1}\" height=\"{}\" fill=\"{}\"><title>{}: {} {works}/{ran}</title></rect>\
                 <text x=\"{:.1}\" y=\"{}\" class=\"pct\">{text}</text>",
                share * bar_w,
                bar_h - 2.0,
                PALETTE[i % PALETTE.len()],
                esc(&group.title),
                esc(&run.label),
                label_w + share * bar_w + 4.0,
                y + bar_h - 3.0
            );
        }
    }
    let y = group_h * groups.len() as f64 + 14.0;
    for (i, run) in runs.iter().enumerate() {
        let x = label_w + 110.0 * (i % 4) as f64;
        let y = y + 14.0 * (i / 4) as f64;
        let colour = PALETTE[i % PALETTE.len()];
        let _ = writeln!(
            out,
            "<rect x=\"{x}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{}\" y=\"{y}\" class=\"label\">{}</text>",
            y - 9.0,
            x + 14.0,
            esc(&run.label)
        );
    }
    out.push_str("</svg>\n");
}

/// The cases: a header row per topic with its totals, a row per case, and
/// after it a hidden row per failing cell with that run's diff.
fn matrix(out: &mut String, runs: &[Run], groups: &[Group], to_root: &str) {
    out.push_str("<h2>Cases</h2>\n<table id=\"matrix\"><thead><tr><th>case</th>");
    for (i, run) in runs.iter().enumerate() {
        let _ = write!(out, "<th>{}</th>", run_label(i, run));
    }
    out.push_str("</tr></thead>\n");
    let mut detail = 0;
    for group in groups {
        let topic = esc(&group.title);
        let _ =
            write!(out, "<tbody data-topic=\"{topic}\"><tr class=\"topic\"><th>{topic} ({})</th>", group.rows.len());
        for i in 0..runs.len() {
            let t = tally(group.rows.iter().map(|r| r.cells[i]));
            let counts: Vec<String> =
                Outcome::ALL.iter().filter(|o| t.get(**o) > 0).map(|o| format!("{} {}", t.get(*o), o.name())).collect();
            let _ = write!(out, "<td class=\"n\" title=\"{}\">{}</td>", esc(&counts.join(", ")), rate(&t));
        }
        out.push_str("</tr>\n");
        for row in &group.rows {
            case_row(out, row, runs, to_root, &mut detail);
        }
        out.push_str("</tbody>\n");
    }
    out.push_str("</table>\n");
}

fn case_row(out: &mut String, row: &Row, runs: &[Run], to_root: &str, detail: &mut usize) {
    // A case outside the project (a report of a folder elsewhere) is
    // linked where it was.
    let href =
        if row.file.starts_with('/') { format!("file://{}", row.file) } else { format!("{to_root}/{}", row.file) };
    let _ = write!(
        out,
        "<tr class=\"case\" data-name=\"{}\" data-diff=\"{}\"><td><a href=\"{}\">{}</a>",
        esc(row.name),
        u8::from(row.differs()),
        esc(&href),
        esc(row.name)
    );
    if let Some(d) = &row.description {
        let _ = write!(out, "<div class=\"desc\">{}</div>", esc(d));
    }
    out.push_str("</td>");
    let mut details = String::new();
    for (i, cell) in row.cells.iter().enumerate() {
        let Some(case) = cell else {
            out.push_str("<td class=\"o none\" title=\"not in this run\">—</td>");
            continue;
        };
        let failed =
            matches!(case.outcome, Outcome::Fail | Outcome::KnownFailure | Outcome::TimedOut | Outcome::UnexpectedPass);
        if failed {
            *detail += 1;
            let id = format!("d{detail}");
            let _ = write!(
                out,
                "<td class=\"o {} open\" data-detail=\"{id}\" title=\"{}\">{}</td>",
                class(case.outcome),
                esc(case.summary.as_deref().unwrap_or_default()),
                case.outcome.name()
            );
            diff_row(&mut details, &id, &runs[i].label, case, runs.len() + 1);
        } else {
            let _ = write!(out, "<td class=\"o {}\">{}</td>", class(case.outcome), case.outcome.name());
        }
    }
    out.push_str("</tr>\n");
    out.push_str(&details);
}

/// What went wrong in one cell: the reason it is a known failure, and the
/// failure message with its first divergence marked.
fn diff_row(out: &mut String, id: &str, run: &str, case: &CaseResult, span: usize) {
    let _ = write!(
        out,
        "<tr class=\"detail\" id=\"{id}\" hidden><td colspan=\"{span}\"><div class=\"head\">{} in run {}</div>",
        case.outcome.name(),
        esc(run)
    );
    if let Some(reason) = &case.reason {
        let _ = write!(out, "<div class=\"reason\">listed as a known failure: {}</div>", esc(reason));
    }
    out.push_str("<pre>");
    match (&case.detail, &case.summary) {
        (Some(text), _) => out.push_str(&marked(text)),
        // Reports written before `detail` carry only the first divergence.
        (None, Some(summary)) => {
            let _ = write!(out, "<mark class=\"first\">{}</mark>", esc(summary));
        }
        (None, None) => out.push_str("(the report has no failure message for this case)"),
    }
    out.push_str("</pre></td></tr>\n");
}

/// The failure message, escaped, with diff lines coloured and the first
/// divergence marked: the "first difference" line, and the first changed
/// line of the diff.
fn marked(text: &str) -> String {
    let mut out = String::new();
    let (mut said, mut in_hunk, mut changed) = (false, false, false);
    for line in text.lines() {
        let e = esc(line);
        if !said && line.starts_with("first difference") {
            said = true;
            let _ = writeln!(out, "<mark class=\"first\">{e}</mark>");
        } else if line.starts_with("@@") {
            in_hunk = true;
            let _ = writeln!(out, "<span class=\"hunk\">{e}</span>");
        } else if in_hunk
            && (line.starts_with('-') || line.starts_with('+'))
            && !line.starts_with("---")
            && !line.starts_with("+++")
        {
            let kind = if line.starts_with('-') { "del" } else { "add" };
            let first = if changed { "" } else { " first" };
            changed = true;
            let _ = writeln!(out, "<span class=\"{kind}{first}\">{e}</span>");
        } else {
            let _ = writeln!(out, "{e}");
        }
    }
    out
}

fn run_label(i: usize, run: &Run) -> String {
    format!("<span class=\"swatch\" style=\"background:{}\"></span>{}", PALETTE[i % PALETTE.len()], esc(&run.label))
}

/// The version of the crate the host is named after (`wasmtime 48.0.8`).
fn host_version(run: &Run) -> String {
    let env = &run.report.environment;
    let found: Vec<String> = env
        .crates
        .iter()
        .filter(|c| c.name == env.host)
        .map(|c| {
            if c.patched {
                format!("{} {} ({})", c.name, c.version, c.source)
            } else {
                format!("{} {}", c.name, c.version)
            }
        })
        .collect();
    if found.is_empty() { "not recorded".into() } else { found.join(", ") }
}

/// A line of the runs table: what the run ran on.
fn field(name: &str, run: &Run) -> String {
    let env = &run.report.environment;
    match name {
        "host" => env.host.clone(),
        "version" => host_version(run),
        "patched" => patched(run),
        "config switches" => {
            let s = switches(&run.report);
            if s.is_empty() {
                "none".into()
            } else {
                s.iter().map(|(k, n)| format!("{k} ({n})")).collect::<Vec<_>>().join(", ")
            }
        }
        _ => {
            let short: String = env.commit.chars().take(12).collect();
            format!("{short}{}", if env.dirty == Some(true) { " (dirty)" } else { "" })
        }
    }
}

fn patched(run: &Run) -> String {
    let crates: Vec<&str> =
        run.report.environment.crates.iter().filter(|c| c.patched).map(|c| c.name.as_str()).collect();
    if crates.is_empty() { "no".into() } else { format!("yes: {}", crates.join(", ")) }
}

fn rate(t: &Tally) -> String {
    match t.works_of_ran() {
        (_, 0) => "n/a".into(),
        (works, ran) => format!("{works}/{ran}"),
    }
}

/// The report's name of an outcome, for the test and the script.
fn key(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Pass => "pass",
        Outcome::Fail => "fail",
        Outcome::KnownFailure => "known_failure",
        Outcome::UnexpectedPass => "unexpected_pass",
        Outcome::TimedOut => "timed_out",
        Outcome::Skipped => "skipped",
    }
}

fn class(outcome: Outcome) -> String {
    key(outcome).replace('_', "-")
}

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_the_first_difference_and_the_first_changed_line() {
        let text = "checks: x\nfirst difference at line 2: expected `a`, got `<b>`\n--- expected\n+++ actual\n@@ -1,2 +1,2 @@\n same\n-a\n+<b>";
        let html = marked(text);
        assert!(
            html.contains("<mark class=\"first\">first difference at line 2: expected `a`, got `&lt;b&gt;`</mark>")
        );
        assert!(html.contains("<span class=\"del first\">-a</span>"));
        assert!(html.contains("<span class=\"add\">+&lt;b&gt;</span>"));
        assert!(html.contains("--- expected\n"), "headers stay plain: {html}");
    }
}
