//! The code's layout, as the house style asks: no import cycle between the
//! top-level modules, and no function too long to read whole.

use std::path::Path;
use std::process::Command;

/// Runs `script` (a python3 script under scripts/) on src/ and returns its exit
/// code with what it printed.
fn check(script: &str) -> (Option<i32>, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("python3")
        .arg(root.join("scripts").join(script))
        .arg(root.join("src"))
        .output()
        .expect("python3 runs");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), printed)
}

#[test]
fn no_two_modules_import_each_other_even_indirectly() {
    let (code, printed) = check("import-cycles");
    assert_eq!(code, Some(0), "{printed}");
    assert!(printed.contains("no import cycle"), "{printed}");
}

#[test]
fn no_function_outside_tests_is_over_80_lines() {
    let (code, printed) = check("long-functions");
    assert_eq!(code, Some(0), "{printed}");
    assert!(printed.contains("no function over 80 lines"), "{printed}");
}
