//! Which running processes a probe watches: by name glob, by PID and its
//! descendants, by systemd unit or cgroup, or the whole login session.
//!
//! A process is selected when any selector matches it. Kernel threads and the
//! probing process itself never are. This module decides membership from one
//! scan of `/proc`; keeping a process once selected is the sampler's business.

use super::procfs::{self, Info};
use crate::config::ProbeConfig;
use crate::error::{Error, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where the cgroup file systems are mounted; a path below it must be a directory.
const CGROUP_FS: &str = "/sys/fs/cgroup";

/// Whose processes `--session` means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Session {
    /// The audit login session id shared by the caller's processes.
    Id(u32),
    /// The kernel keeps no session ids here: the caller's uid stands in.
    Uid(u32),
}

impl Session {
    /// The caller's own session.
    pub fn current() -> Session {
        match procfs::session_id("self") {
            Some(id) => Session::Id(id),
            // SAFETY: getuid cannot fail.
            None => Session::Uid(unsafe { libc::getuid() }),
        }
    }
}

#[derive(Debug)]
pub struct Selector {
    name_patterns: Vec<String>,
    names: Option<GlobSet>,
    pids: Vec<u32>,
    tree: bool,
    units: Vec<String>,
    cgroup_dirs: Vec<PathBuf>,
    cgroup_paths: Vec<String>,
    session: Option<Session>,
}

/// The processes alive at one moment, indexed for matching. A process whose
/// `/proc/PID/stat` cannot be read (a `hidepid` mount) cannot be matched and is
/// not in it.
pub struct Scan {
    pub infos: BTreeMap<u32, Info>,
}

impl Scan {
    pub fn now() -> Result<Scan> {
        let mut infos = BTreeMap::new();
        for pid in procfs::pids().map_err(|e| Error::io("/proc", e))? {
            if let procfs::Read::Ok(info) = procfs::read_info(pid) {
                infos.insert(pid, info);
            }
        }
        Ok(Scan { infos })
    }

    /// `roots` and every process that descends from one of them.
    fn descendants(&self, roots: &[u32]) -> BTreeSet<u32> {
        let mut children: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for info in self.infos.values() {
            children.entry(info.stat.ppid).or_default().push(info.pid);
        }
        let mut out = BTreeSet::new();
        let mut stack: Vec<u32> = roots.to_vec();
        while let Some(pid) = stack.pop() {
            if out.insert(pid) {
                stack.extend(children.get(&pid).into_iter().flatten());
            }
        }
        out
    }
}

impl Selector {
    pub fn new(cfg: &ProbeConfig, session: Session) -> Result<Selector> {
        let names = if cfg.names.is_empty() {
            None
        } else {
            let mut set = GlobSetBuilder::new();
            for p in &cfg.names {
                set.add(Glob::new(p).map_err(|e| Error::BadPattern {
                    pattern: p.clone(),
                    why: e.kind().to_string(),
                })?);
            }
            Some(set.build().map_err(|e| Error::BadPattern {
                pattern: cfg.names.join(" "),
                why: e.to_string(),
            })?)
        };
        let mut cgroup_dirs = Vec::new();
        let mut cgroup_paths = Vec::new();
        for c in &cfg.cgroups {
            if c.join("cgroup.procs").is_file() {
                cgroup_dirs.push(c.clone());
            } else if c.is_absolute() && !c.exists() && !c.starts_with(CGROUP_FS) {
                cgroup_paths.push(c.to_string_lossy().trim_end_matches('/').to_string());
            } else {
                return Err(Error::ProbeSelector {
                    selector: format!("--cgroup {}", c.display()),
                    why: format!(
                        "neither a cgroup directory (holding cgroup.procs) nor a cgroup path \
                         like /user.slice/app.service (cgroup directories live under {CGROUP_FS})"
                    ),
                });
            }
        }
        let selector = Selector {
            name_patterns: cfg.names.clone(),
            names,
            pids: cfg.pids.clone(),
            tree: cfg.tree,
            units: cfg.units.iter().map(|u| unit_name(u)).collect(),
            cgroup_dirs,
            cgroup_paths,
            session: cfg.session.then_some(session),
        };
        if selector.is_empty() {
            return Err(Error::ProbeSelector {
                selector: "(none)".into(),
                why: "give at least one of --name, --pid, --unit, --cgroup, --session, or a probe name"
                    .into(),
            });
        }
        Ok(selector)
    }

    fn is_empty(&self) -> bool {
        self.names.is_none()
            && self.pids.is_empty()
            && self.units.is_empty()
            && self.cgroup_dirs.is_empty()
            && self.cgroup_paths.is_empty()
            && self.session.is_none()
    }

    /// The selectors as a command line gives them, with what `--session` meant.
    pub fn describe(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .name_patterns
            .iter()
            .map(|p| format!("--name '{p}'"))
            .collect();
        let tree = if self.tree { " --tree" } else { "" };
        out.extend(self.pids.iter().map(|p| format!("--pid {p}{tree}")));
        out.extend(self.units.iter().map(|u| format!("--unit {u}")));
        out.extend(
            self.cgroup_dirs
                .iter()
                .map(|c| format!("--cgroup {}", c.display())),
        );
        out.extend(self.cgroup_paths.iter().map(|c| format!("--cgroup {c}")));
        match self.session {
            Some(Session::Id(id)) => out.push(format!("--session (login session {id})")),
            Some(Session::Uid(uid)) => {
                out.push(format!("--session (uid {uid}: no login session ids here)"))
            }
            None => {}
        }
        out
    }

    /// The PIDs of `scan` this selector matches now.
    pub fn matching(&self, scan: &Scan) -> Result<BTreeSet<u32>> {
        let tree = if self.tree {
            scan.descendants(&self.pids)
        } else {
            self.pids.iter().copied().collect()
        };
        let mut in_dirs = BTreeSet::new();
        for dir in &self.cgroup_dirs {
            cgroup_members(dir, &mut in_dirs)?;
        }
        let me = std::process::id();
        Ok(scan
            .infos
            .values()
            .filter(|i| i.pid != me && !i.stat.is_kernel_thread())
            .filter(|i| tree.contains(&i.pid) || in_dirs.contains(&i.pid) || self.matches(i))
            .map(|i| i.pid)
            .collect())
    }

    /// The selectors that need nothing but the process itself.
    fn matches(&self, info: &Info) -> bool {
        if let Some(names) = &self.names {
            if [&info.stat.comm, &info.program, &info.command]
                .iter()
                .any(|s| !s.is_empty() && names.is_match(s.as_str()))
            {
                return true;
            }
        }
        match self.session {
            Some(Session::Id(id)) if procfs::session_id(&info.pid.to_string()) == Some(id) => {
                return true
            }
            Some(Session::Uid(uid)) if info.uid == uid => return true,
            _ => {}
        }
        if self.units.is_empty() && self.cgroup_paths.is_empty() {
            return false;
        }
        let paths = procfs::cgroups(info.pid);
        paths.iter().any(|p| {
            self.units.iter().any(|u| in_unit(p, u))
                || self.cgroup_paths.iter().any(|c| under_cgroup(p, c))
        })
    }
}

/// `kwin` → `kwin.service`, as systemctl reads a unit name without a suffix.
fn unit_name(unit: &str) -> String {
    if unit.contains('.') {
        unit.to_string()
    } else {
        format!("{unit}.service")
    }
}

/// Whether cgroup path `path` lies in `unit` (a component named so, e.g.
/// `/user.slice/user-1000.slice/user@1000.service/app.slice/kwin.service`).
fn in_unit(path: &str, unit: &str) -> bool {
    path.split('/').any(|c| c == unit)
}

/// Whether cgroup path `path` is `cgroup` or below it.
fn under_cgroup(path: &str, cgroup: &str) -> bool {
    path == cgroup
        || path
            .strip_prefix(cgroup)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The PIDs in cgroup directory `dir` and every cgroup below it.
fn cgroup_members(dir: &Path, out: &mut BTreeSet<u32>) -> Result<()> {
    let procs = dir.join("cgroup.procs");
    let text = std::fs::read_to_string(&procs).map_err(|e| Error::io(&procs, e))?;
    out.extend(text.lines().filter_map(|l| l.trim().parse::<u32>().ok()));
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries.flatten() {
        let path = entry.path();
        // A child cgroup may vanish between listing and reading: not an error.
        if path.join("cgroup.procs").is_file() {
            let _ = cgroup_members(&path, out);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_matches_a_whole_component_of_the_cgroup_path() {
        let p =
            "/user.slice/user-1000.slice/user@1000.service/app.slice/plasma-kwin_wayland.service";
        assert!(in_unit(p, "plasma-kwin_wayland.service"));
        assert!(in_unit(p, "user@1000.service"));
        assert!(!in_unit(p, "kwin_wayland.service"));
        assert!(!in_unit(
            "/system.slice/kwin_wayland.service.d",
            "kwin_wayland.service"
        ));
    }

    #[test]
    fn a_bare_unit_name_means_its_service() {
        assert_eq!(unit_name("baloo_file"), "baloo_file.service");
        assert_eq!(unit_name("session-2.scope"), "session-2.scope");
    }

    #[test]
    fn a_cgroup_path_matches_itself_and_below_but_not_a_sibling_prefix() {
        assert!(under_cgroup("/user.slice/a.service", "/user.slice"));
        assert!(under_cgroup("/user.slice", "/user.slice"));
        assert!(!under_cgroup("/user.slice-other/a", "/user.slice"));
    }

    fn info(pid: u32, ppid: u32, comm: &str, command: &str) -> Info {
        Info {
            pid,
            stat: procfs::Stat {
                comm: comm.into(),
                ppid,
                flags: 0,
                cpu_ticks: 0,
                start_ticks: 0,
            },
            command: command.into(),
            program: command
                .split(' ')
                .next()
                .and_then(|a| a.rsplit('/').next())
                .unwrap_or("")
                .into(),
            uid: 1000,
        }
    }

    fn scan(infos: Vec<Info>) -> Scan {
        Scan {
            infos: infos.into_iter().map(|i| (i.pid, i)).collect(),
        }
    }

    #[test]
    fn names_match_the_kernel_name_the_program_or_the_command_line() {
        let s = scan(vec![
            info(10, 1, "baloo_file", "/usr/bin/baloo_file"),
            info(
                11,
                1,
                "CrRendererMain",
                "/usr/share/code/code --type=renderer",
            ),
            info(12, 1, "bash", "bash"),
        ]);
        let cfg = ProbeConfig {
            names: vec!["baloo*".into(), "code".into()],
            ..ProbeConfig::default()
        };
        let sel = Selector::new(&cfg, Session::Uid(1000)).unwrap();
        assert_eq!(
            sel.matching(&s).unwrap().into_iter().collect::<Vec<_>>(),
            [10, 11]
        );
    }

    #[test]
    fn a_tree_takes_every_descendant_but_not_the_parent() {
        let s = scan(vec![
            info(20, 1, "sh", "sh"),
            info(21, 20, "a", "a"),
            info(22, 21, "b", "b"),
            info(23, 20, "c", "c"),
            info(24, 1, "d", "d"),
        ]);
        let cfg = ProbeConfig {
            pids: vec![21],
            tree: true,
            ..ProbeConfig::default()
        };
        let sel = Selector::new(&cfg, Session::Uid(1000)).unwrap();
        assert_eq!(
            sel.matching(&s).unwrap().into_iter().collect::<Vec<_>>(),
            [21, 22]
        );
    }

    #[test]
    fn the_uid_stands_in_for_a_missing_session() {
        let mut other = info(31, 1, "x", "x");
        other.uid = 0;
        let s = scan(vec![info(30, 1, "x", "x"), other]);
        let cfg = ProbeConfig {
            session: true,
            ..ProbeConfig::default()
        };
        let sel = Selector::new(&cfg, Session::Uid(1000)).unwrap();
        assert_eq!(
            sel.matching(&s).unwrap().into_iter().collect::<Vec<_>>(),
            [30]
        );
        assert!(sel.describe()[0].contains("uid 1000"));
    }

    #[test]
    fn no_selector_at_all_is_refused() {
        let err = Selector::new(&ProbeConfig::default(), Session::Uid(0)).unwrap_err();
        assert!(err.to_string().contains("--name"), "{err}");
    }

    #[test]
    fn a_relative_cgroup_that_does_not_exist_is_refused_with_its_path() {
        let cfg = ProbeConfig {
            cgroups: vec!["no/such/cgroup".into()],
            ..ProbeConfig::default()
        };
        let err = Selector::new(&cfg, Session::Uid(0)).unwrap_err();
        assert!(err.to_string().contains("no/such/cgroup"), "{err}");
    }

    #[test]
    fn a_missing_cgroup_directory_is_refused_not_taken_for_a_cgroup_path() {
        let cfg = ProbeConfig {
            cgroups: vec!["/sys/fs/cgroup/no-such.service".into()],
            ..ProbeConfig::default()
        };
        let err = Selector::new(&cfg, Session::Uid(0)).unwrap_err();
        assert!(err.to_string().contains("no-such.service"), "{err}");
    }
}
