//! The video CPU scenario: a fixed clip (ffmpeg's `testsrc2`, 1080p30 H.264,
//! made once into the cache) decoded by ffmpeg as a command workload
//! (`command/video-decode/{wall,cpu,rss}`), in software as `stock` and with
//! VA-API as `plan` when a render node with a working driver is present.
//! Without one the claim is not measured, and the reason names what was
//! checked; the software figures are still measured and shown, never judged as
//! the claim.

use super::{Options, Outcome, PLAN, STOCK};
use crate::config::CommandConfig;
use crate::error::{Error, Result};
use crate::runner::{self, Plan};
use crate::variant::Variant;
use crate::workload::corpus::CorpusSpec;
use indexmap::IndexMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The command workload's name: `command/video-decode/cpu`, which the claim covers.
const COMMAND: &str = "video-decode";

pub fn run(opts: &Options) -> Result<Outcome> {
    let mut out = Outcome::default();
    let Some(ffmpeg) = crate::process::find_program("ffmpeg".as_ref()) else {
        out.unmeasured.push((
            "video-cpu".into(),
            "ffmpeg is not on PATH: no clip to decode, no decoder to measure".into(),
        ));
        return Ok(out);
    };
    let clip = clip(&ffmpeg, &opts.cache, opts.clip_seconds)?;
    let decode = |extra: &[String]| -> Vec<String> {
        let mut argv: Vec<String> = [ffmpeg.to_string_lossy().as_ref(), "-nostdin"]
            .into_iter()
            .chain(["-hide_banner", "-loglevel", "error"])
            .map(String::from)
            .collect();
        argv.extend(extra.iter().cloned());
        argv.extend(["-i".into(), clip.display().to_string()]);
        argv.extend(["-f", "null", "-"].map(String::from));
        argv
    };
    let mut commands = IndexMap::new();
    commands.insert(
        STOCK.to_string(),
        decode(&["-hwaccel".into(), "none".into()]),
    );
    match hardware(&ffmpeg) {
        Ok(node) => {
            let hw = ["-hwaccel", "vaapi", "-hwaccel_device"].map(String::from);
            let mut extra = hw.to_vec();
            extra.push(node.display().to_string());
            commands.insert(PLAN.to_string(), decode(&extra));
        }
        Err(why) => out.unmeasured.push(("video-cpu".into(), why)),
    }
    for (variant, argv) in &commands {
        out.setups.insert(variant.clone(), argv.join(" "));
    }
    out.results = decode_rounds(commands, opts)?;
    Ok(out)
}

/// Decodes the clip `opts.repeats` times per variant through the runner.
fn decode_rounds(
    commands: IndexMap<String, Vec<String>>,
    opts: &Options,
) -> Result<Vec<crate::results::BenchResult>> {
    let variants: Vec<Variant> = commands
        .keys()
        .map(|name| Variant {
            name: name.clone(),
            description: Some(format!("ffmpeg decoding the clip ({name})")),
            ..Variant::system()
        })
        .collect();
    let config = CommandConfig {
        variants: commands,
        warmup: Some(1),
        description: Some("ffmpeg decodes a 1080p H.264 clip to nothing".into()),
        ..CommandConfig::default()
    };
    let mut benches = Vec::new();
    crate::workload::command::catalog(
        &IndexMap::from([(COMMAND.to_string(), config)]),
        &mut benches,
    )?;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let plan = Plan {
        variants,
        benches,
        rounds: opts.repeats,
        slice: Duration::from_millis(50),
        timeout: Duration::from_secs(300),
        seed,
        corpus: CorpusSpec::Generated { seed, bytes: 1024 },
        exe: std::env::current_exe().map_err(|e| Error::io("/proc/self/exe", e))?,
        cpus: crate::affinity::choose(None),
    };
    Ok(runner::run_until(&plan, None, &mut |_| {})?.results)
}

/// The clip, made once per length into `cache`: written under a temporary
/// name and renamed, so an interrupted run never leaves half a clip.
fn clip(ffmpeg: &Path, cache: &Path, seconds: u32) -> Result<PathBuf> {
    let path = cache.join(format!("testsrc2-1080p30-h264-{seconds}s.mp4"));
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > 0) {
        return Ok(path);
    }
    std::fs::create_dir_all(cache).map_err(|e| Error::io(cache, e))?;
    let tmp = cache.join(format!(
        "{}{}-clip.mp4",
        crate::tempfiles::MARK,
        std::process::id()
    ));
    let source = format!("testsrc2=size=1920x1080:rate=30:duration={seconds}");
    let made = Command::new(ffmpeg)
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y"])
        .args(["-f", "lavfi", "-i", &source])
        .args([
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
        ])
        .arg(&tmp)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::io(ffmpeg, e))?;
    if !made.status.success() {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::Scenario {
            scenario: "video".into(),
            why: format!(
                "ffmpeg could not make the clip ({}): {}",
                made.status,
                crate::process::printable(String::from_utf8_lossy(&made.stderr).trim())
            ),
        });
    }
    std::fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

/// The render node whose VA-API driver works, or the reason (a sentence's end)
/// naming what was checked.
fn hardware(ffmpeg: &Path) -> std::result::Result<PathBuf, String> {
    let nodes = devices("/dev/dri", "renderD");
    let nvidia = devices("/dev", "nvidia")
        .iter()
        .filter(|p| p.to_string_lossy()[11..].starts_with(|c: char| c.is_ascii_digit()))
        .count();
    let vdpau = if nvidia == 0 {
        "VDPAU needs an NVIDIA device and /dev/nvidia* matched nothing"
    } else {
        "VDPAU was not tried: it needs an X server on the GPU"
    };
    let shown = "software decoding is measured and shown (`stock`), but it alone is not the claim";
    if nodes.is_empty() {
        let dri = if Path::new("/dev/dri").exists() {
            "/dev/dri has no render node"
        } else {
            "there is no /dev/dri at all"
        };
        return Err(format!(
            "no VA-API or VDPAU device was found: /dev/dri/renderD* matched nothing ({dri}), and {vdpau}; {shown}."
        ));
    }
    let mut tried = Vec::new();
    for node in &nodes {
        match vaapi_works(ffmpeg, node) {
            Ok(()) => return Ok(node.clone()),
            Err(why) => tried.push(format!("{}: {why}", node.display())),
        }
    }
    Err(format!(
        "no working VA-API driver: {}; and {vdpau}; {shown}.",
        tried.join("; ")
    ))
}

/// The entries of `dir` whose names start with `prefix`, sorted.
fn devices(dir: &str, prefix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// Whether ffmpeg can open a VA-API device on `node` (what decoding needs).
fn vaapi_works(ffmpeg: &Path, node: &Path) -> std::result::Result<(), String> {
    let out = Command::new(ffmpeg)
        .args(["-nostdin", "-hide_banner", "-loglevel", "error"])
        .arg("-init_hw_device")
        .arg(format!("vaapi=va:{}", node.display()))
        .args([
            "-f",
            "lavfi",
            "-i",
            "nullsrc=duration=0.1",
            "-f",
            "null",
            "-",
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("ffmpeg did not start ({e})"))?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let first = err.lines().next().unwrap_or("no message");
    Err(format!(
        "ffmpeg -init_hw_device vaapi failed ({})",
        crate::process::printable(first.trim())
    ))
}
