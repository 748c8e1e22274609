//! The report end to end: a real quick run of two variants (the system's
//! libraries, and byte-identical copies of them under a hostile name), then
//! `storebench report`, then the page loaded in headless Chromium, the way a
//! user's browser would load it.
//!
//! Needs Debian's `chromium` (scripts/deps/test.txt; `scripts/test` installs it).

mod common;

use common::{copy_system_libs, read_json, storebench, text, SYSTEM_LIBS};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

const HOSTILE: &str = "<script>alert(1)</script>";
const LIBS: [&str; 7] = [
    "libz.so.1",
    "libzstd.so.1",
    "liblzma.so.5",
    "libbz2.so.1.0",
    "libcrypto.so.3",
    "libssl.so.3",
    "libsqlite3.so.0",
];
/// One benchmark or two from each group, so every chart kind of a run appears.
const BENCHES: [&str; 4] = [
    "compress/zlib/l1/text",
    "decompress/zstd/l3/json",
    "aes/256-gcm/encrypt/16384",
    "sqlite/point-lookup",
];

/// Runs the quick benchmark subset and returns the results document's path.
fn quick_run(work: &Path) -> PathBuf {
    // Copies of the system's libraries: same bytes, another directory.
    let copies = copy_system_libs(&LIBS);
    let json = work.join("run.json");
    let mut cmd = storebench();
    cmd.current_dir(work)
        .args(["run", "--quick", "--seed", "7"]);
    for b in BENCHES {
        cmd.args(["--bench", b]);
    }
    let out = cmd
        .arg("--variant")
        .arg(format!("a={SYSTEM_LIBS}"))
        .arg("--variant")
        .arg(format!("{HOSTILE}={}", copies.path().display()))
        .arg("--json")
        .arg(&json)
        .arg("--report-dir")
        .arg(work.join("run-report"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "run failed: {}", text(&out));
    // `run` writes a report by default and says where.
    let page = work.join("run-report/index.html");
    assert!(page.is_file(), "run wrote no report: {stderr}");
    assert!(
        stderr.contains(&format!("report: file://{}", page.display())),
        "{stderr}"
    );
    json
}

fn chromium() -> &'static str {
    let found = std::process::Command::new("chromium")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "headless Chromium is needed: install Debian's `chromium` (scripts/install-deps test)"
    );
    "chromium"
}

/// Runs Chromium headless on `url` with `extra` flags and a fresh profile,
/// returning (stdout, stderr). Kills it after a minute rather than hang CI.
fn headless(url: &str, extra: &[&str]) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let out = tempfile::NamedTempFile::new().unwrap();
    let err = tempfile::NamedTempFile::new().unwrap();
    let mut child = std::process::Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .env("TMPDIR", profile.path())
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(out.reopen().unwrap())
        .stderr(err.reopen().unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let stderr = std::fs::read_to_string(err.path()).unwrap();
            assert!(status.success(), "chromium failed ({status}): {stderr}");
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within a minute on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (
        std::fs::read_to_string(out.path()).unwrap(),
        std::fs::read_to_string(err.path()).unwrap(),
    )
}

/// Every `<figure class="chart">` and the SVG inside it.
fn chart_svgs(dom: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = dom;
    while let Some(start) = rest.find("<figure class=\"chart\"") {
        let end = rest[start..]
            .find("</figure>")
            .map(|e| start + e)
            .expect("an unclosed figure");
        let figure = &rest[start..end];
        let id = figure
            .split("id=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_default()
            .to_string();
        let svg = figure
            .find("<svg")
            .and_then(|s| {
                figure[s..]
                    .find("</svg>")
                    .map(|e| figure[s..s + e].to_string())
            })
            .unwrap_or_default();
        out.push((id, svg));
        rest = &rest[end..];
    }
    out
}

#[test]
fn a_real_run_renders_a_page_chromium_loads_cleanly() {
    let work = tempfile::tempdir().unwrap();
    let json = quick_run(work.path());
    let doc = read_json(&json);

    let out_dir = work.path().join("report");
    let out = storebench()
        .arg("report")
        .arg(&json)
        .arg("-o")
        .arg(&out_dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "report failed: {}", text(&out));
    let page = out_dir.join("index.html");
    let url = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(url, format!("file://{}", page.display()));
    let ms: f64 = stderr
        .split("rendered in ")
        .nth(1)
        .and_then(|s| s.split(" ms").next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no render time in {stderr}"));
    assert!(ms < 1000.0, "rendering took {ms} ms");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.len() < 2 << 20, "the page is {} bytes", html.len());

    // The page as the browser builds it: no console message at all (the page
    // has no script, so any message is an error: a blocked script, a fetch).
    let (dom, log) = headless(&url, &["--dump-dom"]);
    let console: Vec<&str> = log.lines().filter(|l| l.contains("CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:#?}");
    assert!(dom.contains("</html>"), "no DOM dumped: {log}");

    // The hostile variant name is text, never an element.
    assert!(
        !dom.to_lowercase().contains("<script"),
        "a script element got into the page"
    );
    assert!(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

    // Every chart is an SVG with something drawn in it.
    let charts = chart_svgs(&dom);
    let groups: HashSet<&str> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["group"].as_str().unwrap())
        .collect();
    for (id, svg) in &charts {
        let marks = [
            "<rect",
            "<circle",
            "<polygon",
            "<polyline",
            "<line",
            "<path",
        ]
        .iter()
        .map(|m| svg.matches(m).count())
        .sum::<usize>();
        assert!(
            marks > 5 && svg.contains("<text"),
            "chart {id} is empty: {svg:.300}"
        );
    }
    let ids: Vec<&str> = charts.iter().map(|(id, _)| id.as_str()).collect();
    for group in &groups {
        assert!(
            ids.contains(&format!("chart-distribution-{group}").as_str()),
            "{ids:?}"
        );
        assert!(
            ids.iter()
                .any(|i| i.starts_with(&format!("chart-throughput-{group}"))),
            "{ids:?}"
        );
    }
    // Comparisons and claims are drawn whenever the document carries them.
    let has = |key: &str| doc[key].as_array().is_some_and(|a| !a.is_empty());
    if has("comparisons") {
        for group in &groups {
            assert!(
                ids.contains(&format!("chart-forest-{group}").as_str()),
                "{ids:?}"
            );
        }
    }
    assert!(dom.contains("id=\"claims-table\""));
    if has("claims") {
        assert!(ids.contains(&"chart-claims"), "{ids:?}");
        assert_eq!(
            dom.matches("<tr class=\"claim\">").count(),
            doc["claims"].as_array().unwrap().len()
        );
    }
    // The copies are byte-identical: the page must say A/A at the top.
    assert!(dom.contains("A/A comparison:"));

    // A screenshot that is not blank: charts, badges and text make many colours.
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report-screenshot.png");
    let _ = std::fs::remove_file(&shot);
    let (_, log) = headless(
        &url,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,2400",
        ],
    );
    let (colours, inked) =
        png_colours(&shot).unwrap_or_else(|e| panic!("{}: {e}: {log}", shot.display()));
    assert!(
        colours >= 64,
        "only {colours} distinct colours in {}",
        shot.display()
    );
    assert!(
        inked > 0.02,
        "only {:.1} % of {} is not white",
        inked * 100.0,
        shot.display()
    );
}

/// Distinct RGB colours of a PNG, and the share of pixels that are not white.
fn png_colours(path: &Path) -> Result<(usize, f64), String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let mut buf = vec![0; reader.output_buffer_size().ok_or("image too large")?];
    let info = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    let channels = info.color_type.samples();
    if channels < 3 {
        return Err(format!("a {:?} screenshot", info.color_type));
    }
    let pixels = &buf[..info.buffer_size()];
    let mut seen = HashSet::new();
    let mut inked = 0usize;
    let total = pixels.len() / channels;
    for px in pixels.chunks_exact(channels) {
        seen.insert((px[0], px[1], px[2]));
        if px[..3] != [255, 255, 255] {
            inked += 1;
        }
    }
    Ok((seen.len(), inked as f64 / total as f64))
}

#[test]
fn report_refuses_a_file_that_is_not_a_results_document() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("hyperfine.json");
    std::fs::write(&json, r#"{"results": []}"#).unwrap();
    let out = storebench()
        .arg("report")
        .arg(&json)
        .arg("-o")
        .arg(dir.path().join("r"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is not a storebench results document") && stderr.contains("schema"),
        "{stderr}"
    );
    assert!(!dir.path().join("r").exists());
}

#[test]
fn report_needs_a_document() {
    let out = storebench().arg("report").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}
