//! The Electron memory scenario: Electron apps are Chromium, so a headless
//! Chromium stands in for one. It loads the same four pages (a DOM list, a
//! canvas, a JSON store, typed arrays; shipped in `scenarios/electron/pages/`,
//! written into the setup's temporary directory, opened as file:// tabs through
//! the DevTools endpoint), once with the stock switches and once with the plan's
//! (GPU rasterization, a V8 heap limit, a renderer process limit, a cgroup memory
//! limit where cgroup v2 offers one), and the whole process tree is probed.

use super::group::Group;
use super::{alternate, keep_measurable, Options, Outcome, Step, PLAN, STOCK};
use crate::error::Result;
use std::ffi::CString;
use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The pages every setup opens, one tab each, first on the command line.
const PAGES: [(&str, &str); 4] = [
    (
        "dom-list.html",
        include_str!("../../scenarios/electron/pages/dom-list.html"),
    ),
    (
        "canvas.html",
        include_str!("../../scenarios/electron/pages/canvas.html"),
    ),
    (
        "json.html",
        include_str!("../../scenarios/electron/pages/json.html"),
    ),
    (
        "typed-arrays.html",
        include_str!("../../scenarios/electron/pages/typed-arrays.html"),
    ),
];

/// Both setups: headless, nothing fetched, no GPU (this machine has none).
const COMMON: [&str; 9] = [
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--remote-debugging-port=0",
    "--no-default-browser-check",
];

/// The plan's switches for Electron apps: GPU rasterization and zero-copy
/// uploads, a V8 old-space limit, at most two renderer processes.
pub const PLAN_SWITCHES: [&str; 5] = [
    "--enable-gpu-rasterization",
    "--enable-zero-copy",
    "--ignore-gpu-blocklist",
    "--js-flags=--max-old-space-size=128",
    "--renderer-process-limit=2",
];

/// The plan's cgroup memory limit (systemd's MemoryHigh=) for the app.
const MEMORY_HIGH: u64 = 768 << 20;

/// The browsers tried, in order.
const BROWSERS: [&str; 3] = ["chromium", "chromium-browser", "google-chrome"];

pub fn run(opts: &Options, on_step: &mut dyn FnMut(Step)) -> Result<Outcome> {
    let mut out = Outcome::default();
    let Some(browser) = BROWSERS
        .iter()
        .find_map(|b| crate::process::find_program(b.as_ref()))
    else {
        out.unmeasured.push((
            "electron-ram".into(),
            format!(
                "no Chromium to stand in for an Electron app: none of {} is on PATH",
                BROWSERS.join(", ")
            ),
        ));
        return Ok(out);
    };
    let cgroup = super::cgroup::memory_v2();
    out.setups.insert(
        STOCK.into(),
        format!("{} {}", browser.display(), COMMON.join(" ")),
    );
    out.setups.insert(
        PLAN.into(),
        format!(
            "the same with {}{}",
            PLAN_SWITCHES.join(" "),
            match &cgroup {
                Ok(_) => format!(" in a cgroup with memory.high = {} MiB", MEMORY_HIGH >> 20),
                Err(_) => String::new(),
            }
        ),
    );
    out.notes.push(
        "no GPU here, so both setups run with --disable-gpu: the GPU rasterization switches \
         cannot act, and the change is that of the V8 heap limit and the renderer process limit"
            .into(),
    );
    if let Err(why) = &cgroup {
        out.notes.push(format!(
            "the plan's cgroup memory limit was not applied: {why}"
        ));
    }
    let mut start = |setup: &str| start(&browser, setup == PLAN, cgroup.as_ref().ok());
    let results = alternate("electron", opts, &mut start, on_step)?;
    keep_measurable(&mut out, results);
    Ok(out)
}

/// One browser with the four pages open.
fn start(browser: &Path, plan: bool, cgroup: Option<&PathBuf>) -> Result<Group> {
    let mut g = Group::new("electron")?;
    let pages = g.dir().join("pages");
    std::fs::create_dir(&pages).map_err(|e| crate::error::Error::io(&pages, e))?;
    let mut urls = Vec::new();
    for (name, text) in PAGES {
        let p = pages.join(name);
        std::fs::write(&p, text).map_err(|e| crate::error::Error::io(&p, e))?;
        urls.push(format!("file://{}", p.display()));
    }
    let profile = g.dir().join("profile");
    let mut cmd = Command::new(browser);
    cmd.args(COMMON)
        .arg(format!("--user-data-dir={}", profile.display()))
        // Chromium's singleton socket goes to $TMPDIR: into the group's directory,
        // which goes with the group, not /tmp, where a killed browser leaves it.
        .env("TMPDIR", g.dir());
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        // Chromium refuses to run as root with its sandbox.
        cmd.arg("--no-sandbox");
    }
    if plan {
        cmd.args(PLAN_SWITCHES);
        if let Some(dir) = cgroup {
            let limited = super::cgroup::limited(dir, MEMORY_HIGH).map_err(|e| g.fail(e))?;
            enter_on_exec(&mut cmd, &limited);
            g.remove_after(limited);
        }
    }
    cmd.arg(&urls[0]);
    g.spawn("chromium", cmd)?;
    let port_file = profile.join("DevToolsActivePort");
    let port: u16 = g.wait_for("chromium", "DevTools port", Duration::from_secs(30), || {
        std::fs::read_to_string(&port_file)
            .ok()?
            .lines()
            .next()?
            .parse()
            .ok()
    })?;
    for url in &urls[1..] {
        open_tab(port, url).map_err(|e| g.fail(format!("cannot open {url}: {e}")))?;
    }
    Ok(g)
}

/// Moves the started process into the cgroup `dir` before it runs, so every
/// process it forks is limited too.
fn enter_on_exec(cmd: &mut Command, dir: &Path) {
    let Ok(procs) = CString::new(
        dir.join("cgroup.procs")
            .into_os_string()
            .into_encoded_bytes(),
    ) else {
        return;
    };
    // SAFETY: only async-signal-safe calls (open, write, close) between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let fd = libc::open(procs.as_ptr(), libc::O_WRONLY);
            if fd < 0 {
                return Err(std::io::Error::last_os_error());
            }
            let ok = libc::write(fd, b"0".as_ptr().cast(), 1) == 1;
            libc::close(fd);
            if ok {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
}

/// Opens `url` in a new tab: `PUT /json/new?URL` on the DevTools endpoint.
fn open_tab(port: u16, url: &str) -> std::io::Result<()> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    write!(
        s,
        "PUT /json/new?{url} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )?;
    // The endpoint keeps the connection open: the status line is all we need.
    let mut reply = Vec::new();
    let mut buf = [0u8; 512];
    while !reply.windows(2).any(|w| w == b"\r\n") {
        let n = s.read(&mut buf)?;
        if n == 0 {
            break;
        }
        reply.extend_from_slice(&buf[..n]);
    }
    let reply = String::from_utf8_lossy(&reply);
    let status = reply.lines().next().unwrap_or_default().to_string();
    if status.split_whitespace().nth(1) == Some("200") {
        Ok(())
    } else {
        Err(std::io::Error::other(format!(
            "the DevTools endpoint answered `{}`",
            crate::process::printable(&status)
        )))
    }
}
