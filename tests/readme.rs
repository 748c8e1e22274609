//! The README's examples, tried as a new user would: every shell command and
//! every config in a fenced block of `README.md` and `scripts/ci/README.md` is
//! either run here, exactly as written but for the substitutions listed with it
//! (placeholders such as `/nix/store/…-zlib-1.3.1` made real, and small settings
//! such as `--quick`), and its exit code checked, or listed with the reason it
//! cannot run on a test machine. An example that is neither fails the test, so
//! the documentation cannot drift from the program.
//!
//! The commands run in README order in one scratch directory, as a user
//! following along would: `run --save before` makes the baseline that
//! `compare before` reads. `storebench` on PATH and `target/release/storebench`
//! in that directory are this build.

mod common;

use common::text;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Where an example's command runs.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Cwd {
    /// The scratch directory.
    Scratch,
    /// The repository (`cargo bench`).
    Repo,
}

/// What the test does with one example.
enum How {
    /// Run it after these substitutions (`from`, `to`; `{roots}`, `{pid}`… in
    /// `to` are filled in at run time); its exit code must be one of `codes`.
    Run {
        subst: &'static [(&'static str, &'static str)],
        codes: &'static [i32],
        cwd: Cwd,
        /// More to check, or to prepare for the examples after it.
        then: Option<fn(&Fixture, &Output)>,
    },
    /// A config: written to `file` in the scratch directory after `subst`, and
    /// used by each of `runs` (a command and its exit codes).
    Config {
        subst: &'static [(&'static str, &'static str)],
        file: &'static str,
        runs: &'static [(&'static str, &'static [i32])],
    },
    /// Not run, and why.
    Skip(&'static str),
}

struct Example {
    /// The command (continuation lines joined, comment dropped) or the config
    /// block, exactly as the README writes it.
    text: &'static str,
    how: How,
}

const STOCK_CONFIG: &str = r#"[variants.stock]
libs = ["/nix/store/…-zlib-1.3.1", "/nix/store/…-zstd-1.5.6", "/nix/store/…-openssl-3.0.15"]
[variants.noaesni]
libs = ["/nix/store/…-zlib-1.3.1", "/nix/store/…-zstd-1.5.6", "/nix/store/…-openssl-3.0.15"]
env = { OPENSSL_ia32cap = "~0x200000200000000" }
description = "AES-NI masked: a positive control"
"#;

const RUNTIME_CONFIG: &str = r#"[variants.stock]
python = "/usr/bin/python3"
node = "/usr/bin/node"
[variants.pgo]
libs = ["/nix/store/…-python3-3.12.8"]        # a root whose bin/ holds python3 (or node) provides it
glibc = "/nix/store/…-glibc-2.40"             # or a directory holding ld-linux-x86-64.so.2 and libc.so.6

[commands.decode]                             # ids command/decode/{wall,cpu,rss}
variants.stock = ["mpv", "--hwdec=no", "--no-video", "clip.mkv"]
variants.pgo = ["mpv", "--hwdec=vaapi", "--no-video", "clip.mkv"]
warmup = 1                                    # runs per variant before the first round (default 1)
allow_failure = false                         # a non-zero exit is otherwise a wrong result
[commands.build]
argv = ["make", "-j2"]                        # one command line, run in each variant's environment
"#;

const RUST_CONFIG: &str = r#"[variants.stock]
rustc = "/nix/store/…-rustc-1.86.0/bin/rustc"            # the toolchain's own rustc, not rustup's proxy
[variants.native]
rustc = "/nix/store/…-rustc-1.86.0-native/bin/rustc"     # or a root whose bin/ holds rustc
"#;

const SMOKE_CONFIG: &str = r#"[smoke.commands.jq]
argv = ["jq", "-n", "1 + 2"]     # default: NAME --version; its first word is taken from the variant's bin/
stdout = "3"                     # or contains = "…"; with neither, a zero exit suffices
"#;

const CI_CONFIG: &str = r#"[ci]
fail_on = "regression > 3%"       # the default; "regression" (any) or "never"
keep_claims = ["openssl-aes"]     # fail when a claim the reference confirmed no longer is
[ci.fail_on_bench]                # the first matching glob wins
"sqlite/*" = "regression > 8%"
"libc/*" = "never"
"#;

const FACTORS_CONFIG: &str = r#"[variants.O2]
libs = ["/nix/store/…-zlib-1.3.1"]
factors = { opt = "O2", march = "generic", lto = false }
[variants.O3]
libs = ["/nix/store/…-zlib-1.3.1"]
factors = { opt = "O3", march = "generic", lto = false }
[variants.O3-native]
libs = ["/nix/store/…-zlib-1.3.1"]
factors = { opt = "O3", march = "native", lto = false }
build_seconds = { zlib = 4.9 }            # optional: shown beside the gain
"#;

/// The placeholders of the README's store paths, made real.
const ROOTS: &[(&str, &str)] = &[
    ("/nix/store/…-zlib-1.3.1", "{roots}/zlib"),
    ("/nix/store/…-zstd-1.5.6", "{roots}/zstd"),
    ("/nix/store/…-openssl-3.0.15", "{roots}/openssl"),
];

/// Every example of the READMEs, in the order they appear.
const EXAMPLES: &[Example] = &[
    Example {
        text: "scripts/demo",
        how: How::Skip("builds six libraries twice and measures them in three parts (minutes); scripts/demo-store is what it runs, and the other examples measure the same way"),
    },
    Example {
        text: "scripts/test",
        how: How::Skip("runs this test suite, this test among it"),
    },
    Example {
        text: "cargo build --release",
        how: How::Run { subst: &[], codes: &[0], cwd: Cwd::Repo, then: None },
    },
    Example {
        text: "target/release/storebench run --variant stock=/nix/store/…-zlib-1.3.1:/nix/store/…-zstd-1.5.6 --variant optimized=/nix/store/…-zlib-1.3.1:/nix/store/…-zstd-1.5.6 --bench 'compress/*' --bench 'decompress/*' --json run.json",
        how: How::Run {
            subst: &[
                ("/nix/store/…-zlib-1.3.1", "{roots}/zlib"),
                ("/nix/store/…-zstd-1.5.6", "{roots}/zstd"),
                ("--json run.json", "--json run.json --quick --corpus-kib 64"),
            ],
            codes: &[0],
            cwd: Cwd::Scratch,
            then: Some(skips_what_the_variants_lack),
        },
    },
    Example {
        text: STOCK_CONFIG,
        how: How::Config {
            subst: ROOTS,
            file: "stock.toml",
            runs: &[(
                "storebench run --config stock.toml --bench 'aes/128-gcm/*' --bench 'compress/zlib/l1/*' --quick --corpus-kib 64",
                &[0],
            )],
        },
    },
    Example {
        text: RUNTIME_CONFIG,
        how: How::Config {
            subst: &[
                ("/nix/store/…-python3-3.12.8", "{pyenv}"),
                ("/nix/store/…-glibc-2.40", "/lib/x86_64-linux-gnu"),
            ],
            file: "runtimes.toml",
            runs: &[
                // The Debian advice for glibc with another build's interpreter:
                // the variant must run its own libpython, not Debian's.
                ("storebench run --config runtimes.toml --bench 'python/startup/*' --bench 'command/build/*' --quick", &[0]),
                // mpv is not installed here: bad input, not a crash.
                ("storebench run --config runtimes.toml --bench 'command/decode/*' --quick", &[2]),
            ],
        },
    },
    Example {
        text: RUST_CONFIG,
        how: How::Config {
            // The machine's rustc twice: an A/A pair, on the short compile.
            subst: &[
                ("/nix/store/…-rustc-1.86.0/bin/rustc", "{rustc}"),
                ("/nix/store/…-rustc-1.86.0-native/bin/rustc", "{rustc}"),
            ],
            file: "rust.toml",
            runs: &[("storebench run --config rust.toml --bench 'rust/compile/debug/*' --rounds 1 --no-report", &[0])],
        },
    },
    Example {
        text: "storebench probe desktop --label before --json before.json",
        how: How::Skip("needs a desktop login session"),
    },
    Example {
        text: "sudo nixos-rebuild switch …",
        how: How::Skip("NixOS only, and changes the system"),
    },
    Example {
        text: "storebench probe desktop --label after --json after.json",
        how: How::Skip("needs a desktop login session"),
    },
    Example {
        // No KDE here: the selector matches nothing, which exits 2 at once.
        text: "storebench probe --name 'baloo*' --duration 30s --interval 500ms",
        how: How::Run { subst: &[], codes: &[2], cwd: Cwd::Scratch, then: None },
    },
    Example {
        text: "storebench probe build --pid 4242 --tree",
        how: How::Run {
            subst: &[("--pid 4242 --tree", "--pid {pid} --tree --duration 1s --interval 250ms")],
            codes: &[0],
            cwd: Cwd::Scratch,
            then: None,
        },
    },
    Example {
        text: "storebench probe kwin --unit plasma-kwin_wayland.service",
        how: How::Skip("needs KDE Plasma's systemd user unit"),
    },
    Example {
        text: "storebench probe zlib-job --pid 4242 --tree --duration 30s --libraries --json probe.json",
        how: How::Run {
            // A real zlib job to sample, stopped when the probe is done.
            subst: &[
                ("storebench probe", "timeout 20 /usr/bin/python3 -c 'import zlib; [zlib.compress(bytes(range(256)) * 256) for _ in iter(int, 1)]' & storebench probe"),
                ("--pid 4242 --tree --duration 30s", "--pid $! --tree --duration 2s --interval 500ms"),
                ("probe.json", "probe.json; rc=$?; kill $!; exit $rc"),
            ],
            codes: &[0],
            cwd: Cwd::Scratch,
            then: None,
        },
    },
    Example {
        text: "storebench run --variant stock=/nix/store/…-zlib-1.3.1 --variant native=/nix/store/…-zlib-1.3.1-native --bench 'compress/zlib/*' --bench 'decompress/zlib/*' --json run.json",
        how: How::Run {
            subst: &[
                ("/nix/store/…-zlib-1.3.1-native", "{roots}/zlib"),
                ("/nix/store/…-zlib-1.3.1", "{roots}/zlib"),
                ("--json run.json", "--json run.json --quick --corpus-kib 64"),
            ],
            codes: &[0],
            cwd: Cwd::Scratch,
            then: None,
        },
    },
    Example {
        text: "storebench impact probe.json run.json --json impact.json",
        how: How::Run { subst: &[], codes: &[0], cwd: Cwd::Scratch, then: None },
    },
    Example {
        text: "storebench report probe.json run.json",
        how: How::Run { subst: &[], codes: &[0], cwd: Cwd::Scratch, then: None },
    },
    Example {
        // The video scenario alone, short: tests/scenarios.rs runs each one.
        text: "storebench scenario",
        how: How::Run {
            subst: &[("storebench scenario", "storebench scenario video --quick")],
            codes: &[0],
            cwd: Cwd::Scratch,
            then: None,
        },
    },
    Example {
        text: "storebench scenario video --quick --json video.json",
        how: How::Run { subst: &[], codes: &[0], cwd: Cwd::Scratch, then: None },
    },
    Example {
        text: "storebench report video.json",
        how: How::Run { subst: &[], codes: &[0], cwd: Cwd::Scratch, then: None },
    },
    Example {
        text: "scripts/demo --scenarios",
        how: How::Skip("the library demo first (scripts/demo, minutes of building and measuring), then every scenario for about 7 minutes; tests/scenarios.rs runs each scenario's short version"),
    },
    Example {
        text: FACTORS_CONFIG,
        how: How::Config {
            subst: &[("/nix/store/…-zlib-1.3.1", "{roots}/zlib")],
            file: "factors.toml",
            runs: &[(
                "storebench run --config factors.toml --bench 'compress/zlib/l1/text' --quick --corpus-kib 64",
                &[0],
            )],
        },
    },
    Example {
        text: "scripts/demo-store --only zlib --flavors O2,O3,O2-native,O3-native --out /tmp/zlib-flavors --no-check",
        how: How::Run {
            subst: &[("--out /tmp/zlib-flavors", "--out {roots}/../zlib-flavors --no-nix")],
            codes: &[0],
            cwd: Cwd::Repo,
            then: None,
        },
    },
    Example {
        text: "scripts/demo --factorial --cpus 1",
        how: How::Skip("builds zlib and zstd in six flavors (zstd with PGO takes minutes) and measures 42 benchmarks × 6 variants: far too long for CI; tests/factorial.rs builds and attributes five zlib flavors instead"),
    },
    Example {
        text: "storebench run --bench 'compress/*' --save before",
        how: How::Run {
            subst: &[("--save before", "--save before --quick --corpus-kib 64")],
            codes: &[0],
            cwd: Cwd::Scratch,
            then: Some(two_stored_runs),
        },
    },
    Example {
        text: "sudo nixos-rebuild switch",
        how: How::Skip("NixOS only, and changes the system"),
    },
    Example {
        text: "storebench compare before",
        how: How::Run { subst: &[], codes: &[0], cwd: Cwd::Scratch, then: None },
    },
    Example {
        text: "storebench compare before.json after.json",
        how: How::Run { subst: &[], codes: &[0], cwd: Cwd::Scratch, then: None },
    },
    Example {
        // Measures again: a quick run may regress by noise (1), never refuse the rule (2).
        text: "storebench compare before --fail-on 'regression > 2%'",
        how: How::Run { subst: &[], codes: &[0, 1], cwd: Cwd::Scratch, then: None },
    },
    Example {
        text: "storebench baselines",
        how: How::Run { subst: &[], codes: &[0], cwd: Cwd::Scratch, then: None },
    },
    Example {
        text: "storebench history",
        how: How::Run { subst: &[], codes: &[0], cwd: Cwd::Scratch, then: None },
    },
    Example {
        text: "storebench history --bench 'compress/zlib/*'",
        how: How::Run { subst: &[], codes: &[0], cwd: Cwd::Scratch, then: None },
    },
    Example {
        text: "storebench history import run.json hyperfine.json",
        how: How::Run { subst: &[], codes: &[0], cwd: Cwd::Scratch, then: Some(a_config_for_ci) },
    },
    Example {
        text: "storebench ci --config storebench.toml",
        how: How::Run {
            subst: &[("storebench.toml", "storebench.toml --quick --corpus-kib 64 --bench 'compress/zlib/l1/*' --no-report")],
            codes: &[0],
            cwd: Cwd::Scratch,
            then: Some(a_baseline_for_ci),
        },
    },
    Example {
        text: "storebench ci --nix-generations",
        how: How::Skip("needs NixOS system generations"),
    },
    Example {
        // Against a baseline the CI alone decides: a quick night may fail a gate (1).
        text: "storebench ci --against before-upgrade --confirm 2",
        how: How::Run {
            subst: &[("--confirm 2", "--confirm 2 --quick --corpus-kib 64 --bench 'compress/zlib/l1/*' --no-report")],
            codes: &[0, 1],
            cwd: Cwd::Scratch,
            then: None,
        },
    },
    Example {
        // A busy test machine may never get quiet (2) within the shortened wait.
        text: "storebench ci --require-quiet=15m --export junit=junit.xml",
        how: How::Run {
            subst: &[
                ("--require-quiet=15m", "--require-quiet=3s"),
                ("junit.xml", "junit.xml --quick --corpus-kib 64 --bench 'compress/zlib/l1/*' --no-report"),
            ],
            codes: &[0, 1, 2],
            cwd: Cwd::Scratch,
            then: None,
        },
    },
    Example {
        text: CI_CONFIG,
        how: How::Config {
            subst: &[],
            file: "gates.toml",
            runs: &[(
                "storebench ci --config gates.toml --against none --bench 'libc/strlen/64' --quick --no-report",
                &[0],
            )],
        },
    },
    Example {
        // No Nix profile on a test machine: exit 2 naming what to give.
        text: "storebench discover",
        how: How::Run { subst: &[], codes: &[2], cwd: Cwd::Scratch, then: None },
    },
    Example {
        text: "storebench discover /nix/var/nix/profiles/per-user/$USER/profile",
        how: How::Run { subst: &[], codes: &[2], cwd: Cwd::Scratch, then: None },
    },
    Example {
        text: "storebench run --variant gen-40=profile:/nix/var/nix/profiles/system-40-link --variant gen-41=profile:/nix/var/nix/profiles/system-41-link",
        how: How::Skip("needs NixOS system generations"),
    },
    Example {
        text: "storebench run --variant now=closure:/run/current-system",
        how: How::Skip("needs a NixOS system closure"),
    },
    Example {
        // No NixOS profile here: a root whose bin/ links the machine's commands
        // (tests/smoke.rs checks real Nix generations).
        text: "storebench smoke --variant current=profile:/nix/var/nix/profiles/system",
        how: How::Run {
            subst: &[("profile:/nix/var/nix/profiles/system", "{roots}/tools")],
            codes: &[0],
            cwd: Cwd::Scratch,
            then: None,
        },
    },
    Example {
        text: "storebench smoke --variant gen-41=profile:/nix/var/nix/profiles/system-41-link --json smoke.json",
        how: How::Run {
            subst: &[("profile:/nix/var/nix/profiles/system-41-link", "{roots}/tools")],
            codes: &[0],
            cwd: Cwd::Scratch,
            then: None,
        },
    },
    Example {
        text: SMOKE_CONFIG,
        how: How::Config {
            subst: &[],
            file: "smoke.toml",
            // jq is not among the tools: reported missing, which is no failure.
            runs: &[("storebench smoke --config smoke.toml --variant current=roots/tools", &[0])],
        },
    },
    Example {
        text: "STOREBENCH_LIBS=profile:/nix/var/nix/profiles/system-40-link cargo bench -- --save-baseline before",
        how: How::Run {
            subst: &[
                ("profile:/nix/var/nix/profiles/system-40-link", "{roots}/zlib"),
                ("--save-baseline before", "--save-baseline before --quick compress/zlib/l1/text"),
            ],
            codes: &[0],
            cwd: Cwd::Repo,
            then: Some(criterion_ids_are_storebench_ids),
        },
    },
    Example {
        text: "sudo nixos-rebuild switch",
        how: How::Skip("NixOS only, and changes the system"),
    },
    Example {
        text: "STOREBENCH_LIBS=profile:/nix/var/nix/profiles/system-41-link cargo bench -- --baseline before",
        how: How::Run {
            subst: &[
                ("profile:/nix/var/nix/profiles/system-41-link", "{roots}/zlib"),
                ("--baseline before", "--baseline before --quick compress/zlib/l1/text"),
            ],
            codes: &[0],
            cwd: Cwd::Repo,
            then: Some(the_same_libraries_are_called_out),
        },
    },
];

/// The scratch directory and what the substitutions refer to.
struct Fixture {
    dir: tempfile::TempDir,
    repo: PathBuf,
    /// A process for `probe --pid` to watch.
    sleeper: std::process::Child,
    pyenv: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let system = Path::new(common::SYSTEM_LIBS);
        for (root, sonames) in [
            ("zlib", &["libz.so.1"][..]),
            ("zstd", &["libzstd.so.1"]),
            ("openssl", &["libcrypto.so.3", "libssl.so.3"]),
        ] {
            let lib = d.join("roots").join(root).join("lib");
            std::fs::create_dir_all(&lib).unwrap();
            for so in sonames {
                std::fs::copy(system.join(so).canonicalize().unwrap(), lib.join(so)).unwrap();
            }
        }
        let release = d.join("target/release");
        std::fs::create_dir_all(&release).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_storebench"), release.join("storebench"))
            .unwrap();
        std::fs::write(d.join("Makefile"), "all:\n\t@true\n").unwrap();
        let tools = d.join("roots/tools/bin");
        std::fs::create_dir_all(&tools).unwrap();
        for t in ["ls", "cat", "grep", "git", "nix-build"] {
            let found = std::env::split_paths(&std::env::var_os("PATH").unwrap())
                .map(|p| p.join(t))
                .find(|p| p.is_file())
                .unwrap_or_else(|| panic!("{t} on PATH"));
            std::os::unix::fs::symlink(found, tools.join(t)).unwrap();
        }
        std::fs::write(
            d.join("hyperfine.json"),
            r#"{"results":[{"command":"gzip -1 x","mean":0.5,"stddev":0.01,"median":0.5,
                "user":0.4,"system":0.1,"min":0.49,"max":0.51,"times":[0.49,0.5,0.51],
                "exit_codes":[0,0,0]}]}"#,
        )
        .unwrap();
        let mut sleeper = Command::new("sleep")
            .arg("600")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert_eq!(sleeper.try_wait().unwrap(), None, "`sleep 600` runs");
        Fixture {
            dir,
            repo: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
            sleeper,
            pyenv: pyenv_root(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn fill(&self, s: &str) -> String {
        s.replace("{roots}", &self.path().join("roots").display().to_string())
            .replace("{pid}", &self.sleeper.id().to_string())
            .replace("{pyenv}", &self.pyenv.display().to_string())
            .replace("{rustc}", &machine_rustc().display().to_string())
    }

    /// Runs `command` with bash, as a user's shell would, with this build's
    /// storebench first on PATH and every state directory inside the fixture.
    fn sh(&self, command: &str, cwd: Cwd) -> Output {
        let bin = self.path().join("target/release");
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        Command::new("timeout")
            .args(["600", "bash", "-c", command])
            .current_dir(match cwd {
                Cwd::Scratch => self.path(),
                Cwd::Repo => &self.repo,
            })
            .env("PATH", path)
            .env_remove("LD_LIBRARY_PATH")
            .env("NO_COLOR", "1")
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env("CRITERION_HOME", self.path().join("criterion"))
            .output()
            .expect("bash starts")
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = self.sleeper.kill();
        let _ = self.sleeper.wait();
    }
}

/// The toolchain's own rustc (`rustc --print sysroot`/bin/rustc), not rustup's proxy.
fn machine_rustc() -> PathBuf {
    let out = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .expect("rustc runs");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("bin/rustc")
}

/// pyenv's build of the Python minor version Debian ships (3.11 on Debian 12):
/// another build, whose root holds its own `libpython3.11.so.1.0` while
/// Debian's lies in the glibc directory `/lib/x86_64-linux-gnu`.
fn pyenv_root() -> PathBuf {
    let out = Command::new("/usr/bin/python3")
        .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        .output()
        .unwrap();
    let minor = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let mut found: Vec<PathBuf> = std::fs::read_dir("/root/.pyenv/versions")
        .expect("the machine's pyenv builds (see tests/runtimes.rs)")
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(&format!("{minor}."))
        })
        .map(|e| e.path())
        .filter(|p| p.join("bin/python3").is_file())
        .collect();
    found.sort();
    found
        .pop()
        .unwrap_or_else(|| panic!("no pyenv build of Python {minor}"))
}

fn skips_what_the_variants_lack(_: &Fixture, out: &Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("skipped") && err.contains("liblzma.so.5"),
        "{}",
        text(out)
    );
}

/// `compare before.json after.json` compares two stored runs: the baseline
/// just saved, twice.
fn two_stored_runs(f: &Fixture, _: &Output) {
    for name in ["before.json", "after.json"] {
        std::fs::copy(f.path().join("baselines/before.json"), f.path().join(name)).unwrap();
    }
}

/// `ci --config storebench.toml` and `ci` without `--config` read the first
/// config example, as a user who saved it as storebench.toml would.
fn a_config_for_ci(f: &Fixture, _: &Output) {
    std::fs::copy(
        f.path().join("stock.toml"),
        f.path().join("storebench.toml"),
    )
    .unwrap();
}

/// `ci --against before-upgrade` needs a stored run of the same variants.
fn a_baseline_for_ci(f: &Fixture, _: &Output) {
    let o = f.sh(
        "storebench run --bench 'compress/zlib/l1/*' --quick --corpus-kib 64 --no-report --save before-upgrade",
        Cwd::Scratch,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

fn criterion_ids_are_storebench_ids(f: &Fixture, out: &Output) {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("compress/zlib/l1/text"), "{all}");
    assert!(!all.contains("compress/zlib/l1/text/run"), "{all}");
    let saved = f.path().join("criterion/storebench-provenance/before.json");
    assert!(saved.is_file(), "{all}");
}

fn the_same_libraries_are_called_out(f: &Fixture, out: &Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("byte-identical libraries to baseline `before`"),
        "{}",
        text(out)
    );
    let written = f.path().join("criterion/storebench-provenance/new.json");
    assert!(
        written.is_file(),
        "a --baseline run writes its provenance too: {}",
        text(out)
    );
}

/// A fenced block: its info string and its lines, the fence's indentation removed.
struct Block {
    lang: String,
    body: String,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = vec![];
    let mut open: Option<(usize, String, String)> = None;
    for line in markdown.lines() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim_start();
        match &mut open {
            None if trimmed.starts_with("```") => {
                open = Some((indent, trimmed[3..].trim().to_string(), String::new()));
            }
            None => {}
            Some(_) if trimmed.starts_with("```") => {
                let (_, lang, body) = open.take().unwrap();
                out.push(Block { lang, body });
            }
            Some((ind, _, body)) => {
                body.push_str(line.get(*ind..).unwrap_or(trimmed));
                body.push('\n');
            }
        }
    }
    assert!(open.is_none(), "an unclosed fenced block");
    out
}

/// A shell line without its comment: `#` at a word's start, outside quotes.
fn strip_comment(line: &str) -> &str {
    let (mut single, mut double) = (false, false);
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && prev.is_whitespace() => return &line[..i],
            _ => {}
        }
        prev = c;
    }
    line
}

/// The commands of a shell block: continuation lines joined, comments dropped.
fn commands(body: &str) -> Vec<String> {
    let mut out = vec![];
    let mut current = String::new();
    for line in body.lines() {
        let line = strip_comment(line).trim();
        if let Some(head) = line.strip_suffix('\\') {
            current.push_str(head.trim());
            current.push(' ');
            continue;
        }
        current.push_str(line);
        let command = std::mem::take(&mut current).trim().to_string();
        if !command.is_empty() {
            out.push(command);
        }
    }
    out
}

/// Every example of the READMEs: the commands of each shell block, each config.
fn examples() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = vec![];
    for file in ["README.md", "scripts/ci/README.md"] {
        let markdown = std::fs::read_to_string(root.join(file)).unwrap();
        for b in blocks(&markdown) {
            match b.lang.as_str() {
                "" | "sh" | "bash" | "console" => out.extend(commands(&b.body)),
                "toml" => out.push(b.body),
                // A diagram or sample output: nothing to run.
                "text" => {}
                other => {
                    panic!("{file}: a ```{other} block: teach tests/readme.rs what to do with it")
                }
            }
        }
    }
    out
}

#[test]
fn the_examples_are_extracted_as_a_shell_would_read_them() {
    let body = "a \\\n  --b 'x # y'   # comment\n\n# only a comment\nc#d\n";
    assert_eq!(commands(body), ["a --b 'x # y'", "c#d"]);
    let md = "text\n  ```toml\n  [a]\n  b = 1\n  ```\n```sh\nls\n```\n";
    let b = blocks(md);
    assert_eq!(
        (b[0].lang.as_str(), b[0].body.as_str()),
        ("toml", "[a]\nb = 1\n")
    );
    assert_eq!((b[1].lang.as_str(), b[1].body.as_str()), ("sh", "ls\n"));
}

#[test]
fn every_readme_example_is_run_or_listed_with_its_reason() {
    let found = examples();
    let listed: Vec<&str> = EXAMPLES.iter().map(|e| e.text).collect();
    let unlisted: Vec<&String> = found
        .iter()
        .filter(|e| !listed.contains(&e.as_str()))
        .collect();
    assert!(
        unlisted.is_empty(),
        "README examples that tests/readme.rs neither runs nor lists with a reason:\n{unlisted:#?}"
    );
    let gone: Vec<&&str> = listed
        .iter()
        .filter(|e| !found.iter().any(|f| f == **e))
        .collect();
    assert!(
        gone.is_empty(),
        "examples listed in tests/readme.rs but no longer in a README:\n{gone:#?}"
    );
    assert_eq!(
        found, listed,
        "tests/readme.rs lists the examples in README order"
    );

    let fixture = Fixture::new();
    for example in EXAMPLES {
        match &example.how {
            How::Skip(why) => assert!(!why.is_empty()),
            How::Run {
                subst,
                codes,
                cwd,
                then,
            } => {
                let command = substitute(&fixture, example.text, subst);
                let out = fixture.sh(&command, *cwd);
                check(&command, &out, codes);
                if let Some(then) = then {
                    then(&fixture, &out);
                }
            }
            How::Config { subst, file, runs } => {
                let config = substitute(&fixture, example.text, subst);
                toml::from_str::<toml::Value>(&config).unwrap();
                std::fs::write(fixture.path().join(file), config).unwrap();
                for (command, codes) in *runs {
                    let out = fixture.sh(command, Cwd::Scratch);
                    check(command, &out, codes);
                }
            }
        }
    }
}

fn substitute(f: &Fixture, text: &str, subst: &[(&str, &str)]) -> String {
    let mut s = text.to_string();
    for (from, to) in subst {
        assert!(
            s.contains(from),
            "substitution `{from}` does not apply to {text}"
        );
        s = s.replace(from, &f.fill(to));
    }
    s
}

fn check(command: &str, out: &Output, codes: &[i32]) {
    let code = out.status.code();
    assert!(
        code.is_some_and(|c| codes.contains(&c)),
        "`{command}` exited {code:?}, expected one of {codes:?}\n{}",
        text(out)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("panicked"),
        "`{command}` panicked\n{}",
        text(out)
    );
}
