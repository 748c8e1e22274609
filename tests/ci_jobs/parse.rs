//! Reading the job definitions as the tools that run them do: unit-file
//! settings, systemd `Exec*=` command lines, the `storebench ci` command in a
//! shell script and the flags it passes.

use std::collections::BTreeMap;

/// The flags of `storebench ci`, read from its own `--help`: an option line
/// starts with the flag (`  --confirm <N>`, `  -h, --help`).
fn ci_flags() -> Vec<String> {
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_storebench"))
        .args(["ci", "--help"])
        .output()
        .expect("storebench ci --help runs");
    assert!(help.status.success());
    String::from_utf8_lossy(&help.stdout)
        .lines()
        .filter_map(|l| {
            let l = l
                .trim_start()
                .trim_start_matches("-h, ")
                .trim_start_matches("-V, ");
            let flag: String = l
                .strip_prefix("--")?
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            Some(format!("--{flag}"))
        })
        .collect()
}

/// A unit file's settings as (section, key, value), continuation lines joined.
pub fn unit_settings(unit: &str) -> Vec<(String, String, String)> {
    let mut settings = Vec::new();
    let mut section = String::new();
    let mut lines = unit.lines();
    while let Some(line) = lines.next() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_string();
            continue;
        }
        let mut line = line.to_string();
        while let Some(head) = line.strip_suffix('\\') {
            line = format!("{head} {}", lines.next().unwrap_or("").trim());
        }
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("not a setting: {line}"));
        settings.push((section.clone(), key.trim().into(), value.trim().into()));
    }
    settings
}

pub fn section(settings: &[(String, String, String)], name: &str) -> BTreeMap<String, String> {
    settings
        .iter()
        .filter(|(s, _, _)| s == name)
        .map(|(_, k, v)| (k.clone(), v.clone()))
        .collect()
}

/// An `Exec*=` command line split as systemd does for what the jobs use:
/// whitespace, double quotes with backslash escapes, `%%` and `$$`.
pub fn exec_args(line: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let Some(&first) = chars.peek() else { break };
        let mut arg = String::new();
        if first == '"' {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => arg.extend(chars.next()),
                    c => arg.push(c),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                arg.push(c);
            }
        }
        args.push(arg.replace("%%", "%").replace("$$", "$"));
    }
    args
}

/// The words of the `storebench ci` command in a shell script, quotes removed.
pub fn shell_invocation(script: &str) -> Option<Vec<String>> {
    let script = script.replace("\\\n", " ");
    script.lines().find_map(|line| {
        let words: Vec<String> = line
            .split_whitespace()
            .map(|w| w.trim_matches('"').to_string())
            .collect();
        let at = words
            .windows(2)
            .position(|w| w[0].to_lowercase().contains("storebench") && w[1] == "ci")?;
        Some(words[at..].to_vec())
    })
}

/// Checks that `args` (program first) is `storebench ci` with known flags and
/// export formats, and returns each flag's values.
pub fn ci_args(args: &[String], job: &str) -> BTreeMap<String, Vec<String>> {
    assert!(
        args.len() > 2 && args[0].to_lowercase().contains("storebench") && args[1] == "ci",
        "{job} does not run `storebench ci`: {args:?}"
    );
    let mut flags: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut rest = args[2..].iter().peekable();
    while let Some(arg) = rest.next() {
        if !arg.starts_with("--") {
            continue;
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (arg.as_str(), None),
        };
        assert!(
            ci_flags().iter().any(|f| f == flag),
            "{job}: `storebench ci` has no {flag}"
        );
        let value = inline.or_else(|| rest.next_if(|v| !v.starts_with("--")).cloned());
        if flag == "--export" {
            let format = value
                .as_deref()
                .and_then(|v| v.split_once('='))
                .map(|p| p.0);
            assert!(
                format.is_some_and(|f| storebench::export::EXPORTERS.iter().any(|e| e.name() == f)),
                "{job}: not an export FORMAT=FILE: {value:?}"
            );
        }
        flags.entry(flag.to_string()).or_default().extend(value);
    }
    flags
}

pub fn export<'a>(flags: &'a BTreeMap<String, Vec<String>>, format: &str, job: &str) -> &'a str {
    flags["--export"]
        .iter()
        .find_map(|e| e.strip_prefix(format)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("{job} has no --export {format}=FILE: {flags:?}"))
}

/// Whether one of `paths` (files or directories) holds `file`.
pub fn covers(paths: &[&str], file: &str) -> bool {
    paths.iter().any(|p| {
        let p = p.trim_end_matches('/');
        file == p || file.starts_with(&format!("{p}/"))
    })
}

#[test]
fn exec_args_unquote_and_undouble_specifiers() {
    assert_eq!(
        exec_args(r#""/bin/x" ci  "a \"b\" 3%%" $$HOME"#),
        ["/bin/x", "ci", "a \"b\" 3%", "$HOME"]
    );
}

#[test]
fn shell_invocation_joins_continued_lines() {
    let script = "set +e\n\"$STOREBENCH_BIN\" ci \\\n  --json out.json\ncode=$?\n";
    assert_eq!(
        shell_invocation(script).unwrap(),
        ["$STOREBENCH_BIN", "ci", "--json", "out.json"]
    );
}
