//! The desktop memory scenario: a minimal KDE session under Xvfb — a D-Bus
//! session bus, KWin (X11) and Baloo's file indexer over a fixed set of
//! documents — as it stands (`stock`: compositing on, Baloo indexing) and with
//! the plan's settings (`plan`: compositing and with it every effect off in
//! kwinrc, Baloo disabled in baloofilerc), probed as `desktop` over the session's
//! process trees. Where a part cannot run here, the claim is not measured and the
//! reason names it.

use super::group::Group;
use super::{alternate, keep_measurable, Options, Outcome, Step, PLAN, STOCK};
use crate::error::{Error, Result};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The programs of the session, in start order.
const PROGRAMS: [&str; 4] = ["Xvfb", "dbus-daemon", "kwin_x11", "baloo_file"];

/// Documents Baloo finds in the session's home, and their size.
const DOCUMENTS: usize = 400;
const WORDS_PER_DOCUMENT: usize = 600;

const STOCK_KWINRC: &str = "[Compositing]\nEnabled=true\n";
const PLAN_KWINRC: &str = "[Compositing]\nEnabled=false\n";
const STOCK_BALOO: &str = "[Basic Settings]\nIndexing-Enabled=true\n";
const PLAN_BALOO: &str = "[Basic Settings]\nIndexing-Enabled=false\n";

pub fn run(opts: &Options, on_step: &mut dyn FnMut(Step)) -> Result<Outcome> {
    let mut out = Outcome::default();
    let mut found = Vec::new();
    let missing: Vec<&str> = PROGRAMS
        .iter()
        .copied()
        .filter(|p| match crate::process::find_program(p.as_ref()) {
            Some(path) => {
                found.push(path);
                false
            }
            None => true,
        })
        .collect();
    if !missing.is_empty() {
        out.unmeasured.push((
            "desktop-ram".into(),
            format!(
                "the session cannot start here: {} not on PATH (Debian: xvfb, dbus-daemon, kwin-x11, baloo-kf5)",
                missing.join(", ")
            ),
        ));
        return Ok(out);
    }
    out.setups.insert(
        STOCK.into(),
        "Xvfb, D-Bus, KWin X11 with compositing on (kwinrc [Compositing] Enabled=true), \
         Baloo indexing a home of 400 documents"
            .into(),
    );
    out.setups.insert(
        PLAN.into(),
        "the same with compositing and its effects off (kwinrc [Compositing] Enabled=false, \
         KWIN_COMPOSE=N) and Baloo disabled (baloofilerc Indexing-Enabled=false)"
            .into(),
    );
    out.notes.push(
        "no Plasma shell (plasmashell) here: the session is KWin, Baloo and what they start, \
         under Xvfb with Mesa's software OpenGL"
            .into(),
    );
    let mut start = |setup: &str| start(&found, setup == PLAN);
    match alternate("desktop", opts, &mut start, on_step) {
        Ok(results) => keep_measurable(&mut out, results),
        Err(Error::Scenario { why, .. }) => out.unmeasured.push((
            "desktop-ram".into(),
            format!("the session did not run here: {why}"),
        )),
        Err(e) => return Err(e),
    }
    Ok(out)
}

/// One session: Xvfb, its bus, kglobalaccel (so D-Bus need not start it out of
/// reach), KWin and Baloo, in a private home.
fn start(programs: &[PathBuf], plan: bool) -> Result<Group> {
    let mut g = Group::new("desktop")?;
    let home = g.dir().join("home");
    let env = Env::make(&home, plan).map_err(|e| Error::io(&home, e))?;
    let mut xvfb = Command::new(&programs[0]);
    xvfb.args([
        "-displayfd",
        "1",
        "-screen",
        "0",
        "1920x1080x24",
        "-nolisten",
        "tcp",
    ]);
    g.spawn("Xvfb", xvfb)?;
    let log = g.log_path("Xvfb");
    let display: u32 = g.wait_for("Xvfb", "display number", Duration::from_secs(20), || {
        std::fs::read_to_string(&log)
            .ok()?
            .lines()
            .find_map(|l| l.trim().parse().ok())
    })?;
    let bus = g.dir().join("bus");
    let mut dbus = Command::new(&programs[1]);
    dbus.args(["--session", "--nofork", "--nopidfile"])
        .arg(format!("--address=unix:path={}", bus.display()));
    g.spawn("dbus-daemon", dbus)?;
    g.wait_for("dbus-daemon", "bus socket", Duration::from_secs(20), || {
        bus.exists().then_some(())
    })?;
    let session = |program: &Path| {
        let mut c = Command::new(program);
        env.apply(&mut c, display, &bus);
        c
    };
    if let Some(accel) = crate::process::find_program("kglobalaccel5".as_ref()) {
        g.spawn("kglobalaccel5", session(&accel))?;
    }
    let mut kwin = session(&programs[2]);
    if plan {
        kwin.env("KWIN_COMPOSE", "N");
    }
    g.spawn("kwin_x11", kwin)?;
    g.spawn("baloo_file", session(&programs[3]))?;
    std::thread::sleep(Duration::from_secs(1));
    g.check_alive("kwin_x11")?;
    Ok(g)
}

/// The session's private home and configuration.
struct Env {
    home: PathBuf,
}

impl Env {
    fn make(home: &Path, plan: bool) -> std::io::Result<Env> {
        let config = home.join(".config");
        std::fs::create_dir_all(&config)?;
        let runtime = home.join("run");
        std::fs::create_dir_all(&runtime)?;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700))?;
        let (kwinrc, baloo) = if plan {
            (PLAN_KWINRC, PLAN_BALOO)
        } else {
            (STOCK_KWINRC, STOCK_BALOO)
        };
        std::fs::write(config.join("kwinrc"), kwinrc)?;
        std::fs::write(config.join("baloofilerc"), baloo)?;
        documents(&home.join("Documents"))?;
        Ok(Env { home: home.into() })
    }

    fn apply(&self, c: &mut Command, display: u32, bus: &Path) {
        let h = &self.home;
        c.env("HOME", h)
            .env("XDG_CONFIG_HOME", h.join(".config"))
            .env("XDG_DATA_HOME", h.join(".local/share"))
            .env("XDG_CACHE_HOME", h.join(".cache"))
            .env("XDG_RUNTIME_DIR", h.join("run"))
            .env("DISPLAY", format!(":{display}"))
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                format!("unix:path={}", bus.display()),
            )
            .env("QT_QPA_PLATFORM", "xcb")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("SESSION_MANAGER");
    }
}

/// The same documents in every session: text of a fixed word sequence.
fn documents(dir: &Path) -> std::io::Result<()> {
    const WORDS: [&str; 16] = [
        "store", "bench", "zlib", "kwin", "baloo", "memory", "render", "index", "plasma", "window",
        "effect", "session", "desktop", "claim", "paired", "repeat",
    ];
    std::fs::create_dir_all(dir)?;
    let mut x: u64 = 42;
    for i in 0..DOCUMENTS {
        let mut text = String::with_capacity(WORDS_PER_DOCUMENT * 8);
        for w in 0..WORDS_PER_DOCUMENT {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            text.push_str(WORDS[(x >> 60) as usize]);
            text.push(if w % 12 == 11 { '\n' } else { ' ' });
        }
        std::fs::write(dir.join(format!("note-{i:03}.txt")), text)?;
    }
    Ok(())
}
