//! The nightly job definitions in `scripts/ci/`, checked by the tools that read
//! them: `systemd-analyze verify` on the unit files and on the units the NixOS
//! module generates, `nix-instantiate` on the module, PyYAML on the two CI
//! files. Every job must call `storebench ci` with flags that subcommand has,
//! and the CI jobs must keep the JUnit export whatever the outcome.
//!
//! The module is evaluated without nixpkgs, through a stub `lib`
//! (`tests/ci_jobs/nixos-stub.nix`): that proves what it generates, not that
//! nixpkgs' module system accepts its option types.

mod common;
#[path = "ci_jobs/parse.rs"]
mod parse;

use common::text;
use parse::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const INSTALLED_BIN: &str = "/usr/local/bin/storebench";

fn ci_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts/ci")
        .join(name)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs a tool the test cannot do without; its absence fails the test with the
/// Debian package that provides it.
fn tool(cmd: &mut Command, package: &str) -> Output {
    match cmd.output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "{:?} not found: install Debian's {package} (listed in scripts/deps/test.txt)",
            cmd.get_program()
        ),
        Err(e) => panic!("{:?}: {e}", cmd.get_program()),
    }
}

/// `systemd-analyze verify` on unit files in `dir`: an error unless it exits 0
/// and prints nothing. It exits 0 on an unknown key or section and only warns,
/// so the warnings are what catches a typo. `SYSTEMD_LOG_LEVEL=warning` keeps
/// out the informational lines some hosts print, never a warning.
fn verify_units(dir: &Path, units: &[&str]) -> Result<(), String> {
    let out = tool(
        Command::new("systemd-analyze")
            .args(["verify", "--man=no", "--generators=no"])
            .args(units.iter().map(|u| dir.join(u)))
            .env("SYSTEMD_LOG_LEVEL", "warning")
            .current_dir(dir),
        "systemd",
    );
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() && said.trim().is_empty() {
        Ok(())
    } else {
        Err(text(&out))
    }
}

/// The service and timer with `ExecStart` running this test's storebench, as
/// `systemd-analyze verify` wants an executable that exists.
fn units_with_binary(dir: &Path, binary: &str) -> (String, String) {
    let service = read(&ci_file("storebench-nightly.service"));
    let from = format!("\nExecStart={INSTALLED_BIN} ci ");
    assert!(
        service.contains(&from),
        "ExecStart does not run {INSTALLED_BIN} ci"
    );
    let service = service.replacen(&from, &format!("\nExecStart={binary} ci "), 1);
    let timer = read(&ci_file("storebench-nightly.timer"));
    std::fs::write(dir.join("storebench-nightly.service"), &service).unwrap();
    std::fs::write(dir.join("storebench-nightly.timer"), &timer).unwrap();
    (service, timer)
}

const UNITS: &[&str] = &["storebench-nightly.service", "storebench-nightly.timer"];

#[test]
fn systemd_units_verify_clean_and_fail_only_on_nonzero_exits() {
    let dir = tempfile::tempdir().unwrap();
    let (service, timer) = units_with_binary(dir.path(), env!("CARGO_BIN_EXE_storebench"));
    verify_units(dir.path(), UNITS).unwrap_or_else(|e| panic!("systemd-analyze verify: {e}"));

    let settings = unit_settings(&service);
    let svc = section(&settings, "Service");
    assert_eq!(svc["Type"], "oneshot");
    assert_eq!(svc["StateDirectory"], "storebench");
    assert_eq!(svc["SuccessExitStatus"], "0", "exit 1 must fail the unit");
    let nice: i32 = svc["Nice"].parse().unwrap();
    assert!(nice <= 0, "Nice={nice} would measure the background load");
    assert!(!["idle", "batch"].contains(&svc["CPUSchedulingPolicy"].as_str()));
    assert_eq!(section(&settings, "Unit")["After"], "nixos-upgrade.service");
    let flags = ci_args(&exec_args(&svc["ExecStart"]), "the service");
    assert_eq!(flags["--config"], ["/etc/storebench/storebench.toml"]);
    assert_eq!(flags["--history"], ["/var/lib/storebench/history.db"]);
    assert_eq!(
        flags["--report-dir"],
        ["/var/lib/storebench/reports/latest"]
    );

    let tmr = section(&unit_settings(&timer), "Timer");
    assert_eq!(tmr["OnCalendar"], "*-*-* 03:30");
    assert_eq!(tmr["Persistent"], "true");
    assert!(tmr.contains_key("RandomizedDelaySec"));
}

#[test]
fn systemd_verify_catches_a_misspelt_key_or_section() {
    let dir = tempfile::tempdir().unwrap();
    let (service, timer) = units_with_binary(dir.path(), env!("CARGO_BIN_EXE_storebench"));
    for (unit, good, typo) in [
        (
            UNITS[0],
            &service,
            service.replacen("\nNice=", "\nNiec=", 1),
        ),
        (UNITS[1], &timer, timer.replacen("\n[Timer]", "\n[Timr]", 1)),
    ] {
        assert_ne!(good, &typo, "the typo was not made in {unit}");
        std::fs::write(dir.path().join(unit), &typo).unwrap();
        let err = verify_units(dir.path(), UNITS).expect_err(unit);
        assert!(err.contains("Unknown"), "{unit}: {err}");
        std::fs::write(dir.path().join(unit), good).unwrap();
    }
}

#[test]
fn nixos_module_parses() {
    let out = tool(
        Command::new("nix-instantiate")
            .arg("--parse")
            .arg(ci_file("nixos-module.nix")),
        "nix-bin",
    );
    assert!(out.status.success(), "{}", text(&out));
}

/// The module evaluated through the stub, enabled, with `package` and
/// `extraArgs` set and every other option at its default.
fn eval_module(package: &Path, extra_args: &[&str]) -> Value {
    let settings = format!(
        "{{ enable = true; package = {}; extraArgs = [ {} ]; }}",
        json!(package.to_str().unwrap()),
        extra_args
            .iter()
            .map(|a| json!(a).to_string())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let stub = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ci_jobs/nixos-stub.nix");
    let out = tool(
        Command::new("nix-instantiate")
            .args(["--eval", "--strict", "--json"])
            .arg(stub)
            .arg("--arg")
            .arg("module")
            .arg(ci_file("nixos-module.nix"))
            .args(["--arg", "settings", &settings]),
        "nix-bin",
    );
    assert!(out.status.success(), "{}", text(&out));
    serde_json::from_slice(&out.stdout).expect("nix-instantiate --json")
}

/// A setting as the unit file would hold it: NixOS writes `true`, we write `yes`.
fn unit_value(v: &Value) -> String {
    match v {
        Value::String(s) if s == "yes" => "true".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn as_unit_values(m: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    m.iter()
        .map(|(k, v)| (k.clone(), unit_value(&json!(v))))
        .collect()
}

fn render(sections: &[(&str, &Value)]) -> String {
    let mut unit = String::new();
    for (name, settings) in sections {
        unit += &format!("[{name}]\n");
        for (key, value) in settings.as_object().unwrap() {
            unit += &format!("{key}={}\n", unit_value(value));
        }
    }
    unit
}

#[test]
fn nixos_module_installs_the_same_service_and_timer_as_the_unit_files() {
    let pkg = tempfile::tempdir().unwrap();
    std::fs::create_dir(pkg.path().join("bin")).unwrap();
    let binary = pkg.path().join("bin/storebench");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_storebench"), &binary).unwrap();
    // A % and a $ that systemd would expand unless the module escapes them.
    let extra = ["--fail-on", "regression > 3%", "--bench", "compress/$x"];
    let nixos = eval_module(pkg.path(), &extra);
    let (service, timer) = (&nixos["service"], &nixos["timer"]);

    assert_eq!(
        nixos["disabled"],
        json!({}),
        "a disabled module installs nothing"
    );
    assert_eq!(
        nixos["etc"]["storebench/storebench.toml"]["source"],
        json!({ "generated": "storebench.toml", "value": nixos["defaults"]["config"] }),
        "an attribute-set config is rendered to TOML and installed where --config reads"
    );

    let files = tempfile::tempdir().unwrap();
    let (svc_file, tmr_file) = units_with_binary(files.path(), binary.to_str().unwrap());
    let (svc_file, tmr_file) = (unit_settings(&svc_file), unit_settings(&tmr_file));

    let mut want = section(&svc_file, "Service");
    let mut got: BTreeMap<String, String> = service["serviceConfig"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), unit_value(v)))
        .collect();
    let mut want_exec = exec_args(&want.remove("ExecStart").unwrap());
    want_exec.extend(extra.map(String::from));
    let got_exec = exec_args(&got.remove("ExecStart").unwrap());
    assert_eq!(got_exec, want_exec, "the module's ExecStart");
    ci_args(&got_exec, "the NixOS module");
    assert_eq!(
        got,
        as_unit_values(&want),
        "[Service] of the module and the file"
    );

    let unit = section(&svc_file, "Unit");
    assert_eq!(service["description"], json!(unit["Description"]));
    assert_eq!(service["after"], json!([unit["After"]]));
    assert_eq!(nixos["defaults"]["after"], json!([unit["After"]]));
    let timer_file = section(&tmr_file, "Timer");
    let got_timer: BTreeMap<String, String> = timer["timerConfig"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), unit_value(v)))
        .collect();
    assert_eq!(got_timer, as_unit_values(&timer_file), "[Timer]");
    assert_eq!(
        nixos["defaults"]["schedule"],
        json!(timer_file["OnCalendar"])
    );
    assert_eq!(
        timer["wantedBy"],
        json!([section(&tmr_file, "Install")["WantedBy"]])
    );
    assert_eq!(
        timer["description"],
        json!(section(&tmr_file, "Unit")["Description"])
    );

    // What NixOS would write, through systemd's own checks.
    let unit_section =
        json!({ "Description": service["description"], "After": service["after"][0] });
    let generated = tempfile::tempdir().unwrap();
    std::fs::write(
        generated.path().join(UNITS[0]),
        render(&[
            ("Unit", &unit_section),
            ("Service", &service["serviceConfig"]),
        ]),
    )
    .unwrap();
    let timer_unit = json!({ "Description": timer["description"] });
    let install = json!({ "WantedBy": timer["wantedBy"][0] });
    std::fs::write(
        generated.path().join(UNITS[1]),
        render(&[
            ("Unit", &timer_unit),
            ("Timer", &timer["timerConfig"]),
            ("Install", &install),
        ]),
    )
    .unwrap();
    verify_units(generated.path(), UNITS)
        .unwrap_or_else(|e| panic!("the module's units: systemd-analyze verify: {e}"));
}

/// A YAML file as JSON, read by PyYAML (Debian's python3-yaml, which serves
/// Debian's /usr/bin/python3). PyYAML reads YAML 1.1: a bare `on:` key is `true`.
fn yaml(path: &Path) -> Value {
    let out = tool(
        Command::new("/usr/bin/python3")
            .args([
                "-c",
                "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)",
            ])
            .arg(path),
        "python3",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("No module named 'yaml'"),
        "PyYAML missing: install Debian's python3-yaml (listed in scripts/deps/test.txt)"
    );
    assert!(out.status.success(), "{}: {}", path.display(), text(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn github_workflow_runs_storebench_ci_nightly_and_uploads_the_junit_export() {
    let wf = yaml(&ci_file("github-actions.yml"));
    let on = wf.get("on").or_else(|| wf.get("true")).expect("on:");
    assert!(on["schedule"][0]["cron"].is_string(), "{on}");
    assert!(on.get("workflow_dispatch").is_some(), "{on}");

    let job = wf["jobs"]
        .as_object()
        .unwrap()
        .values()
        .find(|job| {
            job["steps"].as_array().unwrap().iter().any(|s| {
                s["run"]
                    .as_str()
                    .is_some_and(|r| shell_invocation(r).is_some())
            })
        })
        .expect("a job that runs storebench ci");
    assert!(
        job["runs-on"]
            .as_array()
            .unwrap()
            .contains(&json!("self-hosted")),
        "{}",
        job["runs-on"]
    );
    let steps = job["steps"].as_array().unwrap();
    let script = steps
        .iter()
        .find_map(|s| s["run"].as_str().filter(|r| shell_invocation(r).is_some()));
    let flags = ci_args(&shell_invocation(script.unwrap()).unwrap(), "the workflow");
    assert_eq!(flags["--require-quiet"], ["15m"]);
    assert_eq!(flags["--confirm"], ["2"]);
    export(&flags, "markdown", "the workflow");
    export(&flags, "github-action-benchmark", "the workflow");
    let history = &flags["--history"][0];
    assert!(
        history.starts_with("$state/")
            && script
                .unwrap()
                .contains("state=\"${STOREBENCH_STATE:-$HOME/"),
        "the history must persist outside the workspace: {history}"
    );

    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
        })
        .expect("an upload-artifact step");
    assert_eq!(upload["if"], "always()");
    let paths: Vec<&str> = upload["with"]["path"].as_str().unwrap().lines().collect();
    for file in [
        export(&flags, "junit", "the workflow"),
        flags["--json"][0].as_str(),
        flags["--report-dir"][0].as_str(),
    ] {
        assert!(
            covers(&paths, file),
            "{file} is not uploaded from {paths:?}"
        );
    }
}

#[test]
fn gitlab_job_runs_storebench_ci_when_scheduled_and_reports_the_junit_export() {
    let ci = yaml(&ci_file("gitlab-ci.yml"));
    let (name, job) = ci
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, job)| job["script"].is_array())
        .expect("a job");
    let script = job["script"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join("\n");
    let flags = ci_args(
        &shell_invocation(&script).unwrap_or_else(|| panic!("{name} does not run storebench ci")),
        name,
    );
    assert!(
        job["rules"]
            .as_array()
            .unwrap()
            .contains(&json!({ "if": "$CI_PIPELINE_SOURCE == \"schedule\"" })),
        "{}",
        job["rules"]
    );
    assert!(
        !job["tags"].as_array().unwrap().is_empty(),
        "no runner tags"
    );
    let artifacts = &job["artifacts"];
    assert_eq!(artifacts["when"], "always");
    assert_eq!(
        artifacts["reports"]["junit"],
        export(&flags, "junit", name),
        "the junit export is the junit report"
    );
    let paths: Vec<&str> = artifacts["paths"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for file in [
        flags["--json"][0].as_str(),
        flags["--report-dir"][0].as_str(),
    ] {
        assert!(covers(&paths, file), "{file} is not kept from {paths:?}");
    }
}
