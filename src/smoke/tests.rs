//! The smoke check's own logic: fixture counts, config commands, the system's
//! commands against a wrong one and an absent one.

use super::*;

#[test]
fn the_fixture_counts_are_what_the_checks_expect() {
    assert_eq!(WORDS_TXT.lines().filter(|l| *l == "beta").count(), 5);
    let commands: Vec<String> = plan_checks().into_iter().map(|c| c.command).collect();
    assert_eq!(commands, PLAN);
}

#[test]
fn a_config_command_defaults_to_version_and_refuses_paths_and_two_expectations() {
    let c = config_check("jq", &SmokeCommandConfig::default()).unwrap();
    assert_eq!(
        (c.command.as_str(), c.steps[0].args.clone()),
        ("jq", vec!["--version".to_string()])
    );
    let path = SmokeCommandConfig {
        argv: vec!["/bin/jq".into()],
        ..SmokeCommandConfig::default()
    };
    assert!(config_check("jq", &path)
        .unwrap_err()
        .to_string()
        .contains("not a path"));
    let both = SmokeCommandConfig {
        stdout: Some("a".into()),
        contains: Some("b".into()),
        ..SmokeCommandConfig::default()
    };
    assert!(config_check("jq", &both).is_err());
}

#[test]
fn system_commands_pass_and_a_wrong_answer_or_an_absent_one_is_told_apart() {
    // /usr/bin holds ls, cat, grep and git on the machines the tests run on.
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    for c in ["ls", "cat", "git"] {
        std::os::unix::fs::symlink(format!("/usr/bin/{c}"), bin.join(c)).unwrap();
    }
    std::fs::write(bin.join("grep"), "#!/bin/sh\necho 4\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("grep"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let report = check(&[bin], &SmokeConfig::default(), Duration::from_secs(30)).unwrap();
    let status = |c: &str| {
        report
            .checks
            .iter()
            .find(|r| r.command == c)
            .unwrap()
            .status
    };
    assert_eq!(status("ls"), Status::Ok, "{report:?}");
    assert_eq!(status("cat"), Status::Ok, "{report:?}");
    assert_eq!(status("git"), Status::Ok, "{report:?}");
    assert_eq!(status("grep"), Status::Broken);
    assert_eq!(status("nix-build"), Status::Missing);
    assert_eq!(report.verdict, Verdict::Broken);
}

#[test]
fn a_root_without_bin_is_refused_naming_the_variant() {
    let tmp = tempfile::tempdir().unwrap();
    let err = bin_dirs("gen", &[tmp.path().to_owned()])
        .unwrap_err()
        .to_string();
    assert!(err.contains("`gen`") && err.contains("sw/bin/"), "{err}");
}
